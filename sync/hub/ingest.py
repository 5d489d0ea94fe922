"""Store what kits send, idempotently, each batch in one transaction.

An event is stored once: its UUID is unique, and a repeat is a no-op. (Seqs are not unique:
a kit restored from an older backup reuses them for new events, which must still be kept.) A batch also declares the seqs it covers, (after, upto]; the hub
answers with the highest seq up to which it holds everything (``ack``), merging ranges
delivered out of order (a USB bundle ahead of the online cursor, say).
"""

import json
import logging

from .. import protocol
from .db import database, dialect
from .models import HubEvent, HubSetAside, Kit, Range, Record, ms_to_dt, utcnow
from .timefix import anchors_from, event_time

logger = logging.getLogger(__name__)


def _rows(kit, events, via):
    anchors = anchors_from(kit.kit_id, events[0]["seq"]) if events else []
    now = utcnow()
    rows = []
    for e in events:
        true_ms, estimated = event_time(kit, e["seq"], e["received_ms"], anchors)
        true_ms = min(max(true_ms, protocol.MIN_MS), protocol.MAX_MS)
        rows.append({
            "kit_id": kit.kit_id, "seq": e["seq"], "uuid": e["uuid"], "learner_uuid": e["learner"],
            "pack_id": e["pack_id"], "lesson_id": e["lesson_id"], "kind": e["kind"],
            "payload": json.dumps(e["payload"], separators=(",", ":"), sort_keys=True),
            "device_time": ms_to_dt(e["device_ms"]), "corrected_time": ms_to_dt(true_ms),
            "time_estimated": estimated, "boot_id": e["boot_id"], "mono_ms": e["mono_ms"],
            "kit_received_at": ms_to_dt(e["received_ms"]), "stored_at": now, "via": via,
        })
    return rows


def _locked(kit):
    """Re-read the kit's row, locked for this transaction (SQLite's write lock already is)."""
    query = Kit.select().where(Kit.id == kit.id)
    if dialect() == "postgresql":  # a bundle import and an online batch may race on acked_seq
        query = query.for_update()
    return query.get()


def _owned_elsewhere(kit, events):
    """Return {uuid: other kit} for event UUIDs the hub already holds for another kit."""
    uuids = [e["uuid"] for e in events]
    owners = {}
    for start in range(0, len(uuids), 500):
        for row in HubEvent.select(HubEvent.uuid, HubEvent.kit_id).where(
                HubEvent.uuid.in_(uuids[start:start + 500]) & (HubEvent.kit_id != kit.kit_id)):
            owners[row.uuid] = row.kit_id
    return owners


def _not_stored(kit, events):
    """Return the events whose UUID the hub does not hold yet (replays drop out)."""
    held = set()
    for start in range(0, len(events), 500):
        part = [e["uuid"] for e in events[start:start + 500]]
        held.update(row.uuid for row in HubEvent.select(HubEvent.uuid).where(
            (HubEvent.kit_id == kit.kit_id) & HubEvent.uuid.in_(part)))
    return [e for e in events if e["uuid"] not in held]


def _set_aside(kit, seq, uuid, reason):
    (HubSetAside.insert(kit_id=kit.kit_id, seq=seq, uuid=uuid, reason=reason)
     .on_conflict_ignore().execute())


def store_events(kit, after, upto, skipped, events, via="online"):
    """Store one batch in one transaction; return {"ack", "stored", "duplicates"}."""
    with database.atomic():
        kit = _locked(kit)
        owners = _owned_elsewhere(kit, events)
        for e in events:
            if e["uuid"] in owners:
                _set_aside(kit, e["seq"], e["uuid"], f"event id already recorded by kit {owners[e['uuid']]}")
        for seq in skipped:
            _set_aside(kit, seq, "", "set aside by the kit as malformed")
        fresh = _not_stored(kit, [e for e in events if e["uuid"] not in owners])
        rows = _rows(kit, fresh, via)
        for start in range(0, len(rows), 200):
            HubEvent.insert_many(rows[start:start + 200]).on_conflict_ignore().execute()
        stored = len(rows)
        if rows:  # an event once set aside by the kit has now arrived: no longer a problem
            HubSetAside.delete().where((HubSetAside.kit_id == kit.kit_id)
                                       & HubSetAside.seq.in_([r["seq"] for r in rows])
                                       & (HubSetAside.uuid == "")).execute()
        ack = _cover(kit, after, upto)
        Kit.update(acked_seq=ack, events_received=Kit.events_received + stored,
                   last_contact=utcnow()).where(Kit.id == kit.id).execute()
    if owners:
        logger.warning("kit %s sent %d event ids owned by other kits", kit.kit_id, len(owners))
    return {"ack": ack, "stored": stored, "duplicates": len(events) - stored - len(owners),
            "conflicts": len(owners)}


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
                Record.create(kit_id=kit.kit_id, kind=rec["t"], uuid=rec["id"], version=rec["v"],
                              digest=rec["h"], data=data)
                accepted += 1
            elif row.kit_id != kit.kit_id:
                refused.append({"t": rec["t"], "id": rec["id"], "reason": "owned by another kit"})
            else:
                if rec["v"] >= row.version:
                    Record.update(version=rec["v"], digest=rec["h"], data=data, updated_at=utcnow()).where(
                        Record.id == row.id).execute()
                accepted += 1
    return {"accepted": accepted, "refused": refused}
