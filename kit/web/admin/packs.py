"""Content packs: upload a .kitpack (with a progress bar, via XHR upload events) and remove one.

The upload is saved to a temporary file inside the data folder (same disk as the packs,
so no copy across file systems), then kit.packs.install.import_pack verifies every hash
and switches atomically: a bad pack changes nothing.
"""

import os
import tempfile

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...errors import KitError, json_error
from ...models import Pack
from ..guards import admin_required
from . import bp


def _wants_json():
    return request.accept_mimetypes.best == "application/json"


def install_upload(upload, config):
    """Save an uploaded pack file and install it; return the ImportResult."""
    from ...packs.install import import_pack  # deferred: loads YAML, markdown-it: +2.8 MB a worker

    if upload is None or not upload.filename:
        raise KitError(_("Choose a pack file (.kitpack) to upload."))
    fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".kitpack", dir=config["data"])
    try:
        with os.fdopen(fd, "wb") as out:
            upload.save(out)
        return import_pack(tmp, config)
    finally:
        os.unlink(tmp)


@bp.get("/packs")
@admin_required
def packs():
    return render_template("admin/packs.html", packs=Pack.select().order_by(Pack.title))


@bp.post("/packs")
@admin_required
def upload_pack():
    """Install an uploaded pack; answer JSON to the page's script, a redirect to a plain form."""
    try:
        result = install_upload(request.files.get("file"), current_app.config["KIT"])
    except KitError as exc:
        if _wants_json():
            return json_error(exc)
        flash(exc.message, "error")
        return redirect(url_for("admin.packs"))
    message = {
        "installed": _("Installed %(id)s %(version)s.", id=result.pack_id, version=result.version),
        "upgraded": _(
            "Upgraded %(id)s to %(version)s; learners keep their progress.",
            id=result.pack_id,
            version=result.version,
        ),
        "unchanged": _(
            "%(id)s %(version)s is already installed; nothing changed.",
            id=result.pack_id,
            version=result.version,
        ),
        "older": _(
            "%(id)s %(version)s is older than the installed one; nothing changed.",
            id=result.pack_id,
            version=result.version,
        ),
    }[result.action]
    if _wants_json():
        return jsonify(
            {
                "pack_id": result.pack_id,
                "version": result.version,
                "action": result.action,
                "message": message,
            }
        )
    flash(message, "info")
    return redirect(url_for("admin.packs"))


@bp.post("/packs/<pack_id>/remove")
@admin_required
def remove_pack(pack_id):
    """Uninstall a pack; its assignments go, learners' events and progress stay."""
    from ...packs.install import remove_pack as remove  # deferred: see install_upload

    try:
        remove(pack_id, current_app.config["KIT"])
    except KitError as exc:
        flash(exc.message, "error")
    else:
        flash(_("Removed %(id)s. Learners' records are kept.", id=pack_id), "info")
    return redirect(url_for("admin.packs"))
