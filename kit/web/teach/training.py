"""A teacher's own training: the courses they take with their account (kit.training).

Opening it signs this browser in as the account's learner profile, in place of the
teacher's session: one browser holds one sign-in, and a learner's pages never accept a
teacher's (kit.web.guards). Leaving the training goes back to the teacher's sign-in.
"""

from flask import flash, redirect, render_template, url_for

from ...class_sessions import note_signed_in
from ...courses.views import learner_courses
from ...errors import KitError
from ...training import open_profile, profile_of, training_class
from ..guards import current_user, teacher_required
from ..learn.auth import sign_in as learner_sign_in
from . import bp


@bp.get("/training")
@teacher_required
def training():
    """What the teacher's training is, how far they are, and the button that opens it."""
    learner = profile_of(current_user().id)
    courses = learner_courses(learner.id, learner.classroom_id) if learner else []
    return render_template("teach/training.html", learner=learner, room=training_class(), courses=courses)


@bp.post("/training")
@teacher_required
def start_training():
    """Open the teacher's training as a learner (made on first use), on this browser."""
    try:
        learner = open_profile(current_user())
    except KitError as exc:
        flash(exc.message, "error")
        return redirect(url_for("teach.training"))
    learner_sign_in(learner)
    note_signed_in(learner.id, learner.classroom_id)
    return redirect(url_for("learn.lessons"))
