"""The learner pages at /: choose the class, tap your name, your lessons, the lesson player.

Pages are rendered on the server and work before their JavaScript loads; learn.js then
records events, queues them in the browser and moves between steps without reloading.
Static files live in kit/static/learn/ and are served by the app's /static route.
"""

from flask import Blueprint
from flask_babel import gettext as _

bp = Blueprint("learn", __name__)


def switch_label(learner):
    """The header's sign-out words: a learner hands the tablet on; a teacher leaves their own
    training (kit.training) and goes back to the teacher's sign-in."""
    if getattr(learner, "teacher_id", None):
        return _("Sign out of my training (%(name)s)", name=learner.display_name)
    return _("Not %(name)s? Switch", name=learner.display_name)


@bp.context_processor
def _context():
    return {"switch_label": switch_label}


@bp.after_request
def _no_store(response):
    """Shared tablets: the back button must never show the previous learner's page."""
    if response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    from . import live, player, profile, signin  # noqa: F401  (they register routes on bp)

    app.register_blueprint(bp)
