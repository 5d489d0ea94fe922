"""Enrol codes, kit secrets, request authentication and rate limits at the hub.

A code is shown once, stored as a hash, used once and expires. Enrolling gives the kit
a fresh 256-bit secret, stored at the hub only as its SHA-256; revoking a kit refuses
its every request from then on. Failed guesses are counted per address and refused
past a limit, so codes cannot be guessed.
"""

import datetime as dt
import hashlib
import secrets

from kit.errors import KitError, TooManyRequests, Unauthorized

from ..protocol import parse_auth, secret_hash
from .db import database
from .models import EnrollCode, Failure, Kit, utcnow

# Codes are read aloud and typed on a phone: no 0/O or 1/I/L to confuse.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class Revoked(Unauthorized):
    code = "revoked"


def _code_hash(code):
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def new_code(name, ttl_s):
    """Create a one-time enrol code for a kit to be called `name`; return the code."""
    name = (name or "").strip()
    if not name:
        raise KitError("give the kit a name, e.g. --name \"Truck 1\"")
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    with database.atomic():
        EnrollCode.create(code_hash=_code_hash(raw), name=name,
                          expires_at=utcnow() + dt.timedelta(seconds=ttl_s))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def check_rate(key, limit, window_s):
    """Refuse when `key` has failed `limit` times within the window."""
    since = utcnow() - dt.timedelta(seconds=window_s)
    if Failure.select().where((Failure.key == key) & (Failure.at > since)).count() >= limit:
        raise TooManyRequests(f"too many failed tries; wait {window_s // 60 or 1} minute(s) and try again")


def note_failure(key):
    """Count one failed try; forget tries older than a day, so the table stays small."""
    with database.atomic():
        Failure.delete().where(Failure.at < utcnow() - dt.timedelta(days=1)).execute()
        Failure.create(key=key)


def enrol(code, kit_id, site, location, version, remote, config):
    """Spend a code: register (or re-enrol) the kit and return its new secret."""
    key = f"enrol:{remote}"
    check_rate(key, config["hub_enroll_attempts"], config["hub_enroll_window_s"])
    if not kit_id or len(kit_id) > 64:
        raise KitError("the kit id is missing or too long")
    secret = secrets.token_urlsafe(32)
    with database.atomic():
        row = EnrollCode.get_or_none(EnrollCode.code_hash == _code_hash(code or ""))
        problem = None
        if row is None:
            problem = "this enrol code is not known at the hub (check for typing mistakes)"
        elif row.used_at is not None:
            problem = "this enrol code was already used; ask the hub admin for a new one"
        elif row.expires_at < utcnow():
            problem = "this enrol code has expired; ask the hub admin for a new one"
        if problem is None:
            row.used_at, row.kit_id = utcnow(), kit_id
            row.save()
            fields = {"name": row.name, "site": site or "", "location": location or "",
                      "secret_hash": secret_hash(secret), "revoked_at": None, "version": version or ""}
            kit = Kit.get_or_none(Kit.kit_id == kit_id)
            if kit is None:
                Kit.create(kit_id=kit_id, **fields)
            else:
                Kit.update(**fields).where(Kit.id == kit.id).execute()
    if problem:
        note_failure(key)
        raise Unauthorized(problem)
    return {"kit_id": kit_id, "secret": secret, "name": row.name}


def authenticate(header):
    """Return the Kit a request's Authorization header proves, or raise Unauthorized."""
    kit_id, secret = parse_auth(header)
    if kit_id is None:
        raise Unauthorized("this request needs 'Authorization: Bearer KIT_ID.SECRET'")
    kit = Kit.get_or_none(Kit.kit_id == kit_id)
    if kit is None or not secrets.compare_digest(kit.secret_hash, secret_hash(secret)):
        raise Unauthorized("unknown kit or wrong secret: enrol this kit again with a new code")
    if kit.revoked_at is not None:
        raise Revoked("this kit's access was revoked at the hub; enrol it again with a new code")
    return kit


def revoke(kit_id):
    """Refuse every later request from this kit; its records stay."""
    with database.atomic():
        count = Kit.update(revoked_at=utcnow()).where(
            (Kit.kit_id == kit_id) | (Kit.name == kit_id)).execute()
    if not count:
        from kit.errors import NotFound

        raise NotFound(f"no kit {kit_id!r} at this hub")
    return count
