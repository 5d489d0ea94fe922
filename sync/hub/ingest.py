"""Store what kits send, idempotently, each batch in one transaction.

An event is stored once: its UUID is unique, and a repeat is a no-op. (Seqs are not unique:
a kit restored from an older backup reuses them for new events, which must still be kept.) A batch also declares the seqs it covers, (after, upto]; the hub
answers with the highest seq up to which it holds everything (``ack``), merging ranges
delivered out of order (a USB bundle ahead of the online cursor, say).
"""

import json
import logging

from .. import protocol
from . import certificates, summaries
from .db import database, dialect
from .models import DAY_MS, HubSetAside, Kit, Range, Record, ms_to_dt, utcnow
from .timefix import corrected_times

logger = logging.getLogger(__name__)

COLUMNS = (
    "kit_id",
    "seq",
    "uuid",
    "learner_uuid",
    "pack_id",
    "lesson_id",
    "kind",
    "payload",
    "device_time",
    "corrected_time",
    "time_estimated",
    "boot_id",
    "mono_ms",
    "kit_received_at",
    "stored_at",
    "via",
)
CHUNK = 999  # bound parameters per lookup: under SQLite's oldest limit
_payload_text = json.JSONEncoder(separators=(",", ":"), sort_keys=True).encode


def _timestamp(ms):
    """SQL for a column of milliseconds since 1970 as a timestamp, exact to the millisecond.

    Whole days, then the milliseconds within the day: interval arithmetic is in float8, which
    would round a millisecond count near the year 9999 (×1000 µs is past 2**53).
    """
    return f"timestamp '1970-01-01' + ({ms} / {DAY_MS}) * interval '1 day' + ({ms} %% {DAY_MS}) * interval '1 millisecond'"


# One statement a batch on PostgreSQL: the batch's columns as 13 array parameters, unnested.
# Times go as milliseconds and become timestamps in SQL (formatting them in Python cost 2 µs each).
_UNNESTED = (
    ("seq", "bigint"),
    ("uuid", "text"),
    ("learner", "text"),
    ("pack", "text"),
    ("lesson", "text"),
    ("kind", "text"),
    ("payload", "text"),
    ("device", "bigint"),
    ("corrected", "bigint"),
    ("estimated", "boolean"),
    ("boot", "text"),
    ("mono", "bigint"),
    ("received", "bigint"),
)
_PG_INSERT = (
    f"INSERT INTO hub_event ({', '.join(COLUMNS)}) "
    f"SELECT %s, seq, uuid, learner, pack, lesson, kind, payload, {_timestamp('device')}, {_timestamp('corrected')}, "
    f"estimated, boot, mono, {_timestamp('received')}, %s, %s "
    f"FROM unnest({', '.join(f'%s::{kind}[]' for _, kind in _UNNESTED)}) "
    f"AS batch({', '.join(name for name, _ in _UNNESTED)}) "
    "ORDER BY uuid ON CONFLICT DO NOTHING RETURNING uuid"
)


def _texts(values):
    """A PostgreSQL array literal of texts: one parameter the server reads at C speed.

    (psycopg2 sends a list as ARRAY['a', 'b', …]: a constant per value for the parser to make.)
    """
    if not values:
        return "{}"
    body = '","'.join(values)
    if body.count('"') == 2 * (len(values) - 1) and "\\" not in body:  # nothing to escape: one join
        return '{"' + body + '"}'
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def _numbers(values):
    """A PostgreSQL array literal of whole numbers or None (NULL); no number's text holds "None"."""
    return "{" + ",".join(map(str, values)).replace("None", "NULL") + "}"


def _payload(e):
    """The event's payload as stored: protocol.decode_events made it while checking the batch."""
    return e.get("payload_json") or _payload_text(e["payload"])


def _placed(times):
    """Clamp corrected times into what a timestamp holds: [(ms, estimated)]."""
    return [(min(max(true_ms, protocol.MIN_MS), protocol.MAX_MS), estimated) for true_ms, estimated in times]


def _rows(kit, events, times, via):
    """Return the events as plain tuples in COLUMNS order (no peewee per row: it cost most of the time)."""
    now = utcnow()
    return [
        (
            kit.kit_id,
            e["seq"],
            e["uuid"],
            e["learner"],
            e["pack_id"],
            e["lesson_id"],
            e["kind"],
            _payload(e),
            ms_to_dt(e["device_ms"]),
            ms_to_dt(true_ms),
            estimated,
            e["boot_id"],
            e["mono_ms"],
            ms_to_dt(e["received_ms"]),
            now,
            via,
        )
        for e, (true_ms, estimated) in zip(events, times)
    ]


def _insert(kit, events, times, via):
    """Insert the events the hub does not hold yet; return (the events this call stored, {uuid: kit_id}
    of the others' holders).

    SQLite: its write lock is held from the batch's first read, so the events not held before
    the insert are exactly the events it stores (one executemany).
    """
    if not events:
        return [], {}
    if dialect() == "postgresql":
        return _insert_pg(kit, events, times, via)
    holders = _holders(events)
    new = [(e, t) for e, t in zip(events, times) if e["uuid"] not in holders]
    rows = _rows(kit, [e for e, _ in new], [t for _, t in new], via)
    database.cursor().executemany(
        f"INSERT INTO hub_event ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))}) "
        f"ON CONFLICT DO NOTHING",
        rows,
    )
    return [e for e, _ in new], holders


def _insert_pg(kit, events, times, via):
    """PostgreSQL: one INSERT … SELECT FROM unnest(…) ON CONFLICT DO NOTHING RETURNING uuid for the batch.

    No look-up first: another kit's transaction may store the same UUID between a look-up and
    our insert (a cloned card), and only RETURNING says which rows were ours; the unique index
    checks each UUID anyway. The holders of the rest are read after. Rows go in UUID order, so
    two such transactions wait on each other in one order and never deadlock. Before: a
    look-up of every UUID, then COPY into a temporary table made and dropped for each batch
    (catalogue writes), then the INSERT (docs/performance.md has the measurements).
    """
    columns = (
        [e["seq"] for e in events],
        [e["uuid"] for e in events],
        [e["learner"] for e in events],
        [e["pack_id"] for e in events],
        [e["lesson_id"] for e in events],
        [e["kind"] for e in events],
        [_payload(e) for e in events],
        [e["device_ms"] for e in events],
        [ms for ms, _ in times],
        "{" + ",".join("t" if estimated else "f" for _, estimated in times) + "}",
        [e["boot_id"] for e in events],
        [e["mono_ms"] for e in events],
        [e["received_ms"] for e in events],
    )
    arrays = [
        column if kind == "boolean" else _numbers(column) if kind == "bigint" else _texts(column)
        for column, (_, kind) in zip(columns, _UNNESTED)
    ]
    cursor = database.cursor()
    cursor.execute(_PG_INSERT, (kit.kit_id, utcnow(), via, *arrays))
    stored = {row[0] for row in cursor.fetchall()}
    rest = [e for e in events if e["uuid"] not in stored]
    return [e for e in events if e["uuid"] in stored], _holders(rest) if rest else {}


def _locked(kit):
    """Re-read the kit's row, locked for this transaction (SQLite's write lock already is)."""
    query = Kit.select().where(Kit.id == kit.id)
    if dialect() == "postgresql":  # a bundle import and an online batch may race on acked_seq
        query = query.for_update()
    return query.get()


def _holders(events):
    """Return {uuid: kit_id} for the batch's event UUIDs the hub already holds, for any kit."""
    uuids = [e["uuid"] for e in events]
    if dialect() == "postgresql":  # one array parameter: an IN list of 999 cost the server 10 ms
        return dict(
            database.execute_sql(
                "SELECT uuid, kit_id FROM hub_event WHERE uuid = ANY(%s::text[])", (_texts(uuids),)
            )
        )
    held = {}
    for start in range(0, len(uuids), CHUNK):
        part = uuids[start : start + CHUNK]
        held.update(
            database.execute_sql(
                f"SELECT uuid, kit_id FROM hub_event WHERE uuid IN ({', '.join('?' * len(part))})", part
            )
        )
    return held


def _clear_set_aside(kit, stored):
    """Drop the set-aside notes for events now stored ({seq: uuid}): the kit's (uuid '') and the hub's."""
    param = database.param
    notes = database.execute_sql(
        f"SELECT id, seq, uuid FROM hub_set_aside WHERE kit_id = {param} AND seq >= {param} "
        f"AND seq <= {param}",
        (kit.kit_id, min(stored), max(stored)),
    ).fetchall()
    ids = [note_id for note_id, seq, uuid in notes if seq in stored and uuid in ("", stored[seq])]
    if ids:
        HubSetAside.delete().where(HubSetAside.id.in_(ids)).execute()


def _set_aside(kit, seq, uuid, reason):
    (HubSetAside.insert(kit_id=kit.kit_id, seq=seq, uuid=uuid, reason=reason).on_conflict_ignore().execute())


def _first_of_each(events):
    """Return the batch without repeats of an event UUID (a kit's bug): the first seq keeps it."""
    seen, unique = set(), []
    for e in events:
        if e["uuid"] not in seen:
            seen.add(e["uuid"])
            unique.append(e)
    return unique


def store_events(kit, after, upto, skipped, events, via="online", refused=()):
    """Store one batch in one transaction; return {"ack", "stored", "duplicates", "conflicts"}.

    Counted once under concurrency: "stored" is what this transaction inserted, never what it
    meant to insert; an event another kit stored first is that kit's, and set aside here.
    `refused`: [(seq, uuid, reason)] the hub itself set aside from a USB bundle's batch.
    """
    with database.atomic():
        kit = _locked(kit)  # one batch of a kit at a time: its cursor moves under this lock
        unique = _first_of_each(events)
        times = _placed(corrected_times(kit, unique))
        placed = dict(zip((e["uuid"] for e in unique), times))
        new, holders = _insert(kit, unique, times, via)
        stored = {e["uuid"] for e in new}
        summaries.add(
            [
                (
                    kit.kit_id,
                    e["kind"],
                    e["learner"],
                    e["pack_id"],
                    e["lesson_id"],
                    _payload(e),
                    summaries.month_of_ms(placed[e["uuid"]][0]),
                )
                for e in new
            ]
        )
        certificates.take_stored(kit, [e["uuid"] for e in new if e["kind"] == certificates.KIND])
        owners = {uuid: other for uuid, other in holders.items() if other != kit.kit_id}
        conflicts = [e for e in events if e["uuid"] in owners]
        for e in conflicts:
            _set_aside(kit, e["seq"], e["uuid"], f"event id already recorded by kit {owners[e['uuid']]}")
        for seq in skipped:
            _set_aside(kit, seq, "", "set aside by the kit as malformed")
        for seq, uuid, reason in refused:
            _set_aside(kit, seq, uuid, f"set aside by the hub: {reason}")
        if stored:  # an event once set aside has now arrived: no longer a problem
            _clear_set_aside(kit, {e["seq"]: e["uuid"] for e in new})
        ack = _cover(kit, after, upto)
        Kit.update(
            acked_seq=ack, events_received=Kit.events_received + len(stored), last_contact=utcnow()
        ).where(Kit.id == kit.id).execute()
    if owners:
        logger.warning("kit %s sent %d event ids owned by other kits", kit.kit_id, len(owners))
    return {
        "ack": ack,
        "stored": len(stored),
        "duplicates": len(events) - len(stored) - len(conflicts),
        "conflicts": len(conflicts),
    }


def _cover(kit, after, upto):
    """Merge (after, upto] into what the kit has delivered; return the contiguous top."""
    ack = kit.acked_seq
    if after > ack:
        Range.create(kit_id=kit.kit_id, after_seq=after, upto_seq=upto)
        return ack
    ack = max(ack, upto)
    while True:
        ranges = list(Range.select().where((Range.kit_id == kit.kit_id) & (Range.after_seq <= ack)))
        if not ranges:
            return ack
        for r in ranges:
            ack = max(ack, r.upto_seq)
        Range.delete().where(Range.id.in_([r.id for r in ranges])).execute()


def store_records(kit, records):
    """Upsert versioned records; the newest version wins; another kit's records are refused."""
    accepted, refused = 0, []
    with database.atomic():
        for rec in records:
            row = Record.get_or_none((Record.kind == rec["t"]) & (Record.uuid == rec["id"]))
            data = json.dumps(rec["d"], separators=(",", ":"), sort_keys=True)
            if row is None:
                Record.create(
                    kit_id=kit.kit_id,
                    kind=rec["t"],
                    uuid=rec["id"],
                    version=rec["v"],
                    digest=rec["h"],
                    data=data,
                )
                accepted += 1
            elif row.kit_id != kit.kit_id:
                refused.append({"t": rec["t"], "id": rec["id"], "reason": "owned by another kit"})
            else:
                if rec["v"] >= row.version:
                    Record.update(version=rec["v"], digest=rec["h"], data=data, updated_at=utcnow()).where(
                        Record.id == row.id
                    ).execute()
                accepted += 1
    return {"accepted": accepted, "refused": refused}
