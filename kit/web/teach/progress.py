"""Live progress: the class grid (page and JSON), a learner's view, most-missed questions, help flags.

Progress tables are derived from the event log by kit.progress; these views only read
them. Dismissing a help flag appends a ``help_dismissed`` event, so the log stays the
source of truth and the flag clears the same way on the hub and after a rebuild.
"""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from peewee import fn

from ... import from_afar, roster
from ...assignments import assigned_lessons, available_lessons, list_assignments
from ...class_sessions import current_session
from ...courses.views import class_summary
from ...errors import KitError
from ...events import record, server_event
from ...live.classes import running
from ...models import Learner, LessonProgress, QuestionProgress
from ...packs.lessons import get_lesson
from ..guards import current_user, teacher_required
from . import bp

STATUSES = ("not_started", "in_progress", "completed", "mastered", "needs_help")
# One symbol per status, beside its colour: the grid must read in black and white and for
# colour-blind eyes. Shapes that differ in outline, not only in fill.
SYMBOLS = {"not_started": "–", "in_progress": "◐", "completed": "✓", "mastered": "★", "needs_help": "!"}


def cell_status(row):
    """Return the grid status of one LessonProgress row (or None: not started)."""
    if row is None:
        return "not_started"
    if row.needs_help:
        return "needs_help"
    return row.status if row.status in STATUSES else "in_progress"


def grid_data(class_id):
    """Return the learners × lessons grid of a class as plain data (used by page and JSON)."""
    lessons = assigned_lessons(class_id)
    learners = roster.list_learners(class_id)
    rows = LessonProgress.select().join(Learner).where((Learner.classroom == class_id) & Learner.active)
    progress = {(r.learner_id, r.pack_id, r.lesson_id): r for r in rows}
    out = []
    for learner in learners:
        cells = [cell_status(progress.get((learner.id, l.pack_id, l.lesson_id))) for l in lessons]
        help_on = [
            l for l in lessons if (p := progress.get((learner.id, l.pack_id, l.lesson_id))) and p.needs_help
        ]
        out.append(
            {
                "id": learner.id,
                "name": learner.display_name,
                "avatar": learner.avatar,
                "colour": learner.colour,
                "cells": cells,
                "help": [[l.pack_id, l.lesson_id, l.title] for l in help_on],
            }
        )
    return {
        "lessons": [{"pack_id": l.pack_id, "lesson_id": l.lesson_id, "title": l.title} for l in lessons],
        "learners": out,
    }


def class_counts():
    """Return {class_id: (active learners, learners asking for help)} for the dashboard."""
    active = Learner.active == True  # noqa: E712
    learners = dict(
        Learner.select(Learner.classroom, fn.COUNT(Learner.id))
        .where(active)
        .group_by(Learner.classroom)
        .tuples()
    )
    helping = dict(
        LessonProgress.select(Learner.classroom, fn.COUNT(fn.DISTINCT(Learner.id)))
        .join(Learner)
        .where(active & (LessonProgress.needs_help == True))  # noqa: E712
        .group_by(Learner.classroom)
        .tuples()
    )
    return {cid: (n, helping.get(cid, 0)) for cid, n in learners.items()}


def status_labels():
    return {
        "not_started": _("Not started"),
        "in_progress": _("In progress"),
        "completed": _("Finished, not mastered"),
        "mastered": _("Mastered"),
        "needs_help": _("Needs help"),
    }


@bp.get("/classes/<int:class_id>")
@teacher_required
def class_page(class_id):
    """The class's home: session controls, the live grid and the help list."""
    room = roster.get_class(class_id)
    grid = grid_data(class_id)
    # The same key grid.js computes from grid.json: it redraws the help list when they differ.
    help_key = ",".join(
        url_for("teach.dismiss_help", learner_id=row["id"]) + "|" + lesson_id
        for row in grid["learners"]
        for _pack, lesson_id, _title in row["help"]
    )
    return render_template(
        "teach/class.html",
        room=room,
        grid=grid,
        help_key=help_key,
        labels=status_labels(),
        symbols=SYMBOLS,
        assignments=list_assignments(class_id),
        session_open=current_session(class_id),
        courses=class_summary(class_id),
        flags=from_afar.flags_for(class_id),
        live=running(class_id),
        live_lessons=(grid["lessons"], available_lessons()),
    )


@bp.get("/classes/<int:class_id>/grid.json")
@teacher_required
def grid_json(class_id):
    """The grid as JSON, fetched every few seconds by static/teach/grid.js."""
    roster.get_class(class_id)
    data = grid_data(class_id)
    data["labels"] = status_labels()
    data["symbols"] = SYMBOLS
    data["help"] = [
        {
            "text": _("%(name)s in %(lesson)s", name=row["name"], lesson=title),
            "url": url_for("teach.dismiss_help", learner_id=row["id"]),
            "pack_id": pack_id,
            "lesson_id": lesson_id,
        }
        for row in data["learners"]
        for pack_id, lesson_id, title in row["help"]
    ]
    return jsonify(data)


@bp.get("/learners/<int:learner_id>")
@teacher_required
def learner_page(learner_id):
    """One learner: per assigned lesson, time spent, attempts, scores and when last seen."""
    learner = roster.get_learner(learner_id)
    rows = {
        (r.pack_id, r.lesson_id): r for r in LessonProgress.select().where(LessonProgress.learner == learner)
    }
    lessons = [(l, rows.get((l.pack_id, l.lesson_id))) for l in assigned_lessons(learner.classroom_id)]
    seen = [r.last_seen for r in rows.values() if r.last_seen]
    return render_template(
        "teach/learner.html",
        learner=learner,
        lessons=lessons,
        labels=status_labels(),
        symbols=SYMBOLS,
        cell_status=cell_status,
        last_seen=max(seen) if seen else None,
    )


def missed_questions(class_id, limit=20):
    """Return the class's questions ordered by wrong answers, most missed first."""
    wrong = fn.SUM(QuestionProgress.wrong)
    query = (
        QuestionProgress.select(
            QuestionProgress.pack_id,
            QuestionProgress.lesson_id,
            QuestionProgress.question_id,
            wrong.alias("wrong"),
            fn.COUNT(QuestionProgress.id).alias("learners"),
            fn.SUM(QuestionProgress.correct == False).alias("stuck"),  # noqa: E712 (SQL, not Python)
        )
        .join(Learner)
        .where(Learner.classroom == class_id)
        .group_by(QuestionProgress.pack_id, QuestionProgress.lesson_id, QuestionProgress.question_id)
        .having(wrong > 0)
        .order_by(wrong.desc(), QuestionProgress.question_id)
        .limit(limit)
        .dicts()
    )
    result = []
    for row in query:
        row["prompt"], row["lesson"] = _prompt(row["pack_id"], row["lesson_id"], row["question_id"])
        result.append(row)
    return result


def _prompt(pack_id, lesson_id, question_id):
    """Return (prompt, lesson title) from the pack, or the ids if the pack is gone."""
    try:
        lesson = get_lesson(pack_id, lesson_id)
    except (ImportError, KitError):
        return question_id, lesson_id
    for question in lesson.questions:
        if question["id"] == question_id:
            return question["prompt"], lesson.title
    return question_id, lesson.title


@bp.get("/classes/<int:class_id>/questions")
@teacher_required
def questions_page(class_id):
    room = roster.get_class(class_id)
    return render_template("teach/questions.html", room=room, rows=missed_questions(class_id))


@bp.post("/learners/<int:learner_id>/dismiss-help")
@teacher_required
def dismiss_help(learner_id):
    """Clear a learner's help flag on one lesson by appending a help_dismissed event."""
    learner = roster.get_learner(learner_id)
    pack_id, lesson_id = request.form.get("pack_id", ""), request.form.get("lesson_id", "")
    try:
        record(
            [server_event("help_dismissed", pack_id, lesson_id, {"by": current_user().username})], learner.id
        )
    except KitError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Help flag dismissed for %(name)s.", name=learner.display_name), "info")
    if request.form.get("back") == "learner":
        return redirect(url_for("teach.learner_page", learner_id=learner.id))
    return redirect(url_for("teach.class_page", class_id=learner.classroom_id))
