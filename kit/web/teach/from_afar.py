"""What came from a remote teacher at the hub, for the local teacher: the list, and undo.

Changes arrive with the sync agent (kit.from_afar); the local teacher sees each one,
marked as coming from afar, and can undo it here: an assignment is removed, a note or
flag hidden. The hub hears of the undo as an event.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ... import from_afar, roster
from ...auth import teacher_required
from . import bp

KINDS = {
    "assign": _l("Assignment"),
    "note": _l("Note"),
    "flag": _l("Flag"),
    "install_pack": _l("Pack requested"),
}


@bp.get("/classes/<int:class_id>/from-afar")
@teacher_required
def from_afar_page(class_id):
    room = roster.get_class(class_id)
    rows = from_afar.listing(room.id)
    return render_template("teach/from_afar.html", room=room, rows=rows, kinds=KINDS)


@bp.post("/from-afar/<int:item_id>/undo")
@teacher_required
def undo_from_afar(item_id):
    row = from_afar.FromAfar.get_or_none(from_afar.FromAfar.id == item_id)
    from_afar.undo(item_id)
    flash(_("Undone on this kit; the remote teacher will see it at the next sync."))
    if row is not None and row.classroom_id:
        return redirect(url_for("teach.from_afar_page", class_id=row.classroom_id))
    return redirect(url_for("teach.dashboard"))
