"""Signing in without typing: choose the class, tap your name, then your two pictures."""

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...class_sessions import note_signed_in
from ...errors import Forbidden
from ...models import Classroom, Learner
from ...pictures import PICTURE_LABELS, PICTURES, check_picture_password
from ..i18n import translated
from . import bp
from .auth import current_learner, picture_failed, picture_passed, picture_wait, sign_in, sign_out


def _active_class(classroom_id):
    room = Classroom.get_or_none(Classroom.id == classroom_id, Classroom.active == True)  # noqa: E712
    if room is None:
        abort(404)
    return room


def _active_learner(learner_id):
    learner = Learner.get_or_none(Learner.id == learner_id, Learner.active == True)  # noqa: E712
    if learner is None or not learner.classroom.active:
        abort(404)
    if learner.teacher_id is not None:  # a teacher's own training (kit.training): their account only
        raise Forbidden(_("This is a teacher's own training: they open it from the teacher pages."))
    return learner


@bp.get("/")
def index():
    """The kit's front page: your lessons if signed in, else the list of classes."""
    if current_learner() is not None:
        return redirect(url_for("learn.lessons"))
    rooms = Classroom.select().where(Classroom.active == True).order_by(Classroom.name)  # noqa: E712
    return render_template("learn/classes.html", rooms=list(rooms))


@bp.get("/class/<int:classroom_id>")
def class_page(classroom_id):
    """A class's names, each a big button with the learner's avatar and colour."""
    room = _active_class(classroom_id)
    learners = (
        Learner.select()
        .where(Learner.classroom == room, Learner.active == True, Learner.teacher.is_null())  # noqa: E712
        .order_by(Learner.display_name)
    )
    return render_template(
        "learn/names.html", room=room, learners=list(learners), signed_in=current_learner()
    )


@bp.post("/signin")
def signin():
    """Tap a name: sign in at once, or ask for the picture password if there is one."""
    learner = _active_learner(request.form.get("learner_id", type=int))
    sign_out()
    if learner.picture_password:
        return redirect(url_for("learn.picture", learner_id=learner.id))
    return _signed_in(learner)


def _signed_in(learner):
    """Sign the learner in, count them present if their class's session runs, show their lessons."""
    sign_in(learner)
    note_signed_in(learner.id, learner.classroom_id)
    return redirect(url_for("learn.lessons"))


def _check_pictures(learner, chosen, address):
    """Return ("", 200) when the pictures are right, else a message and an HTTP status.

    Wrong tries are limited per learner and per tablet (address) across learners, in the
    database (kit.signin_limits), so a restart or another server process forgets none."""
    if len(set(chosen)) != 2:
        return _("Choose two pictures."), 400
    if picture_wait(learner.id, address):
        return _("Too many wrong tries. Ask your teacher, or wait a few minutes."), 429
    if check_picture_password(learner.picture_password, chosen):
        picture_passed(learner.id)
        return "", 200
    picture_failed(learner.id, address)
    return _("Those are not your pictures. Try again."), 403


@bp.route("/signin/<int:learner_id>", methods=["GET", "POST"])
def picture(learner_id):
    """Two of nine pictures; wrong tries are limited per learner."""
    learner = _active_learner(learner_id)
    if not learner.picture_password:
        return redirect(url_for("learn.class_page", classroom_id=learner.classroom_id))
    error, status = "", 200
    if request.method == "POST":
        error, status = _check_pictures(learner, request.form.getlist("picture"), request.remote_addr)
        if not error:
            return _signed_in(learner)
    return render_template(
        "learn/picture.html",
        person=learner,
        pictures=PICTURES,
        labels=translated(PICTURE_LABELS),
        error=error,
    ), status


@bp.post("/signout")
def signout():
    """Switch learner: forget this learner and go back to the class's names."""
    learner = current_learner()
    sign_out()
    if learner is None:
        return redirect(url_for("learn.index"))
    if learner.teacher_id is not None:  # a teacher leaving their training: back to their sign-in
        return redirect(url_for("teach.login"))
    return redirect(url_for("learn.class_page", classroom_id=learner.classroom_id))
