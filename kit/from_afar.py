"""What a remote teacher did at the hub, applied on this kit: assignments, notes, flags, pack requests.

The sync agent hands each downstream change to :func:`apply` inside its own write
transaction (with its cursor), so a change applies once. The rule when the kit and the
hub disagree (docs/teachers-guide.md, "Working with a remote teacher"): a change from
afar acts as if the remote teacher had done it on the kit when it arrived, never
overwrites what the local teacher made (an assignment already there keeps its due date),
and the local teacher can undo it here; an undone change never comes back, because its
id is already applied. Every outcome is an event, so the hub learns what happened.
"""

import datetime as dt
import uuid as uuidlib

from peewee import BooleanField, CharField, DateField, DateTimeField, ForeignKeyField, IntegerField, TextField

from .db import write
from .errors import NotFound
from .events import server_event
from .models import Assignment, BaseModel, Classroom, Event, Learner, utcnow
from .packs.lessons import course_of


class FromAfar(BaseModel):
    """One downstream change as applied here (kit/migrations/0007_from_afar.sql)."""

    change_id = CharField(unique=True)
    seq = IntegerField()
    kind = CharField()  # assign, note, flag, install_pack (sync/changes_format.py)
    classroom = ForeignKeyField(Classroom, null=True, on_delete="SET NULL")
    learner = ForeignKeyField(Learner, null=True, on_delete="SET NULL")
    pack_id = CharField(default="")
    lesson_id = CharField(default="")
    course = BooleanField(default=False)  # the whole pack, as its course (0019_from_afar_course.sql)
    due_date = DateField(null=True)
    text = TextField(default="")
    author = CharField(default="")
    made_at = CharField(default="")
    applied_at = DateTimeField(default=utcnow)
    outcome = TextField(default="")
    assignment_id = IntegerField(null=True)
    seen_at = DateTimeField(null=True)
    undone_at = DateTimeField(null=True)

    class Meta:
        table_name = "from_afar"


def is_applied(change_id):
    return FromAfar.select().where(FromAfar.change_id == change_id).exists()


# One learner seeing one class-wide note is one event, named from the two: the unique event
# uuid makes it once, on any tablet and after any number of page loads, with no table more.
SEEN_NAMESPACE = uuidlib.UUID("4f1c8a52-7d0e-4f39-9a55-2b6c0d7e3a91")


def _event(kind, payload, uuid=None):
    """Append an event made by the kit itself, in the caller's transaction.

    It names no learner in its learner column: kit.progress folds every learner's event
    into lesson progress when rebuilding, and these are about the change, not a lesson.
    """
    event = server_event(kind, "", "", payload)
    Event.create(
        uuid=uuid or event["uuid"],
        kind=kind,
        payload=event["payload"],
        device_time=utcnow(),
        boot_id=event["boot_id"],
        mono_ms=event["mono_ms"],
    )


def _assign(row, room):
    """Assign as the remote teacher asked, unless the class already has it (the kit's stays)."""
    if room is None:
        return "skipped: the class is not on this kit"
    existing = Assignment.get_or_none(
        (Assignment.classroom == room)
        & (Assignment.pack_id == row.pack_id)
        & (Assignment.lesson_id == row.lesson_id)
    )
    if existing is not None:
        return "already assigned on the kit: kept the kit's due date"
    # No check that the pack is installed: the lesson shows once it is (kit.assignments).
    made = Assignment.create(
        classroom=room, pack_id=row.pack_id, lesson_id=row.lesson_id, due_date=row.due_date
    )
    row.assignment_id = made.id
    return "assigned"


def _assign_course(row, room):
    """Assign a course as the local teacher does: its whole pack, which shows as the course's path.

    The same rule as a lesson's: a class that has the pack already keeps its due date.
    """
    outcome = _assign(row, room)
    if outcome != "assigned":
        return outcome
    try:
        has_course = course_of(row.pack_id) is not None
    except NotFound:
        return outcome  # not installed yet: the course shows once the pack is (a pack request brings it)
    return outcome if has_course else "assigned: the pack on this kit has no course, its lessons are assigned"


def apply(change, via):
    """Apply one checked change (sync.changes_format) here; return its outcome. Call inside write()."""
    room = Classroom.get_or_none(Classroom.uuid == change["class"]) if change["class"] else None
    learner = Learner.get_or_none(Learner.uuid == change["learner"]) if change["learner"] else None
    if learner is not None and room is None:
        room = learner.classroom
    row = FromAfar(
        change_id=change["id"],
        seq=change["seq"],
        kind=change["kind"],
        classroom=room,
        learner=learner,
        pack_id=change["pack"],
        lesson_id=change["lesson"],
        course=change.get("course", False),
        due_date=dt.date.fromisoformat(change["due"]) if change["due"] else None,
        text=change["text"],
        author=change["author"],
        made_at=change["made_at"],
    )
    if change["kind"] == "assign":
        row.outcome = _assign_course(row, room) if row.course else _assign(row, room)
    elif change["kind"] == "install_pack":
        row.outcome = "requested"
    elif change["learner"] and learner is None:
        row.outcome = "kept for the local teacher: the learner is not on this kit"
    elif learner is not None and not learner.active:
        row.outcome = "kept for the local teacher: the learner is no longer active"
    elif change["class"] and room is None:
        row.outcome = "skipped: the class is not on this kit"
    else:
        row.outcome = "delivered"
    row.save(force_insert=True)
    _event(
        "remote_change_applied",
        {"change": row.change_id, "seq": row.seq, "outcome": row.outcome, "via": via},
    )
    return row.outcome


def undo(item_id):
    """Undo a change from afar on this kit: remove the assignment it made, hide its note or flag.

    Return the row as it was, so the caller can drop what the kit made for it (a note's
    clips, kit.notes_aloud.forget).
    """
    with write():
        row = FromAfar.get_or_none(FromAfar.id == item_id)
        if row is None or row.undone_at is not None:
            raise NotFound("no such change from afar (or it was already undone)")
        if row.assignment_id:
            Assignment.delete().where(Assignment.id == row.assignment_id).execute()
        FromAfar.update(undone_at=utcnow()).where(FromAfar.id == row.id).execute()
        _event("remote_change_undone", {"change": row.change_id, "seq": row.seq})
    return row


def _live():
    return FromAfar.undone_at.is_null()


def _class_note():
    # A class's note has no learner; a note kept for a learner the kit lacks is not the class's.
    return FromAfar.learner.is_null() & (FromAfar.outcome == "delivered")


def _to(learner):
    """Notes sent to this learner or to their whole class, live or undone."""
    mine = (FromAfar.learner == learner.id) | (_class_note() & (FromAfar.classroom == learner.classroom_id))
    return (FromAfar.kind == "note") & mine


def notes_for(learner):
    """Notes the learner should see: to them, or to their whole class; newest first."""
    return list(FromAfar.select().where(_to(learner) & _live()).order_by(FromAfar.seq.desc()).limit(20))


def note_to(learner, item_id):
    """The note with this id if it was sent to the learner or their class (undone or not), else None."""
    return FromAfar.get_or_none((FromAfar.id == item_id) & _to(learner))


def _seen_uuid(note, learner):
    return str(uuidlib.uuid5(SEEN_NAMESPACE, f"{note.change_id}/{learner.uuid}"))


def mark_seen(learner, notes):
    """Record once that the learner saw each note: theirs, or their class's (events the hub reads).

    A note to one learner keeps its time here (the local teacher's list shows it); a note
    to the whole class gets one ``remote_note_seen`` event per learner, naming them in its
    payload, so the hub can say how many of the class have seen it.
    """
    fresh = [n for n in notes if n.learner_id == learner.id and n.seen_at is None]
    shared = {_seen_uuid(n, learner): n for n in notes if n.learner_id is None}
    if shared:  # one indexed read per page load; a write only the first time
        known = {u for (u,) in Event.select(Event.uuid).where(Event.uuid.in_(list(shared))).tuples()}
        shared = {u: n for u, n in shared.items() if u not in known}
    if not fresh and not shared:
        return 0
    with write():
        for note in fresh:
            updated = (
                FromAfar.update(seen_at=utcnow())
                .where((FromAfar.id == note.id) & FromAfar.seen_at.is_null())
                .execute()
            )
            if updated:
                _event("remote_note_seen", {"change": note.change_id, "seq": note.seq})
        for uuid, note in shared.items():
            if not Event.select().where(Event.uuid == uuid).exists():  # another tablet, a moment ago
                payload = {"change": note.change_id, "seq": note.seq, "learner": learner.uuid}
                _event("remote_note_seen", payload, uuid=uuid)
    return len(fresh) + len(shared)


def class_seen(rows, class_id):
    """{row id: (seen, of)} for each note to the whole class among `rows`: how many of its
    active learners have seen it, as the hub counts them ("seen by N of M").

    Counted from this kit's own ``remote_note_seen`` events, found by their uuid (one per
    note and learner, see mark_seen): indexed look-ups, no payload read.
    """
    notes = [r for r in rows if r.kind == "note" and r.learner_id is None and r.outcome == "delivered"]
    if not notes:
        return {}
    learners = list(Learner.select(Learner.uuid).where((Learner.classroom == class_id) & Learner.active))
    wanted = {_seen_uuid(note, learner): note.id for note in notes for learner in learners}
    uuids = list(wanted)
    seen = dict.fromkeys((note.id for note in notes), 0)
    for start in range(0, len(uuids), 500):  # within SQLite's limit on a statement's variables
        chunk = uuids[start : start + 500]
        for (uuid,) in Event.select(Event.uuid).where(Event.uuid.in_(chunk)).tuples():
            seen[wanted[uuid]] += 1
    return {note_id: (count, len(learners)) for note_id, count in seen.items()}


def flags_for(class_id):
    """Return {learner_id: [flag text, …]} for a class's grid."""
    flags = {}
    query = FromAfar.select().where((FromAfar.kind == "flag") & _live() & (FromAfar.classroom == class_id))
    for row in query.order_by(FromAfar.seq):
        flags.setdefault(row.learner_id, []).append(row.text)
    return flags


def listing(class_id, limit=200):
    """Everything that came from afar for a class, newest first, for the local teacher's list."""
    query = FromAfar.select().where(FromAfar.classroom == class_id)
    return list(query.order_by(FromAfar.seq.desc()).limit(limit))
