"""The hub's own accounts: hashed passwords (kit.passwords' scheme), a sign-in rate limit, and
the changes that end an account's sign-ins (a new password, switching it off)."""

from kit.errors import Conflict, NotFound, Unauthorized
from kit.passwords import check_password, dummy_hash, hash_password, validate_password
from kit.users import validate_username

from . import signins
from .db import database
from .enrol import check_rate, failures, note_failure
from .models import HubUser
from .scopes import MANAGER, check_role


def add_user(username, password, role=MANAGER):
    """Create a hub account (a programme manager unless told); refuse a taken name or a short password."""
    name = validate_username(username)
    validate_password(password)
    check_role(role)
    with database.atomic():
        if HubUser.select().where(HubUser.username == name).exists():
            raise Conflict(f"hub account {name!r} already exists")
        return HubUser.create(username=name, password_hash=hash_password(password), role=role)


def _get(username):
    user = HubUser.get_or_none(HubUser.username == (username or "").strip().lower())
    if user is None:
        raise NotFound(f"no hub account {username!r}")
    return user


def set_password(username, password):
    """Give an account a new password and end every one of its sign-ins."""
    validate_password(password)
    user = _get(username)
    with database.atomic():
        HubUser.update(password_hash=hash_password(password)).where(HubUser.id == user.id).execute()
        signins.end_all(user.username)
    return user


def set_active(username, active):
    """Switch an account on or off; switching it off ends its sign-ins at once."""
    user = _get(username)
    with database.atomic():
        HubUser.update(active=bool(active)).where(HubUser.id == user.id).execute()
        if not active:
            signins.end_all(user.username)
    return user


def sign_in(username, password, remote, config):
    """Return the active account for a right name and password; count and limit wrong ones,
    per name and address and per address across names."""
    name = (username or "").strip().lower()
    key, address_key = f"signin:{name}:{remote}", f"signin-from:{remote}"
    check_rate(key, config["login_attempts"], config["login_window_s"])
    check_rate(address_key, config["login_address_attempts"], config["login_window_s"])
    user = HubUser.get_or_none(HubUser.username == name)
    good = check_password(user.password_hash if user else dummy_hash(), password or "")
    if user is None or not good or not user.active:
        note_failure(key, address_key)
        raise Unauthorized("wrong user name or password")
    failures.clear(key)  # not the address's count: a right password must not buy more guesses
    return user
