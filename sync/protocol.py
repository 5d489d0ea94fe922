"""The wire format shared by the agent and the hub: compact event batches, records, auth.

An event batch is columnar JSON compressed with zlib: each field is one list, strings
that repeat (learners, packs, lessons, kinds, boot ids) are stored once in a table and
referenced by index, numbers that grow (sequence, times) are stored as deltas. With
zlib on top this costs about 25-35 bytes per event, most of it the random UUID.
docs/sync-protocol.md is the reference; keep the two in step.
"""

import json
import re
import zlib

from kit.body_limits import BodyTooLarge
from kit.errors import Forbidden, KitError
from kit.storable import MAX_DEPTH, UNSTORABLE, too_deep

FORMAT = 1
PREFIX = "/sync/v1"
EVENTS_TYPE = "application/vnd.classroom-kit.events+zlib"
RECORDS_TYPE = "application/vnd.classroom-kit.records+zlib"
BUNDLE_MAGIC = "classroom-kit-bundle"
RECEIPT_MAGIC = "classroom-kit-receipt"
MAX_STRING = 200
MAX_PAYLOAD_BYTES = 8192
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
RECORD_KINDS = ("user", "classroom", "learner", "session")
MAX_INT = 2**53  # JSON-safe, and fits PostgreSQL's BIGINT
MIN_MS, MAX_MS = -62_135_596_800_000, 253_402_300_799_999  # years 1 to 9999: a datetime can hold them


class MalformedBatch(KitError):
    """A batch that can never be stored as sent: the kit sets it aside, never retries it."""

    status = 422
    code = "malformed_batch"


class CorruptTransfer(KitError):
    """The body did not arrive whole (checksum or compression broken): worth a retry."""

    status = 400
    code = "corrupt_transfer"


class TooLarge(BodyTooLarge):
    """A body that inflates past the hub's limit (kit.body_limits refuses one sent too large)."""


def compress(document):
    return zlib.compress(json.dumps(document, separators=(",", ":")).encode("utf-8"), 9)


def decompress(body, max_bytes):
    """Inflate a zlib body, refusing truncated streams and anything over max_bytes."""
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(body, max_bytes + 1)
    except zlib.error as exc:
        raise CorruptTransfer(f"the body is not a whole zlib stream ({exc})") from None
    if len(raw) > max_bytes:
        raise TooLarge(f"the batch inflates to more than {max_bytes} bytes")
    if not inflater.eof:
        raise CorruptTransfer("the body is truncated: the zlib stream does not end")
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise MalformedBatch(f"the batch is not JSON ({exc})") from None
    except RecursionError:
        raise MalformedBatch("the batch nests too deeply to be real") from None


class _Table:
    """Strings stored once; the column holds 1-based indexes, 0 for empty or missing."""

    def __init__(self):
        self.values, self.index = [], {}

    def ref(self, value):
        if not value:
            return 0
        if value not in self.index:
            self.values.append(value)
            self.index[value] = len(self.values)
        return self.index[value]


def _deltas(values):
    out, prev = [], 0
    for value in values:
        if value is None:
            out.append(None)
        else:
            out.append(value - prev)
            prev = value
    return out


def _undeltas(values):
    out, prev = [], 0
    for value in values:
        if value is None:
            out.append(None)
        else:
            prev += value
            out.append(prev)
    return out


TABLED = (
    ("learner", "lrn", "L"),
    ("pack_id", "pk", "P"),
    ("lesson_id", "ls", "S"),
    ("kind", "k", "K"),
    ("boot_id", "b", "B"),
)
DELTAS = (("device_ms", "dt"), ("mono_ms", "mo"), ("received_ms", "rc"))


def encode_events(kit_id, after, upto, events, skipped=()):
    """Return the zlib body for events (dicts) covering seqs (after, upto]."""
    doc = {"f": FORMAT, "kit": kit_id, "after": after, "upto": upto, "skip": list(skipped), "n": len(events)}
    ids = [e["uuid"] for e in events]
    if all(UUID_RE.match(u) for u in ids):
        doc["id"] = "".join(u.replace("-", "") for u in ids)
    else:
        doc["ids"] = ids
    doc["seq"] = _deltas([after] + [e["seq"] for e in events])[1:]
    for field, column, table_name in TABLED:
        table = _Table()
        doc[column] = [table.ref(e.get(field)) for e in events]
        doc[table_name] = table.values
    doc["pl"] = [e.get("payload") or {} for e in events]
    for field, column in DELTAS:
        doc[column] = _deltas([e.get(field) for e in events])
    return compress(doc)


# json.dumps without an encoder per call; keys sorted as the hub stores a payload ("payload_json")
_compact = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode


def _need(condition, message, seq=None):
    if not condition:
        details = {"seq": seq} if seq is not None else {}
        raise MalformedBatch(message, **details)


def _fits(values, kind, nullable=False):
    """Check a whole column at C speed: JSON values of `kind` (ints under MAX_INT), or None if nullable."""
    if nullable and None in values:
        values = [v for v in values if v is not None]
    if not set(map(type, values)) <= {kind}:  # JSON has no subclasses of int or str but bool
        return False
    return kind is not int or not values or (-MAX_INT < min(values) and max(values) < MAX_INT)


def _column(doc, name, n, kinds, nullable=False):
    values = doc.get(name)
    _need(isinstance(values, list) and len(values) == n, f"column {name!r} must be a list of {n} values")
    if _fits(values, kinds, nullable):
        return values
    for value in values:  # find the culprit for the message
        ok = (value is None and nullable) or (
            isinstance(value, kinds)
            and not isinstance(value, bool)
            and (not isinstance(value, int) or abs(value) < MAX_INT)
        )
        _need(ok, f"column {name!r} holds a value of the wrong type or size: {str(value)[:40]}")
    return values


def _table(doc, name):
    values = doc.get(name)
    _need(isinstance(values, list), f"table {name!r} must be a list")
    for value in values:
        _need(
            isinstance(value, str) and 0 < len(value) <= MAX_STRING,
            f"table {name!r} holds an empty, non-text or over-long value",
        )
        _need(not UNSTORABLE.search(value), f"table {name!r} holds a NUL character or an unpaired surrogate")
    return values


def _header(doc, kit_id):
    _need(isinstance(doc, dict), "the batch must be a JSON object")
    _need(doc.get("f") == FORMAT, f"unknown batch format {doc.get('f')!r} (this hub reads {FORMAT})")
    if doc.get("kit") != kit_id:
        raise Forbidden(f"this batch belongs to kit {doc.get('kit')!r}, but you are kit {kit_id}")
    after, upto, n = doc.get("after"), doc.get("upto"), doc.get("n")
    for name, value in (("after", after), ("upto", upto), ("n", n)):
        _need(
            isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_INT,
            f"{name!r} must be a whole number >= 0",
        )
    _need(upto >= after, "'upto' must not be below 'after'")
    _need(n <= upto - after, f"{n} events cannot fit in seqs ({after}, {upto}]")
    skip = doc.get("skip", [])
    _need(
        isinstance(skip, list)
        and all(isinstance(s, int) and not isinstance(s, bool) and after < s <= upto for s in skip),
        "'skip' must list seqs inside (after, upto]",
    )
    return after, upto, n, skip


def _uuids(doc, n):
    if "id" in doc:
        packed = doc["id"]
        _need(
            isinstance(packed, str) and len(packed) == 32 * n and re.fullmatch(r"[0-9a-f]*", packed),
            "column 'id' must be 32 hex digits per event",
        )
        return [
            f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"  # str(UUID(h)), as h is lowercase hex
            for h in (packed[i : i + 32] for i in range(0, 32 * n, 32))
        ]
    ids = _column(doc, "ids", n, str)
    for value in ids:
        _need(0 < len(value) <= 64, f"event id {value[:70]!r} is empty or longer than 64")
        _need(
            not UNSTORABLE.search(value), f"event id {value!r} holds a NUL character or an unpaired surrogate"
        )
    return ids


def decode_events(doc, kit_id):
    """Validate a decoded batch document; return (after, upto, skipped, events).

    Each event also carries "payload_json": its payload as stored (made here while checking it).

    Each check runs on a whole column first; only a column that fails is walked value by
    value, to name the first culprit (and its seq) in the message.
    """
    after, upto, n, skip = _header(doc, kit_id)
    ids = _uuids(doc, n)
    steps = _column(doc, "seq", n, int)
    seqs = _undeltas([after] + steps)[1:]
    if seqs and not (min(steps) > 0 and seqs[-1] <= upto):
        prev = after
        for seq in seqs:
            _need(prev < seq <= upto, f"seq {seq} is out of order or outside ({after}, {upto}]", seq)
            prev = seq
    _need(not set(skip) & set(seqs), "a seq is both sent and skipped")
    columns = {"seq": seqs, "uuid": ids}
    for field, column, table_name in TABLED:
        table = _table(doc, table_name)
        refs = _column(doc, column, n, int)
        if refs and (min(refs) < 0 or max(refs) > len(table)):
            for seq, ref in zip(seqs, refs):
                _need(0 <= ref <= len(table), f"column {column!r} points outside its table", seq)
        lookup = [""] + table
        columns[field] = [lookup[ref] for ref in refs]
    for field, column in DELTAS:
        columns[field] = _undeltas(_column(doc, column, n, int, nullable=True))
    payloads = doc.get("pl")
    _need(isinstance(payloads, list) and len(payloads) == n, "column 'pl' must hold one payload per event")
    texts = []
    for seq, payload in zip(seqs, payloads):
        _need(isinstance(payload, dict), "an event's payload must be a JSON object", seq)
        text = _encoded(payload, seq)
        _need(
            len(text) <= MAX_PAYLOAD_BYTES, f"payload of {len(text)} bytes is over {MAX_PAYLOAD_BYTES}", seq
        )
        texts.append(text)
    columns["payload"] = payloads
    columns["payload_json"] = texts
    if not _times_fit(columns["device_ms"], columns["received_ms"]):
        for seq, device_ms, received_ms in zip(seqs, columns["device_ms"], columns["received_ms"]):
            _need(received_ms is not None, "every event needs the kit's receipt time", seq)
            for field, value in (("device_ms", device_ms), ("received_ms", received_ms)):
                _need(value is None or MIN_MS <= value <= MAX_MS, f"{field} {value} is not a time", seq)
    return after, upto, skip, [dict(zip(columns, values)) for values in zip(*columns.values())]


def split_events(doc, kit_id):
    """Cut a batch into one-event batches [(seq, uuid, doc)], to find the events that fail alone.

    The hub's USB import uses it where the agent halves a refused batch (docs/sync-protocol.md):
    a bundle cannot be asked again. The frame must be sound (header, column lengths and types,
    seqs in order); only what one event holds may be wrong, and that event then fails alone.
    """
    after, upto, n, skip = _header(doc, kit_id)
    seqs = _undeltas([after] + _column(doc, "seq", n, int))[1:]
    _need(
        all(a < b for a, b in zip([after] + seqs, seqs)) and (not seqs or seqs[-1] <= upto),
        f"the batch's seqs are out of order or outside ({after}, {upto}]",
    )
    _need(not set(skip) & set(seqs), "a seq is both sent and skipped")
    if "id" in doc:
        _need(
            isinstance(doc["id"], str) and len(doc["id"]) == 32 * n,
            "column 'id' must be 32 hex digits per event",
        )
        ids = [doc["id"][i : i + 32] for i in range(0, 32 * n, 32)]
    else:
        ids = _column(doc, "ids", n, str)
    tables = {column: (_column(doc, column, n, int), doc.get(name)) for _, column, name in TABLED}
    _need(all(isinstance(table, list) for _, table in tables.values()), "every table must be a list")
    times = {column: _undeltas(_column(doc, column, n, int, nullable=True)) for _, column in DELTAS}
    payloads = doc.get("pl")
    _need(isinstance(payloads, list) and len(payloads) == n, "column 'pl' must hold one payload per event")
    singles = []
    for i, seq in enumerate(seqs):
        one = {
            "f": FORMAT,
            "kit": kit_id,
            "after": seq - 1,
            "upto": seq,
            "skip": [],
            "n": 1,
            "seq": [1],
            "pl": [payloads[i]],
            **{column: [values[i]] for column, values in times.items()},
            **({"id": ids[i]} if "id" in doc else {"ids": [ids[i]]}),
        }
        for (_, column, name), (refs, table) in zip(TABLED, tables.values()):
            inside = 1 <= refs[i] <= len(table)
            one[column], one[name] = ([1], [table[refs[i] - 1]]) if inside else ([refs[i]], [])
        uuid = (
            f"{ids[i][:8]}-{ids[i][8:12]}-{ids[i][12:16]}-{ids[i][16:20]}-{ids[i][20:]}"
            if "id" in doc
            else ids[i]
        )
        singles.append((seq, uuid, one))
    return after, upto, skip, singles


def _encoded(value, seq=None):
    """Return `value` as compact JSON, refusing nesting past MAX_DEPTH (so storing it never runs out of stack)."""
    try:
        text = _compact(value)
    except RecursionError:
        text = None
    _need(text is not None and not too_deep(text), f"a payload nests more than {MAX_DEPTH} deep", seq)
    return text


def _times_fit(device, received):
    """True when every event has a receipt time and every time is within years 1 to 9999."""
    if None in received:
        return False
    device = [v for v in device if v is not None]
    return all(
        not values or (MIN_MS <= min(values) and max(values) <= MAX_MS) for values in (device, received)
    )


def check_anchors(anchors):
    """Check [[id, boot_id, wall_ms, mono_ms, last_seq], …] strictly; return it."""
    ok = isinstance(anchors, list) and all(
        isinstance(a, list)
        and len(a) == 5
        and isinstance(a[1], str)
        and len(a[1]) <= 64
        and not UNSTORABLE.search(a[1])
        and all(
            isinstance(x, int) and not isinstance(x, bool) and abs(x) < MAX_INT
            for x in (a[0], a[2], a[3], a[4])
        )
        and MIN_MS <= a[2] <= MAX_MS
        for a in anchors
    )
    if not ok:
        raise MalformedBatch("'anchors' must be a list of [id, boot_id, wall_ms, mono_ms, last_seq]")
    return anchors


def encode_records(kit_id, records):
    """Return the zlib body for versioned upserts [{"t", "id", "v", "h", "d"}]."""
    return compress({"f": FORMAT, "kit": kit_id, "records": records})


def decode_records(doc, kit_id):
    """Validate a decoded records document; return its list of records."""
    _need(isinstance(doc, dict) and doc.get("f") == FORMAT, "not a records document of format 1")
    if doc.get("kit") != kit_id:
        raise Forbidden(f"these records belong to kit {doc.get('kit')!r}, but you are kit {kit_id}")
    records = doc.get("records")
    _need(isinstance(records, list), "'records' must be a list")
    for rec in records:
        _need(
            isinstance(rec, dict) and rec.get("t") in RECORD_KINDS,
            f"a record's kind must be one of {', '.join(RECORD_KINDS)}",
        )
        _need(
            isinstance(rec.get("id"), str) and 0 < len(rec["id"]) <= 64 and not UNSTORABLE.search(rec["id"]),
            "a record needs an id (up to 64 characters, no NUL)",
        )
        _need(
            isinstance(rec.get("v"), int) and not isinstance(rec.get("v"), bool) and 1 <= rec["v"] < 2**31,
            "a record's version must be a whole number >= 1",
        )
        _need(isinstance(rec.get("d"), dict), "a record's data must be a JSON object")
        _encoded(rec["d"])
        _need(
            isinstance(rec.get("h"), str) and len(rec["h"]) <= 64 and not UNSTORABLE.search(rec["h"]),
            "a record needs its digest 'h'",
        )
    return records
