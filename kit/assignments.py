"""What a class is asked to learn: whole packs or single lessons, each with an optional due date.

An assignment names a pack (``lesson_id`` empty: every lesson of the pack, in the pack's
order) or one lesson. Learners' home pages and the teacher's grid both list
:func:`assigned_lessons`, so they always agree.
"""

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _

from .db import database, write
from .errors import Conflict, KitError, NotFound
from .models import Assignment, Lesson, Pack
from .roster import get_class


@dataclass(frozen=True)
class AssignedLesson:
    pack_id: str
    lesson_id: str
    title: str
    pack_title: str
    position: int
    minutes: int
    due_date: object  # datetime.date or None
    assignment_id: int


def parse_due_date(text):
    """Return a date from "YYYY-MM-DD", None for empty; KitError for anything else."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise KitError(_("the due date '%(text)s' is not a date like 2026-03-31", text=text)) from None


def assign(class_id, pack_id, lesson_id="", due_date=None):
    """Assign a pack (or one of its lessons) to a class; refuse unknown or repeated ones."""
    due = due_date if isinstance(due_date, (dt.date, type(None))) else parse_due_date(due_date)
    with write():
        room = get_class(class_id)
        pack = Pack.get_or_none(Pack.pack_id == pack_id)
        if pack is None:
            raise NotFound(_("no pack '%(id)s' is installed", id=pack_id))
        if (
            lesson_id
            and not Lesson.select().where((Lesson.pack == pack) & (Lesson.lesson_id == lesson_id)).exists()
        ):
            raise NotFound(_("the pack '%(id)s' has no lesson '%(lesson)s'", id=pack_id, lesson=lesson_id))
        exists = (
            Assignment.select()
            .where(
                (Assignment.classroom == room)
                & (Assignment.pack_id == pack_id)
                & (Assignment.lesson_id == (lesson_id or ""))
            )
            .exists()
        )
        if exists:
            raise Conflict(_("this is already assigned to the class"))
        return Assignment.create(classroom=room, pack_id=pack_id, lesson_id=lesson_id or "", due_date=due)


def unassign(assignment_id):
    """Remove an assignment (learners keep their progress; it is in the event log)."""
    with write():
        deleted = Assignment.delete().where(Assignment.id == assignment_id).execute()
    if not deleted:
        raise NotFound(_("no such assignment"))


def list_assignments(class_id):
    """Return a class's assignments with their pack (or None if the pack was removed)."""
    rows = list(
        Assignment.select()
        .where(Assignment.classroom == class_id)
        .order_by(Assignment.created_at, Assignment.id)
    )
    packs = {p.pack_id: p for p in Pack.select().where(Pack.pack_id << [r.pack_id for r in rows])}
    lessons = {
        (l.pack.pack_id, l.lesson_id): l
        for l in Lesson.select(Lesson, Pack).join(Pack).where(Pack.pack_id << list(packs))
    }
    result = []
    for row in rows:
        pack = packs.get(row.pack_id)
        lesson = lessons.get((row.pack_id, row.lesson_id)) if row.lesson_id else None
        result.append(
            {
                "id": row.id,
                "pack_id": row.pack_id,
                "lesson_id": row.lesson_id,
                "pack_title": pack.title if pack else row.pack_id,
                "lesson_title": lesson.title if lesson else "",
                "due_date": row.due_date,
                "missing": pack is None,
            }
        )
    return result


def assigned_lessons(class_id):
    """Return the class's lessons in assignment order, each once, skipping removed packs.

    One query (this runs on every learner page): assignments joined to their packs'
    lessons, a whole-pack assignment matching every lesson of the pack.
    """
    cursor = database.execute_sql(
        "SELECT a.id, a.pack_id, a.due_date, l.lesson_id, l.title, l.position, l.minutes,"
        " p.title FROM assignment a JOIN pack p ON p.pack_id = a.pack_id"
        " JOIN lesson l ON l.pack_id = p.id AND (a.lesson_id = '' OR l.lesson_id = a.lesson_id)"
        " WHERE a.classroom_id = ? ORDER BY a.created_at, a.id, l.position",
        (class_id,),
    )
    seen, result = set(), []
    for assignment_id, pack_id, due, lesson_id, title, position, minutes, pack_title in cursor:
        if (pack_id, lesson_id) in seen:
            continue
        seen.add((pack_id, lesson_id))
        result.append(
            AssignedLesson(
                pack_id=pack_id,
                lesson_id=lesson_id,
                title=title,
                pack_title=pack_title,
                position=position,
                minutes=minutes,
                due_date=_as_date(due),
                assignment_id=assignment_id,
            )
        )
    return result


def _as_date(value):
    """Read a DateField column the way peewee does (ISO text, or None)."""
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) and value else value


def available_lessons():
    """Return every installed pack with its lessons, for the assign form."""
    packs = list(Pack.select().order_by(Pack.title))
    lessons = {}
    for lesson in Lesson.select().order_by(Lesson.position):
        lessons.setdefault(lesson.pack_id, []).append(lesson)
    return [(pack, lessons.get(pack.id, [])) for pack in packs]
