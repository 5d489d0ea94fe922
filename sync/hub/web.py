"""The hub's pages, for its own accounts only: kits, reports with CSV, enrol codes, uploads."""

import functools
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    session,
    url_for,
)
from flask_babel import Babel, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFProtect

import kit
from kit.csv_export import csv_text
from kit.errors import Forbidden, KitError, NotFound
from kit.web import numerals
from kit.web.redirects import local_path

from . import reports, signins
from .accounts import sign_in
from .api import bp as api_bp
from .bundles import import_bundle, write_receipt
from .db import database
from .enrol import new_code, revoke
from .models import Kit
from .scopes import MANAGER, role_of
from .xapi import export_lines

bp = Blueprint("hub", __name__, template_folder="templates")
# The kit's web fonts (Bangla script): the hub's pages use the same files, one copy.
KIT_FONTS = Path(kit.__file__).resolve().parent / "static" / "fonts"
csrf = CSRFProtect()
babel = Babel()
LANGUAGES = ("en", "fr", "sw", "bn", "wo")


def _idle_s():
    return current_app.config["HUB"]["session_idle_s"]


def signed_in(view):
    """Let through a live sign-in of any role (sync.hub.signins); send anyone else to sign in."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        username = signins.signed_in(session.get("sid"), _idle_s())
        if username is None:
            session.clear()
            return redirect(url_for("hub.signin", next=request.path))
        g.hub_user, g.hub_role = username, role_of(username)
        return view(*args, **kwargs)

    return wrapped


def login_required(view):
    """Let through a programme manager's live sign-in; a remote teacher is refused (sync.hub.scopes)."""

    @functools.wraps(view)
    def managers_only(*args, **kwargs):
        if g.hub_role != MANAGER:
            raise Forbidden(_("This page is for programme managers; your classes are under “My classes”."))
        return view(*args, **kwargs)

    return signed_in(managers_only)


@bp.route("/signin", methods=["GET", "POST"])
def signin():
    error, status = None, 200
    if request.method == "POST":
        try:
            user = sign_in(
                request.form.get("username"),
                request.form.get("password"),
                request.remote_addr,
                current_app.config["HUB"],
            )
        except KitError as exc:
            error, status = exc.message, exc.status
        else:
            signins.end(session.get("sid"))
            session.clear()
            session["sid"] = signins.start(user.username, _idle_s())
            session["hub_user"] = user.username
            return redirect(local_path(request.args.get("next"), url_for("hub.kits")))
    return render_template("hub/signin.html", error=error), status


@bp.post("/signout")
def signout():
    signins.end(session.get("sid"))
    session.clear()
    return redirect(url_for("hub.signin"))


@bp.get("/")
@signed_in
def kits():
    if g.hub_role != MANAGER:
        return redirect(url_for("remote.classes"))
    return render_template("hub/kits.html", kits=reports.kits())


TITLES = {
    "learners": _l("Learners reached"),
    "hours": _l("Hours of learning"),
    "completion": _l("Lesson completion"),
    "roster": _l("Learners"),
    "kits": _l("Kits"),
    "certificates": _l("Certificates"),
}


LABELS = {
    "name": _l("Kit"),
    "kit_id": _l("Kit id"),
    "site": _l("Site"),
    "location": _l("Location"),
    "status": _l("Status"),
    "last_contact": _l("Last contact"),
    "events_received": _l("Events received"),
    "acked_seq": _l("Acknowledged up to"),
    "clock_offset": _l("Clock offset"),
    "version": _l("Version"),
    "set_aside": _l("Set aside"),
    "month": _l("Month"),
    "learners": _l("Learners"),
    "hours": _l("Hours on lessons"),
    "session_hours": _l("Hours in class sessions"),
    "pack": _l("Pack"),
    "lesson": _l("Lesson"),
    "started": _l("Started"),
    "completed": _l("Completed"),
    "rate": _l("Rate"),
    "course": _l("Course"),
    "certificates": _l("Certificates"),
    "teachers_trained": _l("Teachers trained"),
    "credit_hours": _l("Credit hours"),
    "revoked": _l("Revoked"),
    "learner": _l("Learner"),
    "active": _l("Active"),
}


@bp.get("/reports/<name>")
@login_required
def report(name):
    if name not in reports.REPORTS:
        abort(404)
    rows = reports.REPORTS[name]()
    per_page = max(1, current_app.config["HUB"]["report_page_rows"])
    pages = max(1, -(-len(rows) // per_page))
    page = _page_number(request.args.get("page", "1"), pages)
    first = (page - 1) * per_page
    return render_template(
        "hub/report.html",
        name=name,
        title=str(TITLES[name]),
        rows=rows[first : first + per_page],
        columns=[(c, str(LABELS.get(c, c))) for c in rows[0]] if rows else [],
        page=page,
        pages=pages,
        first=first + 1,
        total=len(rows),
    )


def _page_number(text, pages):
    """The page asked for, 1 to `pages`; a clear 400 or 404 otherwise."""
    if not text.isdigit() or not 0 < int(text) < 10**6:
        raise KitError(_("page must be a whole number from 1"))
    if int(text) > pages:
        raise NotFound(_("no page %(page)s: this report has %(pages)s", page=int(text), pages=pages))
    return int(text)


@bp.get("/reports/<name>.csv")
@login_required
def report_csv(name):
    if name not in reports.REPORTS:
        abort(404)
    return Response(
        csv_text(reports.REPORTS[name]()),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=hub-{name}.csv"},
    )


@bp.get("/reports/xapi.json")
@login_required
def report_xapi():

    def stream():
        with database.connection_context():  # the request's connection closes before streaming ends
            yield from export_lines()

    return Response(
        stream(),
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=hub-xapi.json"},
    )


@bp.route("/enroll", methods=["GET", "POST"])
@login_required
def enroll():
    """Make an enrol code bound to a new kit, or to one enrolled kit's re-enrolment."""
    code = error = None
    chosen = request.values.get("kit", "")
    if request.method == "POST":
        try:
            code = new_code(
                request.form.get("name"), current_app.config["HUB"]["enroll_code_ttl_s"], kit=chosen or None
            )
        except KitError as exc:
            error = exc.message
    kits = Kit.select().where(Kit.revoked_at.is_null()).order_by(Kit.name)
    return render_template(
        "hub/enroll.html",
        code=code,
        error=error,
        kits=list(kits),
        chosen=chosen,
        name="" if code else request.form.get("name", ""),
    ), 400 if error else 200


@bp.post("/kits/<kit_id>/revoke")
@login_required
def revoke_kit(kit_id):
    revoke(kit_id)
    flash(_("Kit revoked: it must be enrolled again to sync."))
    return redirect(url_for("hub.kits"))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def upload():
    if request.method == "GET":
        return render_template("hub/import.html", receipt=None, error=None)
    upload_file = request.files.get("bundle")
    if upload_file is None or not upload_file.filename:
        return render_template("hub/import.html", receipt=None, error=_("Choose a bundle file.")), 400
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.kitbundle"
        upload_file.save(path)
        try:
            receipt = import_bundle(path, current_app.config["HUB"])
        except KitError as exc:
            return render_template("hub/import.html", receipt=None, error=exc.message), exc.status
        text = write_receipt(receipt, Path(tmp) / "receipt").read_text()
    session["last_receipt"] = text
    return render_template("hub/import.html", receipt=receipt, error=None)


@bp.get("/import/receipt")
@login_required
def last_receipt():
    text = session.get("last_receipt")
    if not text:
        abort(404)
    return Response(
        text,
        mimetype="application/json",
        headers={"Content-Disposition": "attachment; filename=bundle.receipt"},
    )


@bp.get("/fonts/<name>")
def font(name):
    """A web font for a script the managers' computers may lack, with its licence; public,
    like the stylesheet that names it, so the sign-in page can use it too."""
    return send_from_directory(KIT_FONTS, name, max_age=86400)


def _locale():
    return request.accept_languages.best_match(LANGUAGES) or "en"


def number(value):
    """A count or an amount as the page's language writes it (1 234,5 in French); other
    cells (names, ids, dates, the preformatted rate) as they are."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return numerals.format_number(value, get_locale())


def init_app(app):
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(Path(__file__).parent.parent / "translations")
    babel.init_app(app, locale_selector=_locale)
    app.context_processor(
        lambda: {"page_lang": str(get_locale()), "page_digits": numerals.page_digits(get_locale())}
    )
    app.add_template_filter(number)
    numerals.init_jinja(app.jinja_env, get_locale)  # the page's own digits (১২৩ in Bangla)
    csrf.init_app(app)

    csrf.exempt(api_bp)  # kits authenticate each call with their secret, not a cookie
    app.register_blueprint(bp)
