"""The teacher's pages at /teach: sign in, classes and roster, assignments, live progress, sessions.

Every view except sign-in is behind ``teacher_required``; every form carries the global
CSRF token. The views are thin: they parse the form, call kit.roster, kit.assignments or
kit.class_sessions, and show the result or the KitError's message.
"""

import datetime as dt

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from ... import users
from ...db import write
from ...errors import KitError, TooManyRequests
from ...pictures import AVATAR_LABELS, COLOUR_LABELS, PICTURE_LABELS
from ...roster import list_classes
from .. import guards
from ..i18n import LANGUAGES, translated
from ..numerals import format_day, format_time_of_day
from ..redirects import local_path

bp = Blueprint("teach", __name__, url_prefix="/teach")


def form_error(exc):
    """Show a KitError's message at the top of the next page."""
    flash(exc.message, "error")


def safe_next(target):
    """Return `target` if it is a path on this kit, else the dashboard (no open redirect)."""
    return local_path(target, url_for("teach.dashboard"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign a teacher or admin in; refuse wrong passwords and too many attempts."""
    if not users.has_admin():
        return redirect(url_for("admin.setup"))
    status, error = 200, None
    if request.method == "POST":
        try:
            user = users.authenticate(
                request.form.get("username"), request.form.get("password"), request.remote_addr
            )
        except TooManyRequests as exc:
            status = 429
            error = _(
                "Too many failed sign-ins. Wait %(seconds)s seconds and try again.",
                seconds=exc.details["retry_after"],
            )
        except KitError:
            status, error = 401, _("Wrong user name or password.")
        else:
            guards.sign_in(user)
            return redirect(safe_next(request.args.get("next")))
    return render_template("teach/login.html", error=error, username=request.form.get("username", "")), status


@bp.post("/logout")
def logout():
    guards.sign_out()
    flash(_("You have signed out."), "info")
    return redirect(url_for("teach.login"))


@bp.post("/language")
@guards.teacher_required
def language():
    """Keep the teacher's chosen page language, on this browser and on their account."""
    lang = request.form.get("lang", "")
    if lang in LANGUAGES:
        session["lang"] = lang
        with write():
            user = guards.current_user()
            user.language = lang
            user.save()
    return redirect(safe_next(request.form.get("back")))


@bp.get("/")
@guards.teacher_required
def dashboard():
    """The teacher's home: every class with its number of learners and of help requests."""
    from .progress import class_counts  # deferred: .progress imports this package's bp

    return render_template(
        "teach/dashboard.html", classes=list_classes(include_inactive=True), counts=class_counts()
    )


@bp.app_template_filter("kit_time")
def kit_time(value, part="datetime"):
    """Show a stored UTC time in the kit's own time zone (the one set on the machine).

    In a request it is written as the page's language writes dates (Babel's medium date,
    24-hour time: "1 Mac 2026 12:30"); outside one (logs, tests), as ISO does. `part`
    "time" gives the time alone.
    """
    if not value:
        return ""
    local = value.replace(tzinfo=dt.UTC).astimezone()
    locale = get_locale()
    if locale is None:
        return local.strftime("%H:%M" if part == "time" else "%Y-%m-%d %H:%M")
    time = format_time_of_day(local, locale)
    return time if part == "time" else f"{format_day(local, locale)} {time}"


@bp.context_processor
def _context():
    return {
        "kit_user": guards.current_user() if "user_id" in session else None,
        "picture_names": translated({**AVATAR_LABELS, **PICTURE_LABELS}),
        "colour_names": translated(COLOUR_LABELS),
    }


@bp.errorhandler(CSRFError)
def refused_form(exc):
    """A form without a valid CSRF token: say what to do, in the page's language, change nothing."""
    return render_template("teach/refused.html"), 400


def init_app(app):
    from . import certificates, classes, from_afar, live, progress, sessions, training  # noqa: F401  (they register routes on bp)

    app.register_blueprint(bp)
