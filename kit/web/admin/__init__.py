"""Kit administration at /admin: first-run setup, users, packs, the status page, printable sheets.

Until the kit has an admin, /admin/setup is open (to whoever first reaches the kit's
Wi-Fi, which is the person setting it up) and every other teacher or admin page sends
there; once an admin exists, setup answers 404 and every page here needs an admin.
"""

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from ... import signins
from ...db import write
from ...errors import Conflict, KitError, NotFound
from ...identity import create_identity
from ...models import KitIdentity
from ...passwords import validate_password
from ...users import create_user, get_user, has_admin, list_users, set_password, validate_username
from .. import guards
from ..teach import refused_form

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.register_error_handler(CSRFError, refused_form)


def complete_setup(site, location, username, display_name, password):
    """Give the kit its identity (or rename it) and its first admin, in one transaction."""
    site = " ".join((site or "").split())
    if not site:
        raise KitError(_("The site name must not be empty."))
    validate_username(username)
    validate_password(password)
    with write():
        if has_admin():
            raise Conflict(_("This kit already has an admin."))
        ident = KitIdentity.select().first()
        if ident is None:
            create_identity(site, location)
        else:
            ident.site, ident.location = site, (location or "").strip()
            ident.save()
        return create_user(username, "admin", password, display_name)


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """The first-run page: site name, location and the admin's account."""
    if has_admin():
        raise NotFound(_("This kit is already set up. Sign in at /teach."))
    ident = KitIdentity.select().first()
    form = request.form
    if request.method == "POST":
        if form.get("password") != form.get("password2"):
            flash(_("The two passwords are not the same."), "error")
        else:
            try:
                user = complete_setup(
                    form.get("site"),
                    form.get("location"),
                    form.get("username"),
                    form.get("display_name"),
                    form.get("password"),
                )
            except KitError as exc:
                flash(exc.message, "error")
            else:
                guards.sign_in(user)
                flash(_("The kit is ready. Add teachers and content packs here."), "info")
                return redirect(url_for("admin.status"))
    return render_template(
        "admin/setup.html", ident=ident, form=form
    ), 400 if request.method == "POST" else 200


@bp.get("/users")
@guards.admin_required
def users():
    return render_template("admin/users.html", users=list_users())


@bp.post("/users")
@guards.admin_required
def add_user():
    """Add a teacher or an admin from the Users page."""
    form = request.form
    try:
        user = create_user(
            form.get("username"), form.get("role"), form.get("password"), form.get("display_name")
        )
    except KitError as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(name)s can now sign in.", name=user.username), "info")
    return redirect(url_for("admin.users"))


def change_user(user_id, action, password=""):
    """Deactivate, reactivate or set a new password; never lock out the last admin."""
    me = guards.current_user()
    if action == "password":  # ends the user's sign-ins; an admin changing their own keeps this one
        return set_password(user_id, password, keep_session=session.get("sid") if user_id == me.id else None)
    with write():
        user = get_user(user_id)
        if action == "deactivate":
            if user.id == me.id:
                raise KitError(_("You cannot deactivate your own account."))
            user.active = False
            signins.end_all(user_id=user.id)
        elif action == "activate":
            user.active = True
        else:
            raise KitError(_("Unknown action."))
        user.save()
    return user


@bp.post("/users/<int:user_id>")
@guards.admin_required
def edit_user(user_id):
    try:
        user = change_user(user_id, request.form.get("action"), request.form.get("password", ""))
    except KitError as exc:
        flash(exc.message, "error")
    else:
        flash(_("%(name)s saved.", name=user.username), "info")
    return redirect(url_for("admin.users"))


@bp.context_processor
def _context():
    return {"kit_user": guards.current_user() if "user_id" in session else None}


def init_app(app):
    """Register /admin and send every teacher or admin page to setup until an admin exists."""
    from . import packs, status  # noqa: F401  (they register routes on bp)

    app.register_blueprint(bp)

    @app.before_request
    def _first_run():
        """Send people to the setup page while the kit has no admin."""
        if (
            request.path.startswith(("/teach", "/admin"))
            and request.endpoint != "admin.setup"
            and request.endpoint != "static"
            and not has_admin()
        ):
            return redirect(url_for("admin.setup"))
        return None
