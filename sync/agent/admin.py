"""The kit's /admin/sync page: enrol with a hub, see the status, sync now, export a bundle."""

import tempfile
from pathlib import Path

from flask import Blueprint, current_app, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from kit.errors import KitError
from kit.web.guards import admin_required

from .bundle import export_bundle
from .poke import poke
from .status import status

bp = Blueprint("sync_admin", __name__, url_prefix="/admin/sync", template_folder="templates")


@bp.get("/")
@admin_required
def page():
    return render_template("sync/admin.html", info=status(), message=request.args.get("message"), error=None)


@bp.post("/enroll")
@admin_required
def enroll():
    from .enrolment import enroll as run  # deferred: requests, +127 modules and 3.8 MB a worker

    try:
        name = run(
            current_app.config["KIT"], request.form.get("hub", ""), request.form.get("code", "").strip()
        )
    except KitError as exc:
        return render_template("sync/admin.html", info=status(), message=None, error=exc.message), exc.status
    return redirect(url_for("sync_admin.page", message=_("Enrolled with the hub as %(name)s.", name=name)))


@bp.post("/now")
@admin_required
def now():
    poke(current_app.config["KIT"]["data"])
    return redirect(url_for("sync_admin.page", message=_("The kit will sync within a few seconds.")))


@bp.post("/export")
@admin_required
def export():

    out = Path(tempfile.mkdtemp()) / "kit.kitbundle"
    export_bundle(current_app.config["KIT"], out)
    return send_file(out, as_attachment=True, download_name="kit.kitbundle", mimetype="application/json")


def init_app(app):
    app.register_blueprint(bp)
