"""Teachers' and admins' accounts: names, roles, passwords, and checking a sign-in.

The password scheme is kit.passwords; the limit on failed sign-ins is kit.signin_limits;
the browser's session and the pages' guards are kit.web.guards.
"""

import logging
import re

from flask_babel import gettext as _

from . import signins
from .db import write
from .errors import Conflict, KitError, NotFound, TooManyRequests, Unauthorized
from .models import User
from .passwords import check_password, dummy_hash, hash_password, is_current, validate_password
from .signin_limits import failures, wait_before_trying

logger = logging.getLogger(__name__)

ROLES = ("teacher", "admin")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")


def validate_username(username):
    """Return the user name in canonical form (lower case) or raise KitError saying why."""
    name = (username or "").strip().lower()
    if not USERNAME.match(name):
        raise KitError(
            _(
                "a user name is 2 to 32 characters: lower-case letters, digits, '.', '_' or '-', "
                "starting with a letter or digit"
            )
        )
    return name


def create_user(username, role, password, display_name=""):
    """Add a teacher or an admin; refuse a taken user name or a weak password."""
    name = validate_username(username)
    if role not in ROLES:
        raise KitError(_("role must be teacher or admin, not '%(role)s'", role=role))
    validate_password(password)
    display = (display_name or "").strip() or name
    with write():
        if User.select().where(User.username == name).exists():
            raise Conflict(_("the user name '%(name)s' is already taken", name=name))
        return User.create(
            username=name, display_name=display, role=role, password_hash=hash_password(password)
        )


def set_password(user_id, password, keep_session=None):
    """Replace a user's password and end their sign-ins (except `keep_session`, the
    browser of a user who changes their own)."""
    validate_password(password)
    with write():
        user = get_user(user_id)
        user.password_hash = hash_password(password)
        user.save()
        signins.end_all(user_id=user.id, keep=keep_session)
    return user


def get_user(user_id):
    """Return the User with this id or raise NotFound."""
    user = User.get_or_none(User.id == user_id)
    if user is None:
        raise NotFound(_("no such user"))
    return user


def list_users():
    """Return every user, admins first, then by user name."""
    return list(User.select().order_by(User.role, User.username))  # "admin" sorts first


def has_admin():
    """True once the kit has an active admin (until then /admin/setup is open)."""
    return User.select().where((User.role == "admin") & (User.active == True)).exists()  # noqa: E712


def authenticate(username, password, address):
    """Return the active User for these credentials, or raise Unauthorized/TooManyRequests."""
    name = (username or "").strip().lower()
    key, address_key = f"signin:{name}:{address or ''}", f"signin-from:{address or ''}"
    wait = wait_before_trying(key, address_key)
    if wait:
        raise TooManyRequests(
            _("too many failed sign-ins: wait %(n)s seconds and try again", n=wait), retry_after=wait
        )
    user = User.get_or_none(User.username == name) if name else None
    good = check_password(user.password_hash if user else dummy_hash(), password or "")
    if user is None or not good or not user.active:
        failures.fail(key, address_key)
        logger.warning("failed sign-in for %r from %s", name, address)
        raise Unauthorized(_("wrong user name or password"))
    failures.clear(key)  # not the address's count: a right password must not buy more guesses
    if not is_current(user.password_hash):
        with write():  # made with older settings: re-make it while we know the password
            User.update(password_hash=hash_password(password)).where(User.id == user.id).execute()
    return user
