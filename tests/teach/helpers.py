"""Helpers for teacher and admin tests: accounts, CSRF tokens, signing in, tablet events."""

import datetime as dt
import itertools
import re
import uuid
from pathlib import Path

TEACHER = ("tina", "tina-password-2")
_mono = itertools.count(1)
ROOT = Path(__file__).resolve().parents[2]


def csrf_token(client, url):
    """GET a page and return the CSRF token its forms carry."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def sign_in(client, who=TEACHER):
    """Sign in through the real form (with its CSRF token); return the response."""
    token = csrf_token(client, "/teach/login")
    return client.post("/teach/login", data={"username": who[0], "password": who[1], "csrf_token": token})


def post(client, url, data=None, page=None, **kw):
    """POST a form to `url` with the CSRF token taken from `page` (default /teach/)."""
    data = dict(data or {})
    data["csrf_token"] = csrf_token(client, page or "/teach/")
    return client.post(url, data=data, **kw)


def event(kind, payload=None, lesson="01-count", pack="mini"):
    """Return one well-formed tablet event."""
    return {
        "uuid": str(uuid.uuid4()),
        "kind": kind,
        "pack_id": pack,
        "lesson_id": lesson,
        "device_time": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        "boot_id": "boot-teach",
        "mono_ms": next(_mono),
        "payload": payload or {},
    }
