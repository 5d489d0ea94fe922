"""The hub's own accounts: hashed passwords (kit.auth's scheme) and a sign-in rate limit."""

from kit.auth import check_password, hash_password, validate_password, validate_username
from kit.errors import Conflict, Unauthorized

from .db import database
from .enrol import check_rate, note_failure
from .models import HubUser

# Checked when the name is unknown, so a wrong name costs as much as a wrong password.
_DUMMY = hash_password("not-a-real-password")


def add_user(username, password):
    """Create a hub account; refuse a taken name or a short password."""
    name = validate_username(username)
    validate_password(password)
    with database.atomic():
        if HubUser.select().where(HubUser.username == name).exists():
            raise Conflict(f"hub account {name!r} already exists")
        return HubUser.create(username=name, password_hash=hash_password(password))


def sign_in(username, password, remote, config):
    """Return the account for a right name and password; count and limit wrong ones."""
    name = (username or "").strip().lower()
    key = f"signin:{name}:{remote}"
    check_rate(key, config["login_attempts"], config["login_window_s"])
    user = HubUser.get_or_none(HubUser.username == name)
    if not check_password(user.password_hash if user else _DUMMY, password or "") or user is None:
        note_failure(key)
        raise Unauthorized("wrong user name or password")
    return user
