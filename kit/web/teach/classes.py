"""Classes and roster pages: add, rename, deactivate, learners, CSV import, login cards."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.routing import BuildError

from ... import roster
from ...errors import KitError
from ...pictures import AVATARS, COLOURS, PICTURES
from ..guards import teacher_required
from . import bp, form_error


def learner_fields(form):
    """Return the learner fields a form sent (only the ones present)."""
    keys = ("name", "avatar", "colour", "language")
    fields = {key: form.get(key, "") for key in keys if key in form}
    chosen = form.getlist("picture")
    if chosen:
        fields["picture_password"] = "+".join(chosen)
    if "sign_first_shown" in form:  # an unticked box sends nothing: the form says it was there
        fields["sign_first"] = form.get("sign_first") == "1"
    return fields


@bp.post("/classes")
@teacher_required
def create_class():
    try:
        room = roster.create_class(request.form.get("name"))
    except KitError as exc:
        form_error(exc)
        return redirect(url_for("teach.dashboard"))
    flash(_("Class %(name)s added.", name=room.name), "info")
    return redirect(url_for("teach.roster_page", class_id=room.id))


@bp.route("/classes/<int:class_id>/edit", methods=["GET", "POST"])
@teacher_required
def edit_class(class_id):
    """Rename, deactivate or reactivate a class."""
    room = roster.get_class(class_id)
    if request.method == "POST":
        try:
            active = {"deactivate": False, "activate": True}.get(request.form.get("action"))
            roster.update_class(class_id, name=request.form.get("name") or None, active=active)
        except KitError as exc:
            form_error(exc)
        else:
            flash(_("Class saved."), "info")
            return redirect(url_for("teach.class_page", class_id=class_id))
    return render_template("teach/class_edit.html", room=room)


@bp.get("/classes/<int:class_id>/roster")
@teacher_required
def roster_page(class_id):
    room = roster.get_class(class_id)
    return render_template(
        "teach/roster.html",
        room=room,
        learners=roster.list_learners(class_id, include_inactive=True),
        avatars=AVATARS,
        colours=COLOURS,
        pictures=PICTURES,
    )


@bp.post("/classes/<int:class_id>/learners")
@teacher_required
def add_learner(class_id):
    try:
        learner = roster.add_learner(class_id, **learner_fields(request.form))
    except KitError as exc:
        form_error(exc)
    else:
        flash(_("%(name)s added.", name=learner.display_name), "info")
    return redirect(url_for("teach.roster_page", class_id=class_id))


@bp.route("/learners/<int:learner_id>/edit", methods=["GET", "POST"])
@teacher_required
def edit_learner(learner_id):
    """Edit a learner's name, look, language or picture password; or (de)activate them."""
    learner = roster.get_learner(learner_id)
    if request.method == "POST":
        action = request.form.get("action", "save")
        try:
            if action in ("deactivate", "activate"):
                roster.update_learner(learner_id, active=action == "activate")
            else:
                roster.update_learner(
                    learner_id,
                    clear_picture_password=bool(request.form.get("clear_pictures")),
                    **learner_fields(request.form),
                )
        except KitError as exc:
            form_error(exc)
        else:
            flash(_("Learner saved."), "info")
            return redirect(url_for("teach.roster_page", class_id=learner.classroom_id))
    return render_template(
        "teach/learner_edit.html", learner=learner, avatars=AVATARS, colours=COLOURS, pictures=PICTURES
    )


@bp.post("/classes/<int:class_id>/import")
@teacher_required
def import_preview(class_id):
    """Show what a roster CSV would add and update, and its line-numbered errors."""
    room = roster.get_class(class_id)
    upload = request.files.get("file")
    text = request.form.get("csv_text")
    try:
        if text is None:
            if upload is None or not upload.filename:
                raise KitError(_("Choose a CSV file to import."))
            text = roster._decode(upload.read(roster.MAX_CSV_BYTES + 1))
        plan = roster.plan_import(text, room.name)
    except KitError as exc:
        form_error(exc)
        return redirect(url_for("teach.roster_page", class_id=class_id))
    if request.form.get("confirm") == "yes":
        result = roster.apply_import(plan)
        flash(
            _(
                "Imported: %(added)s added, %(updated)s updated.",
                added=result["added"],
                updated=result["updated"],
            ),
            "info",
        )
        if result["skipped_lines"]:
            flash(
                _("Lines not imported: %(lines)s.", lines=", ".join(map(str, result["skipped_lines"]))),
                "error",
            )
        return redirect(url_for("teach.roster_page", class_id=class_id))
    return render_template("teach/import_preview.html", room=room, plan=plan, csv_text=text)


def qr_svg(text, title):
    """Return an inline, accessible SVG QR code for `text`."""
    import segno  # only for the printable QR codes, not at every start

    svg = segno.make(text, error="m").svg_inline(scale=4, title=title, border=2)
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))


@bp.get("/classes/<int:class_id>/cards")
@teacher_required
def login_cards(class_id):
    """Printable cards: each learner's avatar, name and colour, and a QR code of the class page."""
    room = roster.get_class(class_id)
    page = request.host_url.rstrip("/") + class_page_path(room.id)
    return render_template(
        "teach/cards.html",
        room=room,
        learners=roster.list_learners(class_id),
        class_url=page,
        qr=qr_svg(page, _("QR code: %(url)s", url=page)),
    )


def class_page_path(class_id):
    """Return the learners' page for a class (the learner area's, else the home page)."""
    try:
        return url_for("learn.class_page", classroom_id=class_id)
    except BuildError:  # the learner area is not installed: learners start at the home page
        return "/"
