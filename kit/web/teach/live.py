"""The teacher's live class: start it from a class, lead it (pages, modes, questions, hands), end it.

Every control is a form that works without JavaScript (POST, then back to the page);
static/teach/live.js sends the same forms with fetch, asking for JSON, and redraws from
state.json every second. Each change carries the `rev` the screen showed (kit.live.classes).
"""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ... import roster
from ...errors import KitError, json_error
from ...live import classes, room
from ...packs.lessons import get_lesson
from ..csrf_tokens import csrf_token
from ..guards import current_user, teacher_required
from . import bp, form_error

ACTIONS = {
    "next": lambda live, rev, form: classes.move(live.id, rev, live.step + 1),
    "back": lambda live, rev, form: classes.move(live.id, rev, live.step - 1),
    "goto": lambda live, rev, form: classes.move(live.id, rev, form.get("step", type=int)),
    "mode": lambda live, rev, form: classes.set_mode(live.id, rev, form.get("mode")),
    "recall": lambda live, rev, form: classes.recall(live.id, rev),
    "ask": lambda live, rev, form: classes.ask(live.id, rev),
    "poll": lambda live, rev, form: classes.poll(live.id, rev),
    "close": lambda live, rev, form: classes.close(live.id, rev),
    "reveal": lambda live, rev, form: classes.reveal(live.id, rev),
    "lower": lambda live, rev, form: classes.lower_hand(live.id, form.get("learner_id", type=int)),
}


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


@bp.post("/classes/<int:class_id>/live")
@teacher_required
def start_live(class_id):
    """Start a live class on the chosen lesson ("pack/lesson"); an open one is shown instead."""
    roster.get_class(class_id)
    pack_id, _sep, lesson_id = request.form.get("what", "").partition("/")
    try:
        if not pack_id or not lesson_id:
            raise KitError(_("Choose a lesson for the live class."))
        live = classes.start(class_id, pack_id, lesson_id, current_user())
    except KitError as exc:
        form_error(exc)
        return redirect(url_for("teach.class_page", class_id=class_id))
    return redirect(url_for("teach.live_page", live_id=live.id))


@bp.get("/live/<int:live_id>")
@teacher_required
def live_page(live_id):
    """The teacher's screen: the page the class sees, Back / Next, modes, who is here, hands, questions."""

    live = classes.get_live(live_id)
    if live.ended_at is not None:
        flash(_("This live class has ended."), "info")
        if live.session_id:
            return redirect(url_for("teach.session_page", session_id=live.session_id))
        return redirect(url_for("teach.class_page", class_id=live.classroom_id))
    view = get_lesson(live.pack_id, live.lesson_id)
    return render_template(
        "teach/live.html",
        live=live,
        room=live.classroom,
        lesson=view,
        state=room.teacher_state(live),
        projector_url=url_for("learn.projector", _external=True),
        **step_values(live.step, len(view.pages) + len(view.questions)),
    )


def step_values(step, last, csrf=None):
    """What learn/_steps.html needs to draw a lesson's steps with `step` shown (no markers)."""
    return {
        "last": last,
        "hide": lambda n: Markup("") if n == step else Markup(" hidden"),
        "csrf": csrf_token() if csrf is None else csrf,
        "attempt": 1,
        "feedback": {},
    }


@bp.get("/live/<int:live_id>/state.json")
@teacher_required
def live_state(live_id):
    """The live class for the teacher's screen (names included), fetched every second by live.js."""
    return jsonify(room.teacher_state(classes.get_live(live_id)))


@bp.post("/live/<int:live_id>/act")
@teacher_required
def live_act(live_id):
    """One teacher change (form field `do`); refused when `rev` is not the class's current one."""
    live = classes.get_live(live_id)
    # A mode button sends only its mode (name="mode"), so it works without JavaScript.
    action = ACTIONS.get(request.form.get("do") or ("mode" if request.form.get("mode") else ""))
    try:
        if action is None:
            raise KitError(_("Unknown live class action."))
        action(live, request.form.get("rev", type=int), request.form)
    except KitError as exc:
        if _wants_json():
            body, status = json_error(exc)
            body["state"] = room.teacher_state(classes.get_live(live_id))
            return jsonify(body), status
        form_error(exc)
    else:
        if _wants_json():
            return jsonify(room.teacher_state(classes.get_live(live_id)))
    return redirect(url_for("teach.live_page", live_id=live_id))


@bp.post("/live/<int:live_id>/end")
@teacher_required
def end_live(live_id):
    """End the live class; its class session (attendance, minutes) is shown next."""
    try:
        live = classes.end(live_id)
    except KitError as exc:
        form_error(exc)
        live = classes.get_live(live_id)
    else:
        flash(_("Live class ended."), "info")
    if live.session_id:
        return redirect(url_for("teach.session_page", session_id=live.session_id))
    return redirect(url_for("teach.class_page", class_id=live.classroom_id))
