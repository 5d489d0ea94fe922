"""Asking the room, hands and the end of a live class, through the real app."""

import datetime as dt
import uuid

from kit.class_sessions import get_session
from kit.db import write
from kit.models import Attendance, ClassSession, Event, LiveAnswer, LiveClass, LiveMember

from .conftest import act
from .test_live_state import poll


def _join(*clients):
    return [poll(c).get_json()["live"] for c in clients][0]["id"]


def answer(client, live_uuid, question, choices, answer_uuid=None):
    body = {"live": live_uuid, "question": question, "choices": choices}
    if answer_uuid:
        body["uuid"] = answer_uuid
    return client.post("/api/v1/live/answers", json=body)


def test_a_quiz_question_counts_answers_then_reveals_the_right_one(learners, teacher, live):
    live_uuid = _join(learners["ada"], learners["ben"], learners["cy"])
    assert act(teacher, live, "ask").status_code == 400  # step 0 is a page, not a question
    act(teacher, live, "goto", step=2)  # q1: Two (a) or Three (b, right)
    opened = act(teacher, live, "ask").get_json()["question"]
    assert opened["state"] == "open" and opened["counts"] == {"a": 0, "b": 0}
    tablet = poll(learners["ada"]).get_json()["live"]["question"]
    assert tablet["state"] == "open" and tablet["correct"] == [] and tablet["no"] == 1
    assert answer(learners["ada"], live_uuid, 1, ["b"]).status_code == 200
    assert answer(learners["ben"], live_uuid, 1, ["a"]).status_code == 200
    assert answer(learners["ben"], live_uuid, 1, ["b"]).status_code == 200  # changed his mind
    state = teacher.get(f"/teach/live/{live}/state.json").get_json()["question"]
    assert state["counts"] == {"a": 0, "b": 2} and state["answered"] == 2
    assert state["names"] == {"a": [], "b": ["Ada", "Ben"]}
    projector = learners["cy"].application.test_client()
    code = LiveClass.get_by_id(live).code
    shown = projector.get(f"/api/v1/live/projector/{code.lower()}").get_json()["question"]
    assert shown["counts"] == {"a": 0, "b": 2} and "names" not in shown and shown["correct"] == []
    act(teacher, live, "close")
    late = answer(learners["cy"], live_uuid, 1, ["a"])
    assert late.status_code == 409 and "closed" in late.get_json()["error"]["message"]
    act(teacher, live, "reveal")
    assert poll(learners["cy"]).get_json()["live"]["question"]["correct"] == ["b"]
    stored = [e.payload for e in Event.select().where(Event.kind == "live_answer").order_by(Event.seq)]
    assert [(p["choices"], p["correct"]) for p in stored] == [(["b"], True), (["a"], False), (["b"], True)]


def test_bad_answers_are_refused_and_store_nothing(learners, teacher, live):
    live_uuid = _join(learners["ada"])
    assert answer(learners["ada"], live_uuid, 1, ["yes"]).status_code == 409  # nothing asked yet
    act(teacher, live, "poll")
    cases = [
        ({"live": live_uuid, "question": 1, "choices": ["maybe"]}, 422),
        ({"live": live_uuid, "question": 1, "choices": ["yes", "no"]}, 422),
        ({"live": live_uuid, "question": 1, "choices": []}, 422),
        ({"live": live_uuid, "question": "1", "choices": ["yes"]}, 422),
        ({"live": live_uuid, "question": 2, "choices": ["yes"]}, 409),
        ({"live": str(uuid.uuid4()), "question": 1, "choices": ["yes"]}, 404),
        ({"question": 1, "choices": ["yes"]}, 422),
        ({"live": live_uuid, "question": 1, "choices": ["yes"], "uuid": "not-a-uuid"}, 422),
    ]
    for body, status in cases:
        response = learners["ada"].post("/api/v1/live/answers", json=body)
        assert response.status_code == status, (body, response.status_code, response.get_json())
        assert response.get_json()["error"]["message"]
    assert (
        learners["ada"].post("/api/v1/live/answers", data="[1,", content_type="application/json").status_code
        == 422
    )
    assert Event.select().where(Event.kind == "live_answer").count() == 0


def test_an_answer_queued_offline_and_sent_twice_is_counted_once(learners, teacher, live):
    live_uuid = _join(learners["ada"])
    act(teacher, live, "poll")
    same = str(uuid.uuid4())
    first = answer(learners["ada"], live_uuid, 1, ["unsure"], same)
    again = answer(learners["ada"], live_uuid, 1, ["unsure"], same)
    assert first.get_json() == {"accepted": 1, "duplicate": 0}
    assert again.get_json() == {"accepted": 0, "duplicate": 1}
    assert teacher.get(f"/teach/live/{live}/state.json").get_json()["question"]["counts"]["unsure"] == 1


def test_hands_go_up_and_the_teacher_lowers_them(learners, teacher, live, ids):
    live_uuid = _join(learners["ada"], learners["ben"])
    early = learners["cy"].post("/api/v1/live/hand", json={"live": live_uuid, "up": True})
    assert early.status_code == 409  # Cy never opened the live page
    assert learners["ben"].post("/api/v1/live/hand", json={"live": live_uuid, "up": True}).status_code == 200
    assert learners["ada"].post("/api/v1/live/hand", json={"live": live_uuid, "up": True}).status_code == 200
    hands = teacher.get(f"/teach/live/{live}/state.json").get_json()["hands"]
    assert [h["name"] for h in hands] == ["Ben", "Ada"] or sorted(h["name"] for h in hands) == ["Ada", "Ben"]
    assert poll(learners["ada"]).get_json()["live"]["hand"] is True
    act(teacher, live, "lower", learner_id=ids["ada"])
    assert poll(learners["ada"]).get_json()["live"]["hand"] is False
    assert [h["name"] for h in teacher.get(f"/teach/live/{live}/state.json").get_json()["hands"]] == ["Ben"]
    assert learners["ada"].post("/api/v1/live/hand", json={"live": live_uuid, "up": "yes"}).status_code == 400


def test_a_flood_of_hand_raises_is_refused_with_429_and_stores_only_the_allowed(learners, live):
    from kit.live.room import HAND_LIMIT

    live_uuid = _join(learners["ada"])
    answers = [
        learners["ada"].post("/api/v1/live/hand", json={"live": live_uuid, "up": i % 2 == 0})
        for i in range(50)
    ]
    changed = sum(1 for r in answers if r.status_code == 200 and r.get_json()["changed"])
    refused = [r for r in answers if r.status_code == 429]
    assert HAND_LIMIT <= changed <= 2 * HAND_LIMIT  # the minute may turn during the loop
    # After the limit every raise is refused; a "lower" of a hand already down is a plain no-op 200.
    assert len(refused) >= (50 - 2 * changed) // 2
    assert 1 <= refused[0].get_json()["error"]["details"]["retry_after"] <= 60
    assert "too many hand raises" in refused[0].get_json()["error"]["message"]
    assert Event.select().where(Event.kind == "live_hand").count() == changed


def test_ending_makes_a_class_session_with_attendance_and_minutes(learners, teacher, live, ids):
    _join(learners["ada"], learners["ben"])
    live_row = LiveClass.get_by_id(live)
    # The class ran ten minutes: move its start and Ada's join back on the kit's clock.
    earlier = dt.timedelta(minutes=10)
    with write():
        session_row = ClassSession.get_by_id(live_row.session_id)
        session_row.started_at -= earlier
        session_row.save()
        for event in Event.select().where((Event.kind == "live_joined") & (Event.learner == ids["ada"])):
            Event.update(received_at=event.received_at - dt.timedelta(minutes=4)).where(
                Event.seq == event.seq
            ).execute()
    response = teacher.post(f"/teach/live/{live}/end")
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/teach/sessions/{live_row.session_id}"
    )
    session = get_session(live_row.session_id)
    assert session.ended_at is not None and session.summary["attended"] == 2
    minutes = dict(
        Attendance.select(Attendance.learner, Attendance.minutes)
        .where(Attendance.session == session)
        .tuples()
    )
    assert minutes == {ids["ada"]: 4, ids["ben"]: 0}
    left = Event.select().where(Event.kind == "live_left").count()
    assert left == 2
    ended = poll(learners["ada"]).get_json()
    assert ended["live"] is None
    assert teacher.post(f"/teach/live/{live}/end").status_code == 302  # ending twice: a message, no change
    assert Event.select().where(Event.kind == "live_left").count() == 2


def test_a_running_class_session_is_kept_and_not_ended_by_the_live_class(teacher, ids):
    from kit.class_sessions import start_session

    sess = start_session(ids["class"])
    response = teacher.post(f"/teach/classes/{ids['class']}/live", data={"what": "mini/01-count"})
    live_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert LiveClass.get_by_id(live_id).session_id == sess.id
    teacher.post(f"/teach/live/{live_id}/end")
    assert get_session(sess.id).ended_at is None


def test_progress_rebuild_remakes_the_live_answers(learners, teacher, live, live_data):
    from kit.progress import rebuild, snapshot

    live_uuid = _join(learners["ada"], learners["ben"])
    act(teacher, live, "poll")
    answer(learners["ada"], live_uuid, 1, ["yes"])
    answer(learners["ben"], live_uuid, 1, ["no"])
    answer(learners["ben"], live_uuid, 1, ["unsure"])
    before = snapshot()
    assert len(before["live_answer"]) == 2
    assert any("in_progress" in row for row in before["lesson_progress"])
    rebuild()
    assert snapshot() == before
    assert LiveAnswer.select().count() == 2
    assert LiveMember.select().count() == 2
