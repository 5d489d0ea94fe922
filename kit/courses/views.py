"""What the pages show of courses: a learner's path, a class's completion, certificates to print.

Read-only: everything here comes from the progress tables, the event log and the
certificate table, which the event writer keeps.
"""

import datetime as dt
import json

from ..db import database
from ..packs.course import path
from ..packs.lessons import course_of
from .certificates import final_scores


def _assigned_courses(class_id):
    """[(pack_id, pack title, course)] for the class's assigned packs that define a course."""
    rows = database.execute_sql(
        "SELECT p.pack_id, p.title FROM assignment a JOIN pack p ON p.pack_id = a.pack_id"
        " WHERE a.classroom_id = ? ORDER BY a.created_at, a.id",
        (class_id,),
    )
    seen, out = set(), []
    for pack_id, title in rows:
        if pack_id not in seen:
            seen.add(pack_id)
            course = course_of(pack_id)
            if course:
                out.append((pack_id, title, course))
    return out


def lesson_locked(learner_id, pack_id, lesson_id):
    """Whether an ordered course keeps this lesson locked for this learner (before the
    lessons ahead of it are done). False for every lesson of a pack without an ordered course."""
    course = course_of(pack_id)
    if not course or not course["ordered"] or lesson_id not in course["lessons"]:
        return False
    steps = dict(
        path(course, _statuses(learner_id, pack_id), final_scores(learner_id, pack_id, course["final"]))
    )
    return steps.get(lesson_id) == "locked"


def _titles(pack_id):
    return dict(
        database.execute_sql(
            "SELECT l.lesson_id, l.title FROM lesson l JOIN pack p ON p.id = l.pack_id WHERE p.pack_id = ?",
            (pack_id,),
        )
    )


def _statuses(learner_id, pack_id):
    return dict(
        database.execute_sql(
            "SELECT lesson_id, status FROM lesson_progress WHERE learner_id = ? AND pack_id = ?",
            (learner_id, pack_id),
        )
    )


def certificate_row(learner_id, pack_id):
    row = database.execute_sql(
        "SELECT code, document FROM certificate WHERE learner_id = ? AND pack_id = ?", (learner_id, pack_id)
    ).fetchone()
    return {"code": row[0], **json.loads(row[1])} if row else None


def learner_courses(learner_id, class_id):
    """The courses assigned to a learner's class: each lesson's state, and any certificate."""
    out = []
    for pack_id, title, course in _assigned_courses(class_id):
        titles = _titles(pack_id)
        steps = path(
            course, _statuses(learner_id, pack_id), final_scores(learner_id, pack_id, course["final"])
        )
        out.append(
            {
                "pack_id": pack_id,
                "title": title,
                "course": course,
                "steps": [
                    {"lesson_id": lesson_id, "title": titles.get(lesson_id, lesson_id), "state": state}
                    for lesson_id, state in steps
                ],
                "certificate": certificate_row(learner_id, pack_id),
                "due_date": _due_date(class_id, pack_id),
            }
        )
    return out


def _due_date(class_id, pack_id):
    """The earliest due date the class was given for the pack's lessons (a course assigned with one)."""
    (due,) = database.execute_sql(
        "SELECT MIN(due_date) FROM assignment WHERE classroom_id = ? AND pack_id = ?", (class_id, pack_id)
    ).fetchone()
    return dt.date.fromisoformat(due[:10]) if due else None


def class_summary(class_id):
    """Per assigned course: {pack_id, title, certificate_title, learners: [{id, name, done,
    total, code}], passed} for the class's active learners."""
    learners = database.execute_sql(
        "SELECT id, display_name FROM learner WHERE classroom_id = ? AND active ORDER BY display_name",
        (class_id,),
    ).fetchall()
    out = []
    for pack_id, title, course in _assigned_courses(class_id):
        rows = []
        for learner_id, name in learners:
            steps = path(
                course, _statuses(learner_id, pack_id), final_scores(learner_id, pack_id, course["final"])
            )
            cert = certificate_row(learner_id, pack_id)
            rows.append(
                {
                    "id": learner_id,
                    "name": name,
                    "done": sum(1 for _lesson, state in steps if state == "done"),
                    "total": len(steps),
                    "code": cert["code"] if cert else None,
                }
            )
        out.append(
            {
                "pack_id": pack_id,
                "title": title,
                "certificate_title": course["certificate_title"],
                "learners": rows,
                "passed": sum(1 for r in rows if r["code"]),
            }
        )
    return out


def printable(codes_or_none=None, class_id=None, pack_id=None):
    """Certificates as the PDF prints them, by code or for a class (optionally one course)."""
    sql = (
        "SELECT c.code, c.document, c.holder_name, p.language FROM certificate c"
        " JOIN learner l ON l.id = c.learner_id LEFT JOIN pack p ON p.pack_id = c.pack_id"
    )
    if codes_or_none is not None:
        marks = ",".join("?" * len(codes_or_none))
        rows = database.execute_sql(f"{sql} WHERE c.code IN ({marks}) ORDER BY c.code", list(codes_or_none))
    else:
        rows = database.execute_sql(
            f"{sql} WHERE l.classroom_id = ? AND (? IS NULL OR c.pack_id = ?) ORDER BY l.display_name, c.pack_id",
            (class_id, pack_id, pack_id),
        )
    out = []
    for code, document, name, language in rows:
        doc = json.loads(document)
        out.append(
            {
                "code": code,
                "holder_name": name,
                "title": doc["title"],
                "site": doc["site"],
                "date": doc["issued_at"][:10],
                "score_pct": doc["score_pct"],
                "credit_hours": doc["credit_hours"],
                "language": language or "en",
            }
        )
    return out
