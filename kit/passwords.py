"""Passwords of teachers, admins and the hub's accounts: the rule for a good one, and its hash.

Passwords are hashed with werkzeug's scrypt and a random salt, at N=2^14, r=8, p=5: one
of OWASP's equivalent minimum settings (werkzeug's default, N=2^15 and p=1, is below
them) that needs 16 MB per hash instead of 32 MB, which matters on a 1 GB Pi. Hashes
made with other settings still check, and are re-made at the next good sign-in
(kit.users.authenticate). The hub uses the same scheme for its own accounts.
"""

import functools
import threading

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from .errors import KitError

MIN_PASSWORD = 8
HASH_METHOD = "scrypt:16384:8:5"
# Each hash takes 16 MB. One at a time, so a burst of sign-ins (a school's teachers at
# 8:00, or someone hammering the form) adds 16 MB, not 16 MB each; `kit serve` has glibc
# give such blocks back when freed (kit/server.py). hashlib lets other requests run.
_one_hash_at_a_time = threading.Lock()


@functools.lru_cache(maxsize=1)
def dummy_hash():
    """A hash checked when the user name is unknown, so a wrong name costs as much time as
    a wrong password. Made on first use: scrypt at import added ~0.2 s to every start."""
    return hash_password("not-a-real-password")


def hash_password(password):
    """Return a salted hash of `password` in werkzeug's format."""
    with _one_hash_at_a_time:
        return generate_password_hash(password, method=HASH_METHOD)


def check_password(stored_hash, password):
    """True when `password` matches the stored hash."""
    if not stored_hash:
        return False
    with _one_hash_at_a_time:
        return check_password_hash(stored_hash, password)


def is_current(stored_hash):
    """True when a hash was made with today's settings (else re-make it at the next good sign-in)."""
    return stored_hash.startswith(HASH_METHOD + "$")


def validate_password(password):
    """Raise KitError unless the password is long enough to resist guessing."""
    if not password or len(password) < MIN_PASSWORD:
        raise KitError(_("a password needs at least %(n)s characters", n=MIN_PASSWORD))
    return password
