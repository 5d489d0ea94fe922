"""What came from a remote teacher at the hub, for the local teacher: the list, and undo.

Changes arrive with the sync agent (kit.from_afar); the local teacher sees each one,
marked as coming from afar, and whether each note was seen (by its learner, or by how
many of the class), and can undo it here: an assignment is removed, a note or flag
hidden and a note's clips deleted. The hub hears of the undo as an event.
"""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from ... import from_afar, notes_aloud, roster
from ..guards import teacher_required
from . import bp


def _kinds():
    return {
        "assign": _("Assignment"),
        "note": _("Note"),
        "flag": _("Flag"),
        "install_pack": _("Pack requested"),
    }


def _outcomes():
    """kit.from_afar keeps each outcome in English (it also goes to the hub); the teacher reads theirs."""
    return {
        "assigned": _("assigned"),
        "assigned: the pack on this kit has no course, its lessons are assigned": _(
            "assigned: the pack on this kit has no course, its lessons are assigned"
        ),
        "delivered": _("delivered"),
        "requested": _("requested: the kit fetches it at its next online sync"),
        "already assigned on the kit: kept the kit's due date": _(
            "already assigned here: your due date is kept"
        ),
        "skipped: the class is not on this kit": _("skipped: the class is not on this kit"),
        "kept for the local teacher: the learner is not on this kit": _(
            "kept for you: the learner is not on this kit"
        ),
        "kept for the local teacher: the learner is no longer active": _(
            "kept for you: the learner is no longer active"
        ),
    }


@bp.get("/classes/<int:class_id>/from-afar")
@teacher_required
def from_afar_page(class_id):
    room = roster.get_class(class_id)
    rows = from_afar.listing(room.id)
    return render_template(
        "teach/from_afar.html",
        room=room,
        rows=rows,
        class_seen=from_afar.class_seen(rows, room.id),
        kinds=_kinds(),
        outcomes=_outcomes(),
    )


@bp.post("/from-afar/<int:item_id>/undo")
@teacher_required
def undo_from_afar(item_id):
    row = from_afar.undo(item_id)
    if row.kind == "note":  # a learner asking after this is told it was taken back (learn.note_aloud)
        notes_aloud.forget(current_app.config["KIT"]["data"], row.change_id)
    flash(_("Undone on this kit; the remote teacher will see it at the next sync."))
    if row.classroom_id:
        return redirect(url_for("teach.from_afar_page", class_id=row.classroom_id))
    return redirect(url_for("teach.dashboard"))
