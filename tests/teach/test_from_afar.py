"""What a remote teacher sent, on the kit: the conflict rule, the learner's note, the local teacher's list and undo.

Changes are applied with kit.from_afar.apply inside a write transaction, as the sync
agent does (tests/sync/test_downstream.py drives the agent and the hub for real).
"""

import re
import uuid

from kit import from_afar
from kit.db import write
from kit.models import Assignment, Classroom, Event, Learner

from .helpers import csrf_token


def change(seq, kind, **fields):
    return {
        "seq": seq,
        "id": str(uuid.uuid4()),
        "kind": kind,
        "class": "",
        "learner": "",
        "author": "juma",
        "made_at": "2026-03-01T10:00:00Z",
        "text": "",
        "pack": "",
        "lesson": "",
        "due": "",
        **fields,
    }


def apply(*changes):
    with write():
        return [from_afar.apply(c, "online") for c in changes]


def test_an_assignment_the_local_teacher_removed_comes_back_marked_and_can_be_undone(teacher, ids):
    room = Classroom.get_by_id(ids["class"])
    Assignment.delete().where(Assignment.classroom == room).execute()  # the local teacher unassigned it
    made = change(
        1, "assign", **{"class": room.uuid, "pack": "mini", "lesson": "01-count", "due": "2026-04-01"}
    )
    assert apply(made) == ["assigned"]
    assert [(a.pack_id, a.lesson_id, str(a.due_date)) for a in Assignment.select()] == [
        ("mini", "01-count", "2026-04-01")
    ]
    page = teacher.get(f"/teach/classes/{ids['class']}/from-afar").get_data(as_text=True)
    assert "from afar" in page and "mini / 01-count" in page and "juma" in page
    item = from_afar.FromAfar.get(from_afar.FromAfar.change_id == made["id"])
    token = csrf_token(teacher, f"/teach/classes/{ids['class']}/from-afar")
    assert teacher.post(f"/teach/from-afar/{item.id}/undo", data={"csrf_token": token}).status_code == 302
    assert Assignment.select().count() == 0
    assert "undone" in teacher.get(f"/teach/classes/{ids['class']}/from-afar").get_data(as_text=True)
    assert from_afar.is_applied(made["id"])  # so the same change, arriving again, never re-assigns it
    undone = Event.select().where(Event.kind == "remote_change_undone").get()
    assert undone.payload == {"change": made["id"], "seq": 1}
    again = teacher.post(f"/teach/from-afar/{item.id}/undo", data={"csrf_token": token})
    assert again.status_code == 404


def test_an_assignment_already_on_the_kit_keeps_the_local_due_date_and_undo_leaves_it(teacher, ids):
    room = Classroom.get_by_id(ids["class"])
    Assignment.update(due_date="2026-05-05").execute()
    made = change(
        1, "assign", **{"class": room.uuid, "pack": "mini", "lesson": "01-count", "due": "2026-04-01"}
    )
    assert apply(made) == ["already assigned on the kit: kept the kit's due date"]
    from_afar.undo(from_afar.FromAfar.get().id)
    assert [str(a.due_date) for a in Assignment.select()] == ["2026-05-05"]


def test_notes_for_a_learner_gone_from_the_kit_are_kept_for_the_teacher_not_shown_to_the_class(teacher, ids):
    room = Classroom.get_by_id(ids["class"])
    ben = Learner.get_by_id(ids["ben"])
    ben.active = False
    ben.save()
    outcomes = apply(
        change(1, "note", **{"class": room.uuid, "learner": str(uuid.uuid4()), "text": "For someone gone"}),
        change(2, "note", **{"class": room.uuid, "learner": ben.uuid, "text": "For Ben"}),
        change(3, "note", **{"class": str(uuid.uuid4()), "text": "For a class not here"}),
    )
    assert outcomes == [
        "kept for the local teacher: the learner is not on this kit",
        "kept for the local teacher: the learner is no longer active",
        "skipped: the class is not on this kit",
    ]
    assert from_afar.notes_for(Learner.get_by_id(ids["ada"])) == []
    applied = [e.payload["outcome"] for e in Event.select().where(Event.kind == "remote_change_applied")]
    assert applied == outcomes
    french = teacher.get(f"/teach/classes/{ids['class']}/from-afar", headers={"Accept-Language": "fr"})
    text = french.get_data(as_text=True)
    assert "gardé pour vous : l’apprenant n’est pas sur ce kit" in text
    assert "Note" in text and "à distance" in text


def _learner_signs_in(client, learner_id, class_id):
    page = client.get(f"/class/{class_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/signin", data={"learner_id": learner_id, "csrf_token": token}).status_code == 302


def test_the_learner_sees_notes_from_their_teacher_and_the_teacher_sees_the_flag(
    teacher, client, teach_app, ids
):
    room = Classroom.get_by_id(ids["class"])
    ada = Learner.get_by_id(ids["ada"])
    apply(
        change(
            1,
            "note",
            **{"class": room.uuid, "learner": ada.uuid, "text": "Well done on fractions — try lesson 4 next"},
        ),
        change(2, "note", **{"class": room.uuid, "text": "Everyone: read page 3 tonight"}),
        change(
            3,
            "flag",
            **{"class": room.uuid, "learner": ada.uuid, "text": "Ada seems stuck on reading: sit with her"},
        ),
    )
    grid = teacher.get(f"/teach/classes/{ids['class']}").get_data(as_text=True)
    assert "flagged from afar" in grid and "Ada seems stuck on reading: sit with her" in grid
    tablet = teach_app.test_client()
    _learner_signs_in(tablet, ids["ada"], ids["class"])
    for _ in range(2):
        page = tablet.get("/lessons").get_data(as_text=True)
        assert "From your teacher" in page
        assert (
            "Well done on fractions — try lesson 4 next" in page and "Everyone: read page 3 tonight" in page
        )
        assert "sit with her" not in page  # a flag is for the local teacher only
    seen = [
        (e.payload["seq"], e.payload.get("learner"))
        for e in Event.select().where(Event.kind == "remote_note_seen").order_by(Event.seq)
    ]
    # Once each, however often she looks: her own note, and the class's note naming her
    # (the hub counts those per learner: "seen by N of M").
    assert seen == [(1, None), (2, ada.uuid)]
    ben = teach_app.test_client()
    _learner_signs_in(ben, ids["ben"], ids["class"])
    page = ben.get("/lessons").get_data(as_text=True)
    assert "Everyone: read page 3 tonight" in page and "fractions" not in page


def test_events_about_changes_leave_progress_as_a_rebuild_makes_it(client, ids):
    from kit import progress

    room = Classroom.get_by_id(ids["class"])
    ada = Learner.get_by_id(ids["ada"])
    apply(change(1, "note", **{"class": room.uuid, "learner": ada.uuid, "text": "Hello"}))
    from_afar.mark_seen(ada, from_afar.notes_for(ada))
    before = progress.snapshot()
    progress.rebuild()
    assert progress.snapshot() == before
