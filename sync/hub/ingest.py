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
from . import certificates
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
    """Insert rows, skipping UUIDs already held: one executemany on SQLite, COPY on PostgreSQL.

    On PostgreSQL a 2,000-row INSERT … VALUES cost the server about three times as much as
    COPY (it parses 32,000 literals); COPY cannot skip conflicts, so the rows go through a
    temporary scratch table.
    """
    if not rows:
        return
    columns = ", ".join(COLUMNS)
    cursor = database.cursor()
    if dialect() == "postgresql":
        text = io.StringIO()
        csv.writer(text, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)  # None -> ""
        text.seek(0)
        cursor.execute(
            f"CREATE TEMPORARY TABLE hub_event_in ON COMMIT DROP AS "
            f"SELECT {columns} FROM hub_event WITH NO DATA"
        )
        cursor.copy_expert(
            f"COPY hub_event_in ({columns}) FROM STDIN WITH (FORMAT csv, FORCE_NULL (device_time, mono_ms))",
            text,
        )
        cursor.execute(
            f"INSERT INTO hub_event ({columns}) SELECT {columns} FROM hub_event_in ON CONFLICT DO NOTHING"
        )
        cursor.execute("DROP TABLE hub_event_in")  # now, not at commit: one transaction may store two batches
    else:
        cursor.executemany(
            f"INSERT INTO hub_event ({columns}) VALUES ({', '.join('?' * len(COLUMNS))}) "
            f"ON CONFLICT DO NOTHING",
            rows,
        )


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


def store_events(kit, after, upto, skipped, events, via="online", refused=()):
    """Store one batch in one transaction; return {"ack", "stored", "duplicates"}.

    `refused`: [(seq, uuid, reason)] the hub itself set aside from a USB bundle's batch.
    """
    with database.atomic():
        kit = _locked(kit)
        holders = _holders(events)
        owners = {uuid: other for uuid, other in holders.items() if other != kit.kit_id}
        for e in events:
            if e["uuid"] in owners:
                _set_aside(kit, e["seq"], e["uuid"], f"event id already recorded by kit {owners[e['uuid']]}")
        for seq in skipped:
            _set_aside(kit, seq, "", "set aside by the kit as malformed")
        for seq, uuid, reason in refused:
            _set_aside(kit, seq, uuid, f"set aside by the hub: {reason}")
        rows = _rows(kit, [e for e in events if e["uuid"] not in holders], via)
        _insert(rows)
        certificates.take_stored(kit, [r[2] for r in rows if r[6] == certificates.KIND])
        stored = len(rows)
        if rows:  # an event once set aside has now arrived: no longer a problem
            _clear_set_aside(kit, {r[1]: r[2] for r in rows})
        ack = _cover(kit, after, upto)
        Kit.update(acked_seq=ack, events_received=Kit.events_received + stored, last_contact=utcnow()).where(
            Kit.id == kit.id
        ).execute()
    if owners:
        logger.warning("kit %s sent %d event ids owned by other kits", kit.kit_id, len(owners))
    return {
        "ack": ack,
        "stored": stored,
        "duplicates": len(events) - stored - len(owners),
        "conflicts": len(owners),
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
