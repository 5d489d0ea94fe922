"""A learner's lessons and the lesson player: pages, then the quiz, then the result.

The player's steps are numbered: the lesson's pages first, then one step per quiz
question, then the result. ``?step=N`` shows step N (links work without JavaScript);
without it the learner resumes at LessonProgress.page, wherever they stopped.
"""

from collections import namedtuple
from functools import wraps

from flask import abort, current_app, g, redirect, render_template, request, send_file, url_for
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _

from ... import from_afar, notes_aloud
from ...answer_checks import check_and_record
from ...assignments import assigned_lessons
from ...courses.views import learner_courses, lesson_locked
from ...db import database
from ...errors import KitError, NotFound
from ...events import record, server_event
from ...models import LessonProgress
from ...packs.lessons import get_lesson
from . import bp
from .auth import current_learner, make_token
from .player_page import player_page


class NoteTakenBack(NotFound):
    """A note the local teacher undid: its learner hears why there is nothing to play."""

    for_learners = True


def learner_required(view):
    """Send anyone who is not a signed-in learner to the class list."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        g.learner = current_learner()
        if g.learner is None:
            return redirect(url_for("learn.index"))
        return view(*args, **kwargs)

    return wrapper


def status_labels():
    """Return the words shown for each lesson status (never colour alone)."""
    # A context of our own: the teacher catalogue has these words for other things.
    return {
        "not_started": pgettext("lesson status", "Not started"),
        "in_progress": pgettext("lesson status", "Started"),
        "completed": pgettext("lesson status", "Finished"),
        "mastered": pgettext("lesson status", "Mastered"),
    }


def status_label(status):
    """Return the words shown for a lesson's status."""
    return status_labels().get(status, status)


def _label_lookup():
    """Return status_label for a page listing many lessons: the words translated once."""
    labels = status_labels()
    return lambda status: labels.get(status, status)


def _progress(learner):
    rows = LessonProgress.raw("SELECT * FROM lesson_progress WHERE learner_id = ?", learner.id)
    return {(row.pack_id, row.lesson_id): row for row in rows}


LessonRow = namedtuple("LessonRow", "page attempts score status")


def _lesson_row(learner_id, pack_id, lesson_id):
    """Return what the player needs of the learner's LessonProgress for a lesson, or None."""
    found = database.execute_sql(
        "SELECT page, attempts, score, status FROM lesson_progress"
        " WHERE learner_id = ? AND pack_id = ? AND lesson_id = ?",
        (learner_id, pack_id, lesson_id),
    ).fetchone()
    return LessonRow(*found) if found else None


@bp.get("/lessons")
@learner_required
def lessons():
    """Home: the class's assigned lessons, each with this learner's progress."""
    rows = _progress(g.learner)
    items = [
        (item, rows.get((item.pack_id, item.lesson_id))) for item in assigned_lessons(g.learner.classroom_id)
    ]
    notes = from_afar.notes_for(g.learner)
    from_afar.mark_seen(g.learner, notes)  # once per note: the remote teacher sees "seen"
    return render_template(
        "learn/lessons.html",
        learner=g.learner,
        items=items,
        courses=learner_courses(g.learner.id, g.learner.classroom_id),
        notes=notes,
        notes_aloud=notes_aloud.voice_for(get_locale()) is not None,
        status_label=_label_lookup(),
        token=make_token(g.learner),
    )


@bp.get("/notes/<int:item_id>/aloud.wav")
@learner_required
def note_aloud(item_id):
    """A note to this learner, or to their class, read aloud in the page's language (kit.notes_aloud)."""
    note = from_afar.note_to(g.learner, item_id)
    if note is None:
        abort(404)
    data = current_app.config["KIT"]["data"]
    if note.undone_at is not None:
        notes_aloud.forget(data, note.change_id)  # a clip made while the teacher was undoing it
        raise NoteTakenBack(_("Your teacher took this note back: there is nothing to hear."))
    path = notes_aloud.clip(data, note.change_id, note.text, get_locale())
    response = send_file(path, mimetype="audio/wav", conditional=True, max_age=86400)
    response.cache_control.private = True  # one learner's note, on a shared tablet's cache only
    return response


def _assigned_lesson(pack_id, lesson_id):
    """Return the LessonView of a lesson assigned to the learner's class, else 404, and the
    next lesson of its pack if that is assigned too (else None)."""
    # The class's assignments in this pack: '' stands for the whole pack.
    assigned = {
        r[0]
        for r in database.execute_sql(
            "SELECT lesson_id FROM assignment WHERE classroom_id = ? AND pack_id = ?",
            (g.learner.classroom_id, pack_id),
        )
    }
    if not assigned & {"", lesson_id}:
        abort(404)
    view = get_lesson(pack_id, lesson_id)
    view_next = view.next_lesson_id if assigned & {"", view.next_lesson_id} else None
    return view, view_next


def _render_player(pack_id, lesson_id, step=None, feedback=None):
    view, next_lesson = _assigned_lesson(pack_id, lesson_id)
    if lesson_locked(g.learner.id, pack_id, lesson_id):
        return redirect(url_for("learn.lessons"))  # the path there says what opens it
    row = _lesson_row(g.learner.id, pack_id, lesson_id)
    last = len(view.pages) + len(view.questions)
    if step is None:
        step = request.args.get("step", type=int)
    if step is None:
        step = row.page if row else 0
    step = min(max(step, 0), last)
    attempt = (row.attempts if row else 0) + 1
    return player_page(view, g.learner, step, last, attempt, row, next_lesson, feedback)


@bp.get("/lesson/<pack_id>/<lesson_id>")
@learner_required
def player(pack_id, lesson_id):
    return _render_player(pack_id, lesson_id)


@bp.post("/lesson/<pack_id>/<lesson_id>/help")
@learner_required
def ask_help(pack_id, lesson_id):
    """ "I need help" without JavaScript: record the flag here (learn.js queues it instead)."""
    _assigned_lesson(pack_id, lesson_id)
    record([server_event("help_requested", pack_id, lesson_id)], g.learner.id)
    step = request.form.get("step", type=int)
    return redirect(url_for("learn.player", pack_id=pack_id, lesson_id=lesson_id, step=step, help=1))


@bp.post("/lesson/<pack_id>/<lesson_id>/answer")
@learner_required
def answer(pack_id, lesson_id):
    """Check an answer without JavaScript: record it, then show the same step with feedback."""
    _assigned_lesson(pack_id, lesson_id)
    question_id = request.form.get("question_id", "")
    kind = request.form.get("type", "")
    response = request.form.getlist("response") if kind == "multiple" else request.form.get("response", "")
    step = request.form.get("step", type=int)
    try:
        result = check_and_record(
            g.learner.id,
            pack_id,
            lesson_id,
            question_id,
            response,
            attempt=max(1, request.form.get("attempt", 1, type=int)),
        )
    except KitError:
        result = {"correct": False, "feedback": _("Choose or write an answer first."), "hint": ""}
    return _render_player(pack_id, lesson_id, step=step, feedback={question_id: result})


@bp.post("/lesson/<pack_id>/<lesson_id>/finish")
@learner_required
def finish(pack_id, lesson_id):
    """Reach the end without JavaScript: record the quiz attempt and the completion."""
    view, _next = _assigned_lesson(pack_id, lesson_id)
    events = []
    if view.questions:
        attempt = max(1, request.form.get("attempt", 1, type=int))
        events.append(server_event("quiz_finished", pack_id, lesson_id, {"attempt": attempt}))
    events.append(server_event("lesson_completed", pack_id, lesson_id))
    record(events, g.learner.id)
    last = len(view.pages) + len(view.questions)
    return redirect(url_for("learn.player", pack_id=pack_id, lesson_id=lesson_id, step=last))
