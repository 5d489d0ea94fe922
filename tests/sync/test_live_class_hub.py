"""A live class held on a kit reaches a real hub process: its events, its attendance, its hours."""

import csv
import datetime as dt
import io
import json

from .conftest import make_kit
from .test_hub_pages import _signed_in


def _hold_live_class(kit, pack_file):
    """Run a live class through the kit's own app: Ada and Ben join, answer a poll, it ends.

    The class lasted longer than a test can wait: its session's start and each learner's
    join are moved back on the kit's clock (Ada 5 minutes, Ben 3) before it ends.
    """
    from kit.app import create_app
    from kit.assignments import assign
    from kit.db import database, write
    from kit.models import ClassSession, Event, Learner, LiveClass
    from kit.roster import add_learner, create_class
    from kit.users import create_user

    kit("pack", "import", pack_file)
    app = create_app(data_dir=kit.data_dir)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    database.connect(reuse_if_open=True)
    try:
        create_user("boss", "admin", "boss-password-1", "The Boss")
        create_user("tina", "teacher", "tina-password-2", "Tina")
        room = create_class("Morning class")
        ada = add_learner(room.id, name="Ada").id
        ben = add_learner(room.id, name="Ben").id
        assign(room.id, "mini")
        teacher = app.test_client()
        teacher.post("/teach/login", data={"username": "tina", "password": "tina-password-2"})
        started = teacher.post(f"/teach/classes/{room.id}/live", data={"what": "mini/01-count"})
        live_id = int(started.headers["Location"].rsplit("/", 1)[1])
        tablets = {}
        for learner_id in (ada, ben):
            tablets[learner_id] = app.test_client()
            tablets[learner_id].post("/signin", data={"learner_id": learner_id})
            assert tablets[learner_id].get("/api/v1/live?here=1").status_code == 200
        live = LiveClass.get_by_id(live_id)
        teacher.post(f"/teach/live/{live_id}/act", data={"do": "poll", "rev": live.rev})
        for learner_id in (ada, ben):
            answered = tablets[learner_id].post(
                "/api/v1/live/answers", json={"live": live.uuid, "question": 1, "choices": ["yes"]}
            )
            assert answered.status_code == 200
        with write():
            sess = ClassSession.get_by_id(live.session_id)
            sess.started_at -= dt.timedelta(minutes=10)
            sess.save()
            for learner_id, back in ((ada, 5), (ben, 3)):
                for event in Event.select().where(
                    (Event.kind == "live_joined") & (Event.learner == learner_id)
                ):
                    Event.update(received_at=event.received_at - dt.timedelta(minutes=back)).where(
                        Event.seq == event.seq
                    ).execute()
        teacher.post(f"/teach/live/{live_id}/end")
        learners = {l.uuid: l.display_name for l in Learner.select()}
        return sess.uuid, learners
    finally:
        database.close()


def test_a_live_classs_attendance_and_hours_reach_the_hubs_reports(sqlite_hub, tmp_path, mini_pack_file):
    hub = sqlite_hub
    kit = make_kit(tmp_path, "Truck 1", hub)
    session_uuid, learners = _hold_live_class(kit, mini_pack_file)
    kit("sync", "now")

    kinds = dict(hub.query("SELECT kind, COUNT(*) FROM hub_event GROUP BY kind"))
    assert kinds["live_joined"] == 2 and kinds["live_answer"] == 2 and kinds["live_left"] == 2
    record = hub.query("SELECT data FROM hub_record WHERE kind = 'session' AND uuid = ?", session_uuid)
    assert record, "the live class's class session is not at the hub"
    attendance = {learners[uuid]: minutes for uuid, minutes in json.loads(record[0][0])["attendance"]}
    assert attendance == {"Ada": 5, "Ben": 3}
    assert json.loads(record[0][0])["live"] is True

    session, _ = _signed_in(hub)
    month = dt.datetime.utcnow().strftime("%Y-%m")
    hours = list(csv.DictReader(io.StringIO(session.get(hub.url + "/reports/hours.csv", timeout=5).text)))
    assert [(row["site"], row["month"], row["session_hours"]) for row in hours] == [
        ("Site Truck 1", month, "0.13")  # 8 minutes
    ]
    reached = list(
        csv.DictReader(io.StringIO(session.get(hub.url + "/reports/learners.csv", timeout=5).text))
    )
    assert reached == [{"site": "Site Truck 1", "month": month, "learners": "2"}]
    with kit.db():
        from kit.models import Classroom

        room = Classroom.get(Classroom.name == "Morning class").uuid
    page = session.get(f"{hub.url}/classes/{kit.kit_id}/{room}", timeout=5).text
    assert "1 class session(s)" in page and "Live classes among them: 1." in page
