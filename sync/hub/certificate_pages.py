"""Certificates on the hub's pages: the public verify page, and managers' list and revoke.

/verify and /verify/CODE are open to anyone (an employer with a printed certificate), one
code at a time: valid, revoked or unknown, with the course, the site, the date and the
holder's name (initials only when the kit syncs pseudonymously), nothing else. Every code
that finds nothing counts against the asking address (hub settings verify_misses and
verify_window_s); past the limit even a right code waits, so codes cannot be enumerated.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from kit.courses.codes import BadCode
from kit.errors import KitError, TooManyRequests

from . import certificates
from .enrol import check_rate, note_failure
from .models import HubCertificate, HubCertificateRefused
from .web import login_required

bp = Blueprint("hub_certs", __name__, template_folder="templates")


@bp.get("/verify")
@bp.get("/verify/<code>")
def verify(code=None):
    """Anyone: check one certificate code."""
    code = code or request.args.get("code", "").strip()
    if not code:
        return render_template("hub/verify.html", answer=None, error=None, code="")
    config = current_app.config["HUB"]
    key = f"verify:{request.remote_addr}"
    try:
        check_rate(key, config["verify_misses"], config["verify_window_s"])
        answer = certificates.lookup(code)
    except TooManyRequests as exc:
        error = _(
            "Too many codes checked from here. Try again in %(n)s seconds.", n=exc.details["retry_after"]
        )
        headers = {"Retry-After": str(exc.details["retry_after"])}
        return render_template("hub/verify.html", answer=None, error=error, code=code), 429, headers
    except BadCode as exc:
        note_failure(key)
        return render_template("hub/verify.html", answer=None, error=exc.message, code=code), 400
    if answer["status"] == "unknown":
        note_failure(key)
    status = 404 if answer["status"] == "unknown" else 200
    return render_template("hub/verify.html", answer=answer, error=None, code=answer["code"]), status


@bp.get("/certificates")
@login_required
def manage():
    """Managers: the latest certificates (or one code), refused ones, and revoking."""
    code = request.args.get("code", "").strip()
    query = HubCertificate.select().order_by(HubCertificate.corrected_time.desc())
    error = None
    if code:
        try:
            query = query.where(HubCertificate.code == certificates.codes.normalise(code))
        except BadCode as exc:
            error = exc.message
    refused = HubCertificateRefused.select().order_by(HubCertificateRefused.at.desc()).limit(50)
    return render_template(
        "hub/certificates.html", rows=list(query.limit(100)), refused=list(refused), code=code, error=error
    ), 400 if error else 200


@bp.post("/certificates/<code>/revoke")
@login_required
def revoke(code):
    """Managers: revoke a certificate with a reason; its kit learns it on its next sync."""
    try:
        done = certificates.revoke(code, request.form.get("reason", ""), session.get("hub_user", ""))
    except KitError as exc:
        return render_template("hub/error.html", status=exc.status, message=exc.message), exc.status
    flash(_("Certificate %(code)s revoked. Its kit learns it on its next sync.", code=done))
    return redirect(url_for("hub_certs.manage", code=done))


def init_app(app):
    app.register_blueprint(bp)
