"""Store what kits send, idempotently, each batch in one transaction.

An event is stored once: its UUID is unique, and a repeat is a no-op. (Seqs are not unique:
a kit restored from an older backup reuses them for new events, which must still be kept.) A batch also declares the seqs it covers, (after, upto]; the hub
answers with the highest seq up to which it holds everything (``ack``), merging ranges
delivered out of order (a USB bundle ahead of the online cursor, say).
"""

import csv
import io
import json
import logging

from .. import protocol
from . import certificates, summaries
from .db import database, dialect
from .models import HubSetAside, Kit, Range, Record, ms_to_dt, utcnow
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


def _rows(kit, events, via):
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
            _payload_text(e["payload"]),
            ms_to_dt(e["device_ms"]),
            ms_to_dt(min(max(true_ms, protocol.MIN_MS), protocol.MAX_MS)),
            estimated,
            e["boot_id"],
            e["mono_ms"],
            ms_to_dt(e["received_ms"]),
            now,
            via,
        )
        for e, (true_ms, estimated) in zip(events, corrected_times(kit, events))
    ]


def _insert(rows):
    """Insert rows, skipping UUIDs already held; return the UUIDs this call stored.

    SQLite takes them with one executemany: its write lock is held from the batch's first
    read, so the rows not yet held are exactly the rows stored. PostgreSQL takes them with
    COPY (a 2,000-row INSERT … VALUES cost the server about three times as much: it parses
    32,000 literals) into a temporary scratch table, then one INSERT … ON CONFLICT DO NOTHING
    RETURNING: another kit's transaction may store the same UUID between our look-up and our
    insert (a cloned card), and only RETURNING says which rows were ours. Rows go in UUID
    order, so two such transactions wait on each other in one order and never deadlock.
    """
    if not rows:
        return set()
    columns = ", ".join(COLUMNS)
    cursor = database.cursor()
    if dialect() != "postgresql":
        cursor.executemany(
            f"INSERT INTO hub_event ({columns}) VALUES ({', '.join('?' * len(COLUMNS))}) "
            f"ON CONFLICT DO NOTHING",
            rows,
        )
        return {row[2] for row in rows}
    text = io.StringIO()
    csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)  # None -> ""
    text.seek(0)
    cursor.execute(
        f"CREATE TEMPORARY TABLE hub_event_in ON COMMIT DROP AS SELECT {columns} FROM hub_event WITH NO DATA"
    )
    cursor.copy_expert(
        f"COPY hub_event_in ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NULL (device_time, mono_ms))",
        text,
    )
    cursor.execute(
        f"INSERT INTO hub_event ({columns}) SELECT {columns} FROM hub_event_in ORDER BY uuid "
        f"ON CONFLICT DO NOTHING RETURNING uuid"
    )
    stored = {row[0] for row in cursor.fetchall()}
    cursor.execute("DROP TABLE hub_event_in")  # now, not at commit: one transaction may store two batches
    return stored


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
        return dict(database.execute_sql("SELECT uuid, kit_id FROM hub_event WHERE uuid = ANY(%s)", (uuids,)))
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
        holders = _holders(unique)
        new = [e for e in unique if e["uuid"] not in holders]
        rows = _rows(kit, new, via)
        stored = _insert(rows)
        summaries.add([(r[0], r[6], r[3], r[4], r[5], r[7], r[9]) for r in rows if r[2] in stored])
        certificates.take_stored(kit, [r[2] for r in rows if r[2] in stored and r[6] == certificates.KIND])
        late = [e for e in new if e["uuid"] not in stored]  # stored by another kit meanwhile
        if late:
            holders.update(_holders(late))
        owners = {uuid: other for uuid, other in holders.items() if other != kit.kit_id}
        conflicts = [e for e in events if e["uuid"] in owners]
        for e in conflicts:
            _set_aside(kit, e["seq"], e["uuid"], f"event id already recorded by kit {owners[e['uuid']]}")
        for seq in skipped:
            _set_aside(kit, seq, "", "set aside by the kit as malformed")
        for seq, uuid, reason in refused:
            _set_aside(kit, seq, uuid, f"set aside by the hub: {reason}")
        if stored:  # an event once set aside has now arrived: no longer a problem
            _clear_set_aside(kit, {e["seq"]: e["uuid"] for e in new if e["uuid"] in stored})
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
