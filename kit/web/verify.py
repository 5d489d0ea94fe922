"""/verify on the kit: check a certificate's code against the kit's own records and key.

Public, as the hub's is: anyone in reach of the kit's Wi-Fi (an employer, an inspector)
can check a printed certificate while the kit is offline. It answers one code at a time
with valid, revoked or not valid/unknown, and shows the holder's name only for a valid
or revoked certificate, which the person holding the paper has already seen. Every
lookup that finds nothing counts against the asking address (kit.ratelimit), so codes
cannot be guessed in bulk: after `verify_misses` misses in `login_window_s`, even a right
code waits.
"""

from flask import Blueprint, current_app, render_template, request
from flask_babel import gettext as _

from ..courses import certificates, codes
from ..db import write
from ..models import LoginFailure
from ..ratelimit import FailureLog

bp = Blueprint("verify", __name__)
misses = FailureLog(LoginFailure)
MISSES_PER_WINDOW = 10


def _key():
    return f"verify-from:{request.remote_addr}"


@bp.get("/verify")
@bp.get("/verify/<code>")
def verify(code=None):
    """The form, and the answer for ?code= (or /verify/CODE, as a QR code links)."""
    code = code or request.args.get("code", "").strip()
    if not code:
        return render_template("verify/verify.html", verdict=None, error=None, code="")
    window = current_app.config["KIT"]["login_window_s"]
    wait = misses.retry_after(_key(), MISSES_PER_WINDOW, window)
    if wait:
        error = _("Too many codes checked from here. Try again in %(n)s seconds.", n=wait)
        return (
            render_template("verify/verify.html", verdict=None, error=error, code=code),
            429,
            {"Retry-After": str(wait)},
        )
    try:
        verdict = certificates.check(code)
    except codes.BadCode as exc:
        with write():
            misses.fail(_key())
        return render_template("verify/verify.html", verdict=None, error=exc.message, code=code), 400
    if verdict.status in ("unknown", "invalid"):
        with write():
            misses.fail(_key())
    status = 200 if verdict.status in ("valid", "revoked") else 404
    return render_template("verify/verify.html", verdict=verdict, error=None, code=verdict.code), status


def init_app(app):
    app.register_blueprint(bp)
