"""Downstream changes on the wire: what a remote teacher did at the hub, carried to one kit.

A change is a small JSON object, numbered per kit (``seq``: 1, 2, 3 … with no gaps) and
named for ever (``id``: a UUID). The hub serves them online (GET /sync/v1/changes) and
writes them into a signed USB bundle (``kit hub export-for``); the agent checks each
one here before applying it, so both paths refuse the same malformed change the same way.
See docs/sync-protocol.md, "Downstream changes".
"""

import datetime as dt
import re

from kit.errors import KitError
from kit.storable import is_storable

CHANGES_MAGIC = "classroom-kit-changes"
KINDS = ("assign", "note", "flag", "install_pack")
MAX_TEXT = 500
IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class BadChange(KitError):
    status = 422
    code = "bad_change"


def _text(change, name, required=False, size=MAX_TEXT):
    value = change.get(name, "")
    if not isinstance(value, str) or len(value) > size or not is_storable(value):
        raise BadChange(f"change {change.get('seq')}: {name!r} must be a text of at most {size} characters")
    if required and not value.strip():
        raise BadChange(f"change {change.get('seq')}: {name!r} is empty")
    return value.strip()


def check_change(change):
    """Return a change with only its known fields, each checked; BadChange for anything else."""
    if not isinstance(change, dict):
        raise BadChange("a change must be a JSON object")
    seq, kind = change.get("seq"), change.get("kind")
    if not isinstance(seq, int) or isinstance(seq, bool) or not 0 < seq < 2**53:
        raise BadChange("a change's seq must be a whole number above 0")
    if kind not in KINDS:
        raise BadChange(f"change {seq}: unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    if not isinstance(change.get("id"), str) or not UUID.match(change["id"]):
        raise BadChange(f"change {seq}: its id must be a UUID")
    clean = {
        "seq": seq,
        "id": change["id"],
        "kind": kind,
        "class": _text(change, "class", size=64),
        "learner": _text(change, "learner", size=64),
        "author": _text(change, "author", size=64),
        "made_at": _text(change, "made_at", size=32),
        "text": _text(change, "text", required=kind in ("note", "flag")),
        "pack": _text(change, "pack", required=kind in ("assign", "install_pack"), size=64),
        "lesson": _text(change, "lesson", size=64),
        "due": _text(change, "due", size=10),
        "course": change.get("course", False),  # a hub older than courses sends none
    }
    if not isinstance(clean["course"], bool):
        raise BadChange(f"change {seq}: course must be true or false")
    if clean["course"] and (kind != "assign" or clean["lesson"]):
        raise BadChange(f"change {seq}: only an assignment of a whole pack can be a course")
    for name in ("pack", "lesson"):
        if clean[name] and not IDENT.match(clean[name]):
            raise BadChange(f"change {seq}: {name} {clean[name]!r} is not an id")
    if clean["due"]:
        try:
            dt.date.fromisoformat(clean["due"])
        except ValueError:
            raise BadChange(f"change {seq}: due {clean['due']!r} is not a date like 2026-03-31") from None
    if kind in ("assign", "note") and not clean["class"] and not clean["learner"]:
        raise BadChange(f"change {seq}: a {kind} names a class or a learner")
    if kind == "flag" and not clean["learner"]:
        raise BadChange(f"change {seq}: a flag names a learner")
    return clean


def check_changes(changes):
    """Check a list of changes and that their seqs rise one by one; return them cleaned."""
    if not isinstance(changes, list):
        raise BadChange("changes must be a list")
    clean = [check_change(c) for c in changes]
    for before, after in zip(clean, clean[1:]):
        if after["seq"] != before["seq"] + 1:
            raise BadChange(f"changes must follow one another: {after['seq']} came after {before['seq']}")
    return clean
