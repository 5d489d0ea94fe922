"""A live class's state through the real app: tablets poll it (304 while unchanged), the
teacher moves it (a stale or forged move is refused), every worker reads it from SQLite."""

import uuid

from kit.models import Attendance, Event, LiveClass, LiveMember

from .conftest import act


def poll(client, tag=None, here=True):
    headers = {"If-None-Match": tag} if tag else {}
    return client.get("/api/v1/live" + ("?here=1" if here else ""), headers=headers)


def test_no_live_class_polls_null_with_the_slow_period(learners):
    response = poll(learners["ada"], here=False)
    assert response.status_code == 200
    assert response.get_json() == {"live": None, "poll_ms": 5000}
    again = poll(learners["ada"], response.headers["ETag"], here=False)
    assert again.status_code == 304 and again.data == b""


def test_a_signed_out_tablet_is_refused_with_401(live_app, live):
    response = live_app.test_client().get("/api/v1/live")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_tablets_see_the_teachers_step_and_get_304_until_the_teacher_moves(learners, teacher, live):
    first = poll(learners["ada"])
    state = first.get_json()["live"]
    assert first.status_code == 200 and first.get_json()["poll_ms"] == 700
    assert (state["step"], state["mode"], state["lesson_id"], state["question"]) == (
        0,
        "follow",
        "01-count",
        None,
    )
    assert first.headers["Cache-Control"] == "no-store"
    tag = first.headers["ETag"]
    assert poll(learners["ada"], tag).status_code == 304
    assert act(teacher, live, "next").status_code == 200
    moved = poll(learners["ada"], tag)
    assert moved.status_code == 200 and moved.get_json()["live"]["step"] == 1
    assert moved.headers["ETag"] != tag


def test_a_learner_of_another_class_sees_no_live_class_and_cannot_answer_or_raise_a_hand(
    learners, teacher, live
):
    assert poll(learners["dee"]).get_json()["live"] is None
    live_uuid = poll(learners["ada"]).get_json()["live"]["id"]
    act(teacher, live, "poll")
    answer = learners["dee"].post(
        "/api/v1/live/answers", json={"live": live_uuid, "question": 1, "choices": ["yes"]}
    )
    assert answer.status_code == 403 and "not your class" in answer.get_json()["error"]["message"]
    hand = learners["dee"].post("/api/v1/live/hand", json={"live": live_uuid, "up": True})
    assert hand.status_code == 403
    assert Event.select().where(Event.learner == learners_id(learners, "dee")).count() == 0


def learners_id(learners, name):
    from kit.models import Learner

    return Learner.get(Learner.display_name == name.capitalize()).id


def test_joining_records_an_event_and_attendance_once(learners, live, ids):
    for _ in range(3):
        poll(learners["ada"])
    joined = Event.select().where((Event.kind == "live_joined") & (Event.learner == ids["ada"]))
    assert joined.count() == 1
    session_id = LiveClass.get_by_id(live).session_id
    assert Attendance.select().where(Attendance.session == session_id).count() == 1
    # Polling from another page (not `here`) is no presence: Ben has not joined.
    poll(learners["ben"], here=False)
    assert LiveMember.select().count() == 1


def test_a_replayed_or_stale_move_is_refused_and_changes_nothing(teacher, live):
    rev = teacher.get(f"/teach/live/{live}/state.json").get_json()["rev"]
    assert act(teacher, live, "next", rev=rev).status_code == 200
    replay = act(teacher, live, "next", rev=rev)
    assert replay.status_code == 409
    body = replay.get_json()
    assert body["error"]["code"] == "conflict" and body["state"]["step"] == 1
    assert LiveClass.get_by_id(live).step == 1


def test_moves_past_either_end_and_unknown_actions_are_refused(teacher, live):
    back = act(teacher, live, "back")
    assert back.status_code == 400 and "no page -1" in back.get_json()["error"]["message"]
    far = act(teacher, live, "goto", step=99)
    assert far.status_code == 400
    assert act(teacher, live, "jump").status_code == 400
    assert act(teacher, live, "mode", mode="dance").status_code == 400
    assert LiveClass.get_by_id(live).step == 0 and LiveClass.get_by_id(live).mode == "follow"


def test_a_forged_move_without_a_teacher_session_is_refused(live_app, learners, live):
    rev = LiveClass.get_by_id(live).rev
    anonymous = live_app.test_client().post(f"/teach/live/{live}/act", data={"do": "next", "rev": rev})
    assert anonymous.status_code == 302 and "/teach/login" in anonymous.headers["Location"]
    as_learner = learners["ada"].post(f"/teach/live/{live}/act", data={"do": "next", "rev": rev})
    assert as_learner.status_code == 302
    assert LiveClass.get_by_id(live).step == 0


def test_a_move_without_the_csrf_token_is_refused(live_app, teacher, live):
    live_app.config["WTF_CSRF_ENABLED"] = True
    try:
        rev = LiveClass.get_by_id(live).rev
        response = teacher.post(f"/teach/live/{live}/act", data={"do": "next", "rev": rev})
    finally:
        live_app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert LiveClass.get_by_id(live).step == 0


def test_modes_and_recall_reach_the_tablets(learners, teacher, live):
    act(teacher, live, "mode", mode="free")
    assert poll(learners["ada"]).get_json()["live"]["mode"] == "free"
    act(teacher, live, "recall")
    state = poll(learners["ada"]).get_json()["live"]
    assert state["recall"] > 0 and state["mode"] == "free"
    act(teacher, live, "mode", mode="pause")
    assert poll(learners["ada"]).get_json()["live"]["mode"] == "pause"


def test_a_second_live_class_for_the_same_class_is_refused(teacher, live, ids):
    again = teacher.post(f"/teach/classes/{ids['class']}/live", data={"what": "mini/02-shapes"})
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/teach/classes/{ids['class']}")
    assert LiveClass.select().count() == 1


def test_a_live_class_on_a_missing_lesson_is_refused(teacher, ids):
    missing = teacher.post(f"/teach/classes/{ids['class']}/live", data={"what": "mini/99-nothing"})
    assert missing.status_code == 302
    assert LiveClass.select().count() == 0
    page = teacher.get(f"/teach/classes/{ids['class']}").get_data(as_text=True)
    assert "no lesson 99-nothing in pack mini" in page


def test_a_second_teacher_device_takes_over(live_app, teacher, live):
    from .conftest import teacher_client

    phone, laptop = teacher, teacher_client(live_app)
    assert act(phone, live, "next").status_code == 200
    state = laptop.get(f"/teach/live/{live}/state.json").get_json()
    assert state["step"] == 1
    assert act(laptop, live, "next", rev=state["rev"]).status_code == 200
    assert act(phone, live, "back", rev=state["rev"]).status_code == 409  # the phone's screen was stale
    assert LiveClass.get_by_id(live).step == 2


def test_tablets_cannot_post_kit_only_live_events(learners, live):
    import re

    html = learners["ada"].get("/lessons").get_data(as_text=True)
    token = re.search(r'data-token="([^"]+)"', html).group(1)
    live_uuid = LiveClass.get_by_id(live).uuid
    forged = {
        "uuid": str(uuid.uuid4()),
        "kind": "live_answer",
        "pack_id": "mini",
        "lesson_id": "01-count",
        "device_time": "2026-03-01T09:30:00Z",
        "boot_id": "b",
        "mono_ms": 1,
        "payload": {"live": live_uuid, "question": 1, "kind": "poll", "choices": ["yes"]},
    }
    response = learners["ada"].post("/api/v1/events", json={"token": token, "events": [forged]})
    assert response.status_code == 422
    assert "recorded by the kit itself" in response.get_json()["error"]["message"]
    assert Event.select().where(Event.kind == "live_answer").count() == 0
    shown = dict(
        forged, uuid=str(uuid.uuid4()), kind="live_page_shown", payload={"live": live_uuid, "page": 1}
    )
    assert learners["ada"].post("/api/v1/events", json={"token": token, "events": [shown]}).status_code == 200
