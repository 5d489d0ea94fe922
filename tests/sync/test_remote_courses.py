"""A remote teacher assigns a course from the hub's catalogue: it travels down as an assignment of
its whole pack, applied once on the kit with the same rules as a lesson, and the learner sees its
path with the due date. Real hub process, real `kit sync` runs."""

import re

import pytest
import requests

from kit.packs.archive import build
from sync.changes_format import BadChange, check_change
from tests.conftest import KitServer
from tests.courses.helpers import course_pack

from .conftest import make_kit
from .test_downstream import assignments, from_afar
from .test_remote_teacher import class_uuid, sign_in


@pytest.fixture
def course_hub(sqlite_hub, tmp_path):
    """A hub whose catalogue has the mini course (pack "mini") and a pack without a course; a kit
    synced with it (so it installed both), with learners Ama and Kofi in its Morning class."""
    hub = sqlite_hub
    course = build(course_pack(tmp_path / "src"), tmp_path / "mini.kitpack") and tmp_path / "mini.kitpack"
    plain = course_pack(tmp_path / "plain-src", course=None, final=None, pack_id="shapes")
    build(plain, tmp_path / "shapes.kitpack")
    hub.kit("pack", "publish", course)
    hub.kit("pack", "publish", tmp_path / "shapes.kitpack")
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(1)
    kit.add_events(1, learner_name="Kofi")
    assert "2 pack(s) installed" in kit("sync", "now").stdout
    return hub, kit


def _send_course(session, url, pack, due=""):
    return session.post(
        url + "/changes",
        data={"csrf_token": session.token, "kind": "assign", "course": "1", "pack": pack, "due": due},
        timeout=30,
    )


def test_a_course_assigned_at_the_hub_arrives_once_with_its_lessons_in_order_and_its_due_date(course_hub):
    hub, kit = course_hub
    admin = sign_in(hub, "admin")
    url = f"{hub.url}/classes/{kit.kit_id}/{class_uuid(kit)}"
    page = admin.get(url, timeout=30).text
    assert "Assign a course" in page and "Certificate in counting and shapes (2 lesson(s))" in page
    assert '<option value="shapes">' not in page.split("Assign a course")[1].split("</form>")[0]
    answer = _send_course(admin, url, "mini", "2026-04-30")
    assert answer.status_code == 200, answer.text

    assert "1 change(s) from the hub applied" in kit("sync", "now").stdout
    assert "change(s) from the hub" not in kit("sync", "now").stdout  # once
    assert from_afar(kit) == ([(1, "assign", "assigned", False)], 1)
    assert assignments(kit) == [("mini", "", "2026-04-30")]
    from kit.courses.views import learner_courses
    from kit.from_afar import FromAfar
    from kit.models import Learner

    with kit.db():
        assert FromAfar.get().course is True
        ama = Learner.get(Learner.display_name == "Ama")
        (course,) = learner_courses(ama.id, ama.classroom_id)
    assert [s["lesson_id"] for s in course["steps"]] == ["01-count", "02-shapes"]
    assert [s["state"] for s in course["steps"]] == ["next", "locked"]
    assert str(course["due_date"]) == "2026-04-30"

    row = re.search(r"<tr><td>1</td>.*?</tr>", admin.get(url, timeout=30).text, re.S).group(0)
    assert "Course: Certificate in counting and shapes — due 2026-04-30" in row and "delivered" in row

    server = KitServer(kit.data_dir, env=kit.env).start()  # what Ama's tablet shows
    try:
        tablet = requests.Session()
        names = tablet.get(f"{server.url}/class/{ama.classroom_id}", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', names).group(1)
        tablet.post(f"{server.url}/signin", data={"learner_id": ama.id, "csrf_token": token}, timeout=10)
        lessons = tablet.get(f"{server.url}/lessons", timeout=10).text
    finally:
        server.stop()
    course_part = lessons.split('<section class="course"')[1].split("</section>")[0]
    assert "Certificate in counting and shapes" in course_part and "for Apr 30, 2026" in course_part
    assert course_part.index("Counting mangoes") < course_part.index("Shapes")


def test_a_course_follows_the_rules_of_a_lesson_when_the_kit_and_the_hub_disagree(course_hub):
    hub, kit = course_hub
    admin = sign_in(hub, "admin")
    url = f"{hub.url}/classes/{kit.kit_id}/{class_uuid(kit)}"
    from kit.assignments import assign, unassign
    from kit.models import Classroom

    with kit.db():
        room = Classroom.get(Classroom.name == "Morning class")
        mine = assign(room.id, "mini", "", "2026-03-01")  # the local teacher assigned it first
    _send_course(admin, url, "mini", "2026-04-30")
    kit("sync", "now")
    assert from_afar(kit)[0] == [(1, "assign", "already assigned on the kit: kept the kit's due date", False)]
    assert assignments(kit) == [("mini", "", "2026-03-01")]
    from kit.from_afar import FromAfar

    with kit.db():
        assert [r.course for r in FromAfar.select()] == [True]  # the local teacher's list says "Course"

    with kit.db():
        unassign(mine.id)  # then removed it; the remote teacher assigns the course again
    _send_course(admin, url, "mini", "2026-05-31")
    kit("sync", "now")
    assert from_afar(kit)[0][1] == (2, "assign", "assigned", False)
    assert assignments(kit) == [("mini", "", "2026-05-31")]
    from kit.from_afar import undo

    with kit.db():
        undo(FromAfar.get(FromAfar.seq == 2).id)  # the local teacher undoes it: it does not come back
    kit("sync", "now")
    assert assignments(kit) == [] and from_afar(kit)[0][1] == (2, "assign", "assigned", True)
    row = re.search(r"<tr><td>2</td>.*?</tr>", admin.get(url, timeout=30).text, re.S).group(0)
    assert "undone on the kit by the local teacher" in row


def test_a_pack_without_a_course_cannot_be_sent_as_one_and_changes_nothing(course_hub):
    hub, kit = course_hub
    admin = sign_in(hub, "admin")
    url = f"{hub.url}/classes/{kit.kit_id}/{class_uuid(kit)}"
    for pack in ("shapes", "nothing-like-it"):
        refused = _send_course(admin, url, pack)
        assert refused.status_code == 400, refused.status_code
        assert "That pack has no course in the hub&#39;s catalogue" in refused.text
    assert hub.query("SELECT COUNT(*) FROM hub_change")[0][0] == 0


def test_a_kit_whose_pack_has_no_course_says_so_in_the_outcome(course_hub):
    from sync.agent.downstream import apply_changes

    hub, kit = course_hub
    with kit.db():
        from kit.models import Classroom

        room = Classroom.get(Classroom.name == "Morning class").uuid
    change = {"seq": 1, "id": "0f8b7c2e-3a41-4d5e-9f60-718293a4b5c6", "kind": "assign", "class": room}
    with kit.db():
        apply_changes([{**change, "pack": "shapes", "course": True}], "usb")
    outcome = "assigned: the pack on this kit has no course, its lessons are assigned"
    assert from_afar(kit) == ([(1, "assign", outcome, False)], 1)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"course": "yes"}, "course must be true or false"),
        ({"course": True, "lesson": "01-count"}, "only an assignment of a whole pack can be a course"),
        (
            {"course": True, "kind": "note", "text": "hi"},
            "only an assignment of a whole pack can be a course",
        ),
    ],
)
def test_a_malformed_course_change_is_refused_the_same_way_on_both_sides(fields, message):
    change = {
        "seq": 3,
        "id": "0f8b7c2e-3a41-4d5e-9f60-718293a4b5c6",
        "kind": "assign",
        "class": "c",
        "pack": "mini",
        **fields,
    }
    with pytest.raises(BadChange, match=f"change 3: {message}"):
        check_change(change)
    assert check_change({**change, "course": False, "kind": "assign", "lesson": ""})["course"] is False
