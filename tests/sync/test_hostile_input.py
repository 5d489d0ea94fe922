"""Hostile input at the hub: body limits before reading, deep nesting, control characters,
malformed USB bundles, spreadsheet formulas: every one a clear 4xx (never a 500), nothing stored."""

import csv
import io
import json
import re
import zlib

import pytest
import requests

from kit.event_schema import BadEvent, validate_event
from sync import credentials, protocol
from sync.bundle_format import sign, signing_key

from .conftest import make_kit


def _token(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _signed_in(hub, next_=None):
    session = requests.Session()
    form = session.get(hub.url + "/signin", timeout=5).text
    response = session.post(
        hub.url + "/signin",
        params={"next": next_} if next_ else None,
        timeout=5,
        data={"username": "admin", "password": "correct horse", "csrf_token": _token(form)},
        allow_redirects=False,
    )
    return session, response


@pytest.fixture
def enrolled(sqlite_hub):
    """(kit_id, auth headers) of a kit enrolled at the hub through the real /sync/v1/enroll."""
    kit_id = "6f1c2a9e-7d3b-4c5a-8e9f-0a1b2c3d4e5f"
    answer = requests.post(
        sqlite_hub.url + "/sync/v1/enroll",
        timeout=5,
        json={"code": sqlite_hub.code("Hostile"), "kit_id": kit_id},
    )
    return kit_id, credentials.auth_header(kit_id, answer.json()["secret"])


def _chunked(data):
    """A body sent with Transfer-Encoding: chunked and no Content-Length."""
    yield from (data[i : i + 4096] for i in range(0, len(data), 4096))


def test_sync_bodies_over_their_limits_are_413_before_reading(sqlite_hub, enrolled):
    _kit_id, headers = enrolled
    # Limits from the settings registry: max_enroll_bytes 16 KiB, max_hello_bytes 256 KiB,
    # and max_batch_bytes (64 KiB in HUB_ENV) for events and records.
    cases = [("/enroll", 16 * 1024), ("/hello", 256 * 1024), ("/events", 64 * 1024), ("/records", 64 * 1024)]
    for path, limit in cases:
        body = b"[" * (limit + 1)  # not JSON either: refused for its size, unread
        for data in (body, _chunked(body)):
            answer = requests.post(sqlite_hub.url + "/sync/v1" + path, data=data, headers=headers, timeout=30)
            assert answer.status_code == 413, (path, answer.text)
            assert answer.json()["error"]["code"] == "too_large"
            assert str(limit) in answer.json()["error"]["message"]
        fits = requests.post(
            sqlite_hub.url + "/sync/v1" + path, data=b"[" * limit, headers=headers, timeout=30
        )
        assert fits.status_code in (400, 422), (path, fits.text)  # read, and refused as not JSON


@pytest.mark.parametrize("depth", [50, 5000])  # 5000: past the parser's stack, under 16 KiB
def test_deeply_nested_json_to_enroll_hello_and_batches_is_a_4xx(sqlite_hub, enrolled, depth):
    kit_id, headers = enrolled
    nested = "[" * depth + "]" * depth
    enrol = requests.post(
        sqlite_hub.url + "/sync/v1/enroll",
        data=nested,
        timeout=10,
        headers={"Content-Type": "application/json"},
    )
    assert enrol.status_code == 400 and enrol.json()["error"]["code"] in ("bad_json", "bad_request")
    hello = requests.post(
        sqlite_hub.url + "/sync/v1/hello",
        timeout=10,
        headers=headers,
        data=json.dumps({"device_ms": 1, "mono_ms": 1})[:-1] + ', "x": ' + nested + "}",
    )
    assert hello.status_code in (400, 200)  # an unknown field nested 50 deep is simply ignored
    deep = nested if depth == 50 else "[" * 200 + "]" * 200
    batch = json.loads(
        zlib.decompress(
            protocol.encode_events(
                kit_id,
                0,
                1,
                [
                    {
                        "seq": 1,
                        "uuid": "0b0e6a8e-6d4f-4a53-9f57-1c6b8b7f5a31",
                        "learner": "a",
                        "pack_id": "p",
                        "lesson_id": "l",
                        "kind": "k",
                        "payload": {},
                        "device_ms": 1,
                        "boot_id": "b",
                        "mono_ms": 1,
                        "received_ms": 1,
                    }
                ],
            )
        )
    )
    batch["pl"] = [{"x": json.loads(deep)}]
    events = requests.post(
        sqlite_hub.url + "/sync/v1/events",
        data=zlib.compress(json.dumps(batch).encode()),
        headers=headers,
        timeout=10,
    )
    assert events.status_code == 422 and "nests more than 32 deep" in events.json()["error"]["message"]
    records = requests.post(
        sqlite_hub.url + "/sync/v1/records",
        headers=headers,
        timeout=10,
        data=protocol.encode_records(
            kit_id, [{"t": "learner", "id": "x", "v": 1, "h": "h", "d": {"x": json.loads(deep)}}]
        ),
    )
    assert records.status_code == 422
    with sqlite_hub.connect() as db:
        assert db.execute("SELECT COUNT(*) FROM hub_event").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM hub_record").fetchone()[0] == 0


@pytest.mark.parametrize("text", ["tab\x00let", "t\ud800", "a\udfffb"])
def test_enroll_and_hello_refuse_text_the_database_cannot_store(sqlite_hub, enrolled, text):
    _kit_id, headers = enrolled
    enrol = requests.post(
        sqlite_hub.url + "/sync/v1/enroll",
        timeout=5,
        headers={"Content-Type": "application/json"},
        data=json.dumps({"code": "ABCD-EFGH-JKMN", "kit_id": "k", "site": text}),
    )
    assert enrol.status_code == 400 and "NUL" in enrol.json()["error"]["message"]
    hello = requests.post(
        sqlite_hub.url + "/sync/v1/hello",
        headers={**headers, "Content-Type": "application/json"},
        timeout=5,
        data=json.dumps({"device_ms": 1, "mono_ms": 1, "boot_id": text}),
    )
    assert hello.status_code == 422 and "'boot_id' holds a NUL" in hello.json()["error"]["message"]


@pytest.mark.parametrize("text", ["tablet-1", "tablette-é✓😀", "tab\x00let", "t\ud800", "\udc00", "x" * 64])
def test_kit_and_hub_refuse_the_same_event_text(text):
    """One rule (kit.storable) on both sides: what the kit accepts, the hub stores."""
    event = {
        "uuid": "0b0e6a8e-6d4f-4a53-9f57-1c6b8b7f5a31",
        "kind": "lesson_opened",
        "pack_id": "p",
        "lesson_id": "l",
        "device_time": "2026-03-01T09:30:00Z",
        "boot_id": text,
        "mono_ms": 1,
    }
    try:
        validate_event(event)
        kit_takes = True
    except BadEvent:
        kit_takes = False
    doc = json.loads(
        zlib.decompress(
            protocol.encode_events(
                "k",
                0,
                1,
                [
                    {
                        "seq": 1,
                        "uuid": event["uuid"],
                        "learner": "a",
                        "pack_id": "p",
                        "lesson_id": "l",
                        "kind": "k",
                        "payload": {},
                        "device_ms": 1,
                        "boot_id": text,
                        "mono_ms": 1,
                        "received_ms": 1,
                    }
                ],
            )
        )
    )
    try:
        protocol.decode_events(doc, "k")
        hub_takes = True
    except protocol.MalformedBatch:
        hub_takes = False
    assert (
        kit_takes == hub_takes == ("\x00" not in text and not any(0xD800 <= ord(c) <= 0xDFFF for c in text))
    )


@pytest.mark.parametrize("target", ["/\r\nSet-Cookie: x=1", "/%0d%0aX", "/kits\x00", "/\x7f"])
def test_sign_in_with_control_characters_in_next_goes_home_not_500(sqlite_hub, target):
    _session, response = _signed_in(sqlite_hub, next_=requests.utils.unquote(target))
    assert response.status_code == 302, response.text[:300]
    assert response.headers["Location"] == "/" and "Set-Cookie: x" not in response.text


def _bundle_of(tmp_path, hub):
    """A real bundle from a real kit, as a dict, and a function that re-signs a changed copy."""
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(2)
    path = tmp_path / "k.kitbundle"
    kit("sync", "export", "--out", path)
    with kit.db():
        from sync.agent.state import get_state

        key = signing_key(get_state().secret)
    return json.loads(path.read_text()), lambda document: json.dumps(sign(document, key)).encode()


BROKEN = {
    "no bundle_id": (lambda d: d.pop("bundle_id"), "bundle_id must be a text"),
    "text for after": (lambda d: d.update(after="ten"), "after and upto must be whole numbers"),
    "list for upto": (lambda d: d.update(upto=[1]), "after and upto must be whole numbers"),
    "number for a batch": (lambda d: d.update(batches=[7]), "lacks its batches or anchors"),
    "no anchors": (lambda d: d.pop("anchors"), "lacks its batches or anchors"),
    "object for records": (lambda d: d.update(records={"a": 1}), "records must be a base64 text"),
    "nested anchors": (lambda d: d.update(anchors=[[[[[1]]]]]), "'anchors' must be a list"),
}


def test_malformed_bundles_on_the_import_page_are_refused_clearly(sqlite_hub, tmp_path):
    document, signed = _bundle_of(tmp_path, sqlite_hub)
    session, _ = _signed_in(sqlite_hub)
    form = session.get(sqlite_hub.url + "/import", timeout=5).text
    uploads = {}
    for name, (change, _message) in BROKEN.items():
        copy = json.loads(json.dumps(document))
        change(copy)
        uploads[name] = signed(copy)
    uploads["nested 100000 deep"] = b"[" * 100_000 + b"]" * 100_000
    messages = dict(BROKEN, **{"nested 100000 deep": (None, "too deeply")})
    for name, body in uploads.items():
        answer = session.post(
            sqlite_hub.url + "/import",
            data={"csrf_token": _token(form)},
            timeout=30,
            files={"bundle": ("x.kitbundle", body)},
        )
        assert answer.status_code == 422, (name, answer.status_code, answer.text[:300])
        assert messages[name][1] in answer.text.replace("&#39;", "'"), (name, answer.text[:2000])
    with sqlite_hub.connect() as db:
        assert db.execute("SELECT COUNT(*) FROM hub_event").fetchone()[0] == 0
    good = session.post(
        sqlite_hub.url + "/import",
        data={"csrf_token": _token(form)},
        timeout=30,
        files={"bundle": ("k.kitbundle", signed(document))},
    )
    assert good.status_code == 200 and "Imported 2 new event(s)" in good.text


def test_report_csv_neutralises_formulas_and_leaves_empty_cells_empty(sqlite_hub, tmp_path):
    make_kit(tmp_path, "k", sqlite_hub)
    with sqlite_hub.db():
        from sync.hub.models import Kit

        Kit.update(site="\t=cmd|' /C calc'!A0", location="").execute()
    session, _ = _signed_in(sqlite_hub)
    text = session.get(sqlite_hub.url + "/reports/kits.csv", timeout=5).text
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["site"] == "'\t=cmd|' /C calc'!A0"
    assert row["location"] == ""
