"""The learner JSON API: events in (token-signed), answers checked, progress out."""

import re

import pytest

from kit.models import Event, LessonProgress

from .conftest import make_event
from .test_pages import csrf, sign_in


def token_of(client):
    html = client.get("/lessons").get_data(as_text=True)
    return re.search(r'data-token="([^"]+)"', html).group(1)


@pytest.fixture
def ada(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    return client


def test_post_events_counts_accepted_and_duplicates(ada):
    token = token_of(ada)
    batch = [make_event("lesson_opened"), make_event("page_viewed", {"page": 3})]
    first = ada.post("/api/v1/events", json={"token": token, "events": batch})
    assert first.status_code == 200 and first.get_json() == {"accepted": 2, "duplicate": 0}
    again = ada.post("/api/v1/events", json={"token": token, "events": batch})
    assert again.get_json() == {"accepted": 0, "duplicate": 2}
    progress = ada.get("/api/v1/progress").get_json()
    assert progress["learner"]["name"] == "Ada"
    assert [(r["lesson_id"], r["status"], r["page"]) for r in progress["lessons"]] == [
        ("01-count", "in_progress", 3)
    ]


def test_events_are_stored_as_the_tokens_learner_not_the_cookies(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    ada_token = token_of(client)
    sign_in(client, ids["ben"], ids["class"])  # Ben has a picture password: not signed in
    page = client.get(f"/signin/{ids['ben']}").get_data(as_text=True)
    client.post(f"/signin/{ids['ben']}", data={"picture": ["moon", "sun"], "csrf_token": csrf(page)})
    assert client.get("/api/v1/progress").get_json()["learner"]["name"] == "Ben"
    client.post("/api/v1/events", json={"token": ada_token, "events": [make_event("lesson_opened")]})
    assert Event.get().learner_id == ids["ada"]


@pytest.mark.parametrize(
    "token,message",
    [
        (None, "the learner token is missing or not valid"),
        ("forged.token", "the learner token is missing or not valid"),
        ("eyJpZCI6MSwidXVpZCI6IngifQ.AAAAAAAAAAAAAAAAAAAAAAAAAAA", "missing or not valid"),
    ],
)
def test_a_wrong_token_is_refused_and_nothing_is_stored(ada, token, message):
    response = ada.post("/api/v1/events", json={"token": token, "events": [make_event("lesson_opened")]})
    assert response.status_code == 401
    error = response.get_json()["error"]
    assert error["code"] == "unauthorized" and message in error["message"]
    assert Event.select().count() == 0


def test_a_token_for_a_learner_who_is_gone_is_refused(learn_app, ada, ids):
    from kit.models import Learner
    from kit.web.learn.auth import make_token

    ghost = Learner(id=ids["ada"], uuid="00000000-0000-4000-8000-000000000000")
    with learn_app.test_request_context():
        token = make_token(ghost)
    response = ada.post("/api/v1/events", json={"token": token, "events": [make_event("lesson_opened")]})
    assert response.status_code == 401
    assert "names no learner on this kit" in response.get_json()["error"]["message"]
    assert Event.select().count() == 0


def test_a_token_once_accepted_is_checked_against_the_learner_every_time(ada, ids):
    token = token_of(ada)
    first = ada.post("/api/v1/events", json={"token": token, "events": [make_event("lesson_opened")]})
    assert first.status_code == 200
    from kit.models import Learner

    Learner.update(uuid="00000000-0000-4000-8000-000000000001").where(
        Learner.id == ids["ada"]
    ).execute()  # the learner the token named is gone
    again = ada.post("/api/v1/events", json={"token": token, "events": [make_event("lesson_opened")]})
    assert again.status_code == 401 and Event.select().count() == 1
    for odd in (12, ["a"], {"id": ids["ada"]}):
        refused = ada.post("/api/v1/events", json={"token": odd, "events": [make_event("x")]})
        assert refused.status_code == 401


def test_bad_batches_get_422_with_the_index_and_nothing_is_stored(ada):
    token = token_of(ada)
    bad = ada.post(
        "/api/v1/events",
        json={"token": token, "events": [make_event("lesson_opened"), make_event("teleported")]},
    )
    assert bad.status_code == 422
    error = bad.get_json()["error"]
    assert error["code"] == "bad_event" and error["details"]["index"] == 1
    assert error["message"].startswith("event 1: unknown kind 'teleported'")
    not_json = ada.post("/api/v1/events", data="{nope", content_type="application/json")
    assert not_json.status_code == 422
    assert not_json.get_json()["error"]["message"] == "the body must be a JSON object"
    assert Event.select().count() == 0 and LessonProgress.select().count() == 0


def test_max_event_batch_setting_limits_a_batch(installed_kit, learn_app, ids):
    learn_app.config["KIT"]["max_event_batch"] = 2
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    response = client.post(
        "/api/v1/events",
        json={"token": token_of(client), "events": [make_event("lesson_opened") for _ in range(3)]},
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["details"]["limit"] == 2
    assert Event.select().count() == 0


def test_beacon_text_plain_bodies_are_accepted(ada):
    import json

    body = json.dumps({"token": token_of(ada), "events": [make_event("lesson_opened")]})
    response = ada.post("/api/v1/events", data=body, content_type="text/plain;charset=UTF-8")
    assert response.get_json() == {"accepted": 1, "duplicate": 0}


def test_answer_checks_give_instant_feedback_and_are_recorded(ada):
    right = ada.post(
        "/api/v1/answers",
        json={"pack_id": "mini", "lesson_id": "01-count", "question_id": "q3", "response": "3"},
    )
    assert right.get_json() == {"correct": True, "feedback": "", "hint": ""}
    wrong = ada.post(
        "/api/v1/answers",
        json={"pack_id": "mini", "lesson_id": "01-count", "question_id": "q1", "response": "a"},
    )
    assert wrong.get_json() == {
        "correct": False,
        "feedback": "Count again.",
        "hint": "Count them one by one.",
    }
    unknown = ada.post(
        "/api/v1/answers",
        json={"pack_id": "mini", "lesson_id": "01-count", "question_id": "q9", "response": "a"},
    )
    assert unknown.status_code == 404
    malformed = ada.post(
        "/api/v1/answers",
        json={"pack_id": "mini", "lesson_id": "01-count", "question_id": "q2", "response": "a"},
    )
    assert malformed.status_code == 422
    missing = ada.post("/api/v1/answers", json={"pack_id": "mini"})
    assert missing.status_code == 422 and "are required" in missing.get_json()["error"]["message"]
    # Each check that was marked is an answer event; the refused ones stored nothing.
    assert [
        (e.kind, e.payload["question_id"], e.payload["response"], e.payload["attempt"])
        for e in Event.select().order_by(Event.seq)
    ] == [("answer", "q3", "3", 1), ("answer", "q1", "a", 1)]


def test_guessing_through_checks_shows_in_the_hard_questions_view(ada, ids):
    from kit.models import QuestionProgress
    from kit.web.teach.progress import missed_questions

    body = {"pack_id": "mini", "lesson_id": "01-count", "question_id": "q1"}
    for choice in ("a", "b"):  # try every choice, send no answer event at all
        ada.post("/api/v1/answers", json={**body, "response": choice})
    row = QuestionProgress.get(question_id="q1")
    assert (row.attempts, row.wrong, row.correct) == (2, 1, True)
    assert [(q["question_id"], q["wrong"]) for q in missed_questions(ids["class"])] == [("q1", 1)]
    # Only the first try counts for the score: the quiz ends at 0 of 1 right first time.
    token = token_of(ada)
    finished = make_event("quiz_finished", {"attempt": 1})
    ada.post("/api/v1/events", json={"token": token, "events": [finished]})
    assert Event.get(Event.uuid == finished["uuid"]).payload["score"] == 0.0


def test_a_check_and_its_queued_event_are_one_answer(ada):
    token = token_of(ada)
    queued = make_event("answer", {"question_id": "q1", "response": "a", "attempt": 1})
    check = ada.post(
        "/api/v1/answers",
        json={
            "pack_id": "mini",
            "lesson_id": "01-count",
            "question_id": "q1",
            "response": "a",
            "attempt": 1,
            "uuid": queued["uuid"],
        },
    )
    assert check.get_json()["correct"] is False
    sent = ada.post("/api/v1/events", json={"token": token, "events": [queued]})
    assert sent.get_json() == {"accepted": 0, "duplicate": 1}
    assert Event.select().count() == 1
    # A uuid already used for something else does not hide the try.
    opened = make_event("lesson_opened")
    ada.post("/api/v1/events", json={"token": token, "events": [opened]})
    ada.post(
        "/api/v1/answers",
        json={
            "pack_id": "mini",
            "lesson_id": "01-count",
            "question_id": "q1",
            "response": "b",
            "uuid": opened["uuid"],
        },
    )
    assert Event.select().where(Event.kind == "answer").count() == 2


@pytest.mark.parametrize("response", [{"a": 1}, [["a"]], [{"id": "a"}], None, True, "x" * 501])
def test_answer_checks_of_the_wrong_shape_are_422_not_500(ada, response):
    for question in ("q1", "q2", "q3", "q4"):
        got = ada.post(
            "/api/v1/answers",
            json={"pack_id": "mini", "lesson_id": "01-count", "question_id": question, "response": response},
        )
        assert got.status_code == 422, (question, response, got.get_json())
        assert got.get_json()["error"]["code"] in ("bad_event", "bad_answer")
    single = ada.post(
        "/api/v1/answers",
        json={"pack_id": "mini", "lesson_id": "01-count", "question_id": "q1", "response": ["a"]},
    )
    assert single.status_code == 422 and "one of the choice ids" in single.get_json()["error"]["message"]
    assert Event.select().count() == 0


def test_learner_api_needs_a_learner_session(learn_app):
    client = learn_app.test_client()
    assert client.get("/api/v1/progress").status_code == 401
    response = client.post("/api/v1/answers", json={})
    assert response.status_code == 401
    assert response.get_json()["error"]["message"] == "no learner is signed in"
    with client.session_transaction() as session:
        session["user_id"] = 1  # a teacher's session is not a learner's
    assert client.get("/api/v1/progress").status_code == 401
    assert client.get("/lessons").headers["Location"] == "/"


def test_progress_gives_every_field_as_the_model_reads_it(ada, ids):
    import datetime as dt

    seen = [dt.datetime(2026, 3, 4, 5, 6, 7, 890), dt.datetime(2026, 3, 4, 5, 6, 7), None]
    for lesson, last_seen in zip(("01-count", "02-shapes", "03-none"), seen):
        LessonProgress.create(
            learner=ids["ada"],
            pack_id="mini",
            lesson_id=lesson,
            page=2,
            status="completed",
            score=0.75,
            best_score=1.0,
            attempts=3,
            seconds=95,
            needs_help=lesson == "01-count",
            last_seen=last_seen,
        )
    lessons = ada.get("/api/v1/progress").get_json()["lessons"]
    expected = [
        {
            "pack_id": r.pack_id,
            "lesson_id": r.lesson_id,
            "status": r.status,
            "page": r.page,
            "score": r.score,
            "best_score": r.best_score,
            "attempts": r.attempts,
            "seconds": r.seconds,
            "needs_help": r.needs_help,
            "last_seen": r.last_seen.isoformat() + "Z" if r.last_seen else None,
        }
        for r in LessonProgress.select().order_by(LessonProgress.lesson_id)
    ]
    assert lessons == expected
    assert [r["last_seen"] for r in lessons] == ["2026-03-04T05:06:07.000890Z", "2026-03-04T05:06:07Z", None]
    assert [r["needs_help"] for r in lessons] == [True, False, False]
