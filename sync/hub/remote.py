"""A remote teacher's pages at the hub: their classes as of the kit's last sync, and what they send down.

Every route finds its class through sync.hub.scopes.find_class, so a class outside the
account's scope answers 404 like one that does not exist; a revoked kit's class is shown
but refuses actions (403). Managers see and may act on every class.
"""

import json

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from kit.errors import KitError

from . import catalogue, changes, classview
from .models import HubPack, utcnow
from .scopes import classes_for, find_class
from .web import signed_in

bp = Blueprint("remote", __name__, template_folder="templates")

KINDS = {
    "assign": _l("Assign"),
    "note": _l("Note"),
    "flag": _l("Flag for the local teacher"),
    "install_pack": _l("Pack install"),
}
# What a kit says it did with a change (kit.from_afar.apply), in the page's language; an
# outcome not listed here (a newer kit's) is shown as the kit wrote it.
OUTCOMES = {
    "requested": _l("requested: the local teacher installs it"),
    "assigned: the pack on this kit has no course, its lessons are assigned": _l(
        "assigned: the pack on this kit has no course, its lessons are assigned"
    ),
    "kept for the local teacher: the learner is not on this kit": _l(
        "kept for the local teacher: the learner is not on this kit"
    ),
    "kept for the local teacher: the learner is no longer active": _l(
        "kept for the local teacher: the learner is no longer active"
    ),
    "skipped: the class is not on this kit": _l("skipped: the class is not on this kit"),
    "already assigned on the kit: kept the kit's due date": _l(
        "already assigned on the kit: kept the kit's due date"
    ),
    "undone on the kit by the local teacher": _l("undone on the kit by the local teacher"),
}


def as_of(when):
    """Say plainly how old the hub's picture of a kit is."""
    if when is None:
        return _("This kit has not synced yet: nothing is known about it.")
    days = (utcnow() - when).days
    stamp = when.strftime("%Y-%m-%d %H:%M")
    if days < 1:
        return _("As of the kit's last sync, %(when)s UTC (today).", when=stamp)
    return _("As of the kit's last sync, %(when)s UTC (%(days)s days ago).", when=stamp, days=days)


@bp.get("/classes")
@signed_in
def classes():
    return render_template("hub/classes.html", classes=classes_for(g.hub_user), as_of=as_of)


@bp.get("/classes/<kit_id>/<class_uuid>")
@signed_in
def one_class(kit_id, class_uuid):
    found = find_class(g.hub_user, kit_id, class_uuid)
    report = classview.report(found)
    sent = changes.for_class(found.kit_id, found.uuid)
    return render_template(
        "hub/class.html",
        found=found,
        as_of=as_of(found.as_of),
        report=report,
        sent=[(c, json.loads(c.body)) for c in sent],
        class_seen=_class_seen(found, sent, report["learners"]),
        kinds=KINDS,
        outcomes=OUTCOMES,
        packs=sorted({p.pack_id: p.title for p in HubPack.select(HubPack.pack_id, HubPack.title)}.items()),
        courses=catalogue.courses(current_app.config["HUB"]),
    )


def _class_seen(found, sent, learners):
    """{change id: (seen, of)} for each note to the whole class: how many of its active learners saw it."""
    notes = [c.change_id for c in sent if c.kind == "note" and not c.learner_uuid]
    active = {learner["uuid"] for learner in learners if learner["active"]}
    return {
        change_id: (len(who & active), len(active))
        for change_id, who in changes.seen_by(found.kit_id, notes).items()
    }


@bp.post("/classes/<kit_id>/<class_uuid>/changes")
@signed_in
def make_change(kit_id, class_uuid):
    """Record an assignment, a note, a flag or a pack request; it goes down at the kit's next sync."""
    found = find_class(g.hub_user, kit_id, class_uuid)
    form = request.form
    kind = form.get("kind", "")
    if kind not in KINDS:
        raise KitError(_("Choose what to send: an assignment, a note, a flag or a pack."))
    course = kind == "assign" and form.get("course") == "1"
    if course and form.get("pack", "") not in catalogue.courses(current_app.config["HUB"]):
        raise KitError(_("That pack has no course in the hub's catalogue: choose one of the courses listed."))
    changes.make(
        found,
        g.hub_user,
        kind,
        learner=form.get("learner", ""),
        text=form.get("text", ""),
        pack=form.get("pack", ""),
        lesson=form.get("lesson", ""),
        due=form.get("due", ""),
        course=course,
    )
    flash(_("Saved: it reaches the kit at its next sync, or with a USB bundle."))
    return redirect(url_for("remote.one_class", kit_id=found.kit_id, class_uuid=found.uuid))
