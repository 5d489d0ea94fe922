"""Enrol codes, kit secrets, request authentication and rate limits at the hub.

A code is shown once, stored as a hash, used once and expires. It is bound when it is
made, by the manager who makes it: to a new kit (whose id the hub has never seen), or
to the re-enrolment of one named kit. Kit ids are not secret (a kit shows its own on
/healthz), so a code for a new kit never takes over a known id, and no code ever lifts a
revocation: a revoked kit stays revoked. Enrolling gives the kit a fresh 256-bit
secret, stored at the hub only as its SHA-256; revoking a kit refuses its every request
from then on. Failed tries are counted per address (in the database: kit.ratelimit) and
refused past a limit, so codes cannot be guessed.
"""

import datetime as dt
import hashlib
import math
import secrets

from peewee import IntegrityError

from kit.errors import Conflict, Forbidden, KitError, NotFound, TooManyRequests, Unauthorized
from kit.ratelimit import FailureLog

from ..credentials import parse_auth, secret_hash
from .db import database
from .models import EnrollCode, Failure, Kit, utcnow

# Codes are read aloud and typed on a phone: no 0/O or 1/I/L to confuse.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


class Revoked(Unauthorized):
    code = "revoked"


def _code_hash(code):
    return hashlib.sha256(code.strip().upper().replace("-", "").encode()).hexdigest()


def find_kit(kit):
    """Return the Kit with this id, or the one kit with this name; raise NotFound or Conflict."""
    found = Kit.get_or_none(Kit.kit_id == kit)
    if found is not None:
        return found
    named = list(Kit.select().where(Kit.name == kit).limit(2))
    if not named:
        raise NotFound(f"no kit {kit!r} at this hub")
    if len(named) > 1:
        raise Conflict(f"more than one kit is called {kit!r}: give its kit id instead")
    return named[0]


def new_code(name, ttl_s, kit=None):
    """Make a one-time enrol code and return it.

    Without `kit` the code enrols one new kit, to be called `name`. With `kit` (an id or
    a name) it re-enrols that kit only (a new secret, after a lost data folder, say);
    `name` then renames it, empty keeps its name. A revoked kit gets no code."""
    name = (name or "").strip()
    for_kit = None
    if kit:
        target = find_kit(kit)
        if target.revoked_at is not None:
            raise Conflict(
                f"kit {target.name!r} ({target.kit_id}) is revoked, and a revoked kit stays "
                "revoked: no code re-enrols it"
            )
        for_kit, name = target.kit_id, name or target.name
    elif not name:
        raise KitError('give the kit a name, e.g. --name "Truck 1"')
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    with database.atomic():
        EnrollCode.create(
            code_hash=_code_hash(raw),
            name=name,
            for_kit=for_kit,
            expires_at=utcnow() + dt.timedelta(seconds=ttl_s),
        )
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


failures = FailureLog(Failure)


def check_rate(key, limit, window_s):
    """Refuse when `key` has failed `limit` times within the window."""
    wait = failures.retry_after(key, limit, window_s)
    if wait:
        raise TooManyRequests(
            f"too many failed tries; wait {math.ceil(wait / 60)} minute(s) and try again", retry_after=wait
        )


def note_failure(*keys):
    """Count one failed try against each key."""
    failures.fail(*keys)


def _code_problem(row):
    """Why this code row cannot be spent at all, or None."""
    if row is None:
        return Unauthorized("this enrol code is not known at the hub (check for typing mistakes)")
    if row.used_at is not None:
        return Unauthorized("this enrol code was already used; ask the hub admin for a new one")
    if row.expires_at < utcnow():
        return Unauthorized("this enrol code has expired; ask the hub admin for a new one")
    return None


def _binding_problem(row, kit):
    """Why this code cannot enrol this kit (None or the Kit row already known), or None."""
    if kit is not None and kit.revoked_at is not None:
        return Forbidden(
            f"kit {kit.kit_id} was revoked at this hub and stays revoked: no enrol code brings it back"
        )
    if row.for_kit is None and kit is not None:
        return Forbidden(
            f"kit {kit.kit_id} is already enrolled at this hub and this code is for a new "
            "kit: ask the hub admin for a code that re-enrols this kit"
        )
    if row.for_kit is not None and (kit is None or row.for_kit != kit.kit_id):
        return Forbidden("this enrol code re-enrols another kit: ask the hub admin for a code for this one")
    return None


def enrol(code, kit_id, site, location, version, remote, config):
    """Spend a code on the kit it is bound to: register a new kit, or re-enrol the named
    one; return the kit's new secret. A refused try spends nothing and is counted."""
    key = f"enrol:{remote}"
    check_rate(key, config["enroll_attempts"], config["enroll_window_s"])
    if not kit_id or len(kit_id) > 64:
        raise KitError("the kit id is missing or too long")
    secret = secrets.token_urlsafe(32)
    try:
        with database.atomic():
            row = EnrollCode.get_or_none(EnrollCode.code_hash == _code_hash(code or ""))
            kit = Kit.get_or_none(Kit.kit_id == kit_id)
            problem = _code_problem(row) or _binding_problem(row, kit)
            if problem is None:
                row.used_at, row.kit_id = utcnow(), kit_id
                row.save()
                fields = {
                    "name": row.name,
                    "site": site or "",
                    "location": location or "",
                    "secret_hash": secret_hash(secret),
                    "version": version or "",
                }
                if kit is None:
                    Kit.create(kit_id=kit_id, **fields)
                else:
                    Kit.update(**fields).where((Kit.id == kit.id) & Kit.revoked_at.is_null()).execute()
    except IntegrityError:  # the same new kit enrolled at this very moment with another code
        problem = Forbidden(f"kit {kit_id} is already enrolled at this hub")
    if problem:
        note_failure(key)
        raise problem
    return {"kit_id": kit_id, "secret": secret, "name": row.name}


def authenticate(header):
    """Return the Kit a request's Authorization header proves, or raise Unauthorized."""
    kit_id, secret = parse_auth(header)
    if kit_id is None:
        raise Unauthorized("this request needs 'Authorization: Bearer KIT_ID.SECRET'")
    kit = Kit.get_or_none(Kit.kit_id == kit_id)
    if kit is None or not secrets.compare_digest(kit.secret_hash, secret_hash(secret)):
        raise Unauthorized("unknown kit or wrong secret: enrol this kit again with a code that re-enrols it")
    if kit.revoked_at is not None:
        raise Revoked("this kit's access was revoked at the hub, and a revoked kit stays revoked")
    return kit


def revoke(kit_id):
    """Refuse every later request from this kit; its records stay."""
    with database.atomic():
        count = Kit.update(revoked_at=utcnow()).where((Kit.kit_id == kit_id) | (Kit.name == kit_id)).execute()
    if not count:
        raise NotFound(f"no kit {kit_id!r} at this hub")
    return count
