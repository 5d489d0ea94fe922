"""USB carry: a signed bundle of everything the hub has not acknowledged, and its receipt.

A bundle is one JSON file: the same compressed event batches and records the agent
sends online (base64), the kit's clock anchors, and an HMAC-SHA256 signature. The hub
imports it idempotently and writes a receipt, signed the same way, that moves the
kit's cursor when carried back (or the next online sync does it anyway).
"""

import base64
import json
import uuid
from pathlib import Path

from kit.db import write
from kit.models import Event

from .. import protocol
from ..bundle_format import BadBundle, read_json, sign, signing_key, verify
from . import outbox
from .revocations import learn_revocations, public_key_text
from .state import SetAside, SyncState, anchors_after, get_state, record_anchor

BATCH = 2000


def export_bundle(config, out):
    """Write every unacknowledged event, record and anchor to `out`; return a summary."""
    state = get_state()
    record_anchor(force=True)
    batches, after, count = [], state.acked_seq, 0
    for _ in range(1_000_000):
        events, skipped, upto = outbox.pending_events(after, BATCH, pseudonymous=config["pseudonymous_sync"])
        if upto <= after:
            break
        batches.append(
            base64.b64encode(protocol.encode_events(state.kit_id, after, upto, events, skipped)).decode(
                "ascii"
            )
        )
        count += len(events)
        after = upto
    records = outbox.changed_records(config["pseudonymous_sync"], limit=10**9)
    document = sign(
        {
            "magic": protocol.BUNDLE_MAGIC,
            "format": protocol.FORMAT,
            "kit": state.kit_id,
            "bundle_id": str(uuid.uuid4()),
            "after": state.acked_seq,
            "upto": after,
            "anchors": anchors_after(state.acked_anchor, limit=10**9),
            "batches": batches,
            "records": base64.b64encode(protocol.encode_records(state.kit_id, records)).decode("ascii"),
            "public_key": public_key_text(config["data"]),  # a kit that only ever syncs by USB stick
        },
        signing_key(state.secret),
    )
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    tmp.replace(out)
    return {
        "events": count,
        "records": len(records),
        "after": state.acked_seq,
        "upto": after,
        "bytes": out.stat().st_size,
        "bundle_id": document["bundle_id"],
    }


def import_receipt(path):
    """Apply a receipt file from the hub: move the cursor to what the hub acknowledged."""
    return apply_receipt(read_json(path, protocol.RECEIPT_MAGIC, "receipt"))


def apply_receipt(receipt):
    """Apply a receipt (read from its file, or inside a bundle from the hub); return a summary."""
    if receipt.get("magic") != protocol.RECEIPT_MAGIC:
        raise BadBundle("the receipt is not a Classroom Kit receipt")
    state = get_state()
    if receipt.get("kit") != state.kit_id:
        raise BadBundle(f"this receipt is for kit {receipt.get('kit')}, not this kit ({state.kit_id})")
    verify(receipt, signing_key(state.secret), "receipt")
    ack, anchor = receipt.get("ack"), receipt.get("acked_anchor")
    if not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in (ack, anchor)):
        raise BadBundle("the receipt's ack and acked_anchor must be whole numbers")
    set_aside = _set_aside_in(receipt)
    with write():
        row = SyncState.select().first()
        moved = ack > row.acked_seq
        SyncState.update(
            acked_seq=max(row.acked_seq, ack), acked_anchor=max(row.acked_anchor, anchor)
        ).execute()
        for event in Event.select(Event.seq, Event.uuid).where(Event.seq.in_(list(set_aside))):
            # As when the hub refuses an event online: kept, skipped, shown, retried on demand.
            SetAside.insert(
                seq=event.seq, uuid=event.uuid, error=set_aside[event.seq]
            ).on_conflict_ignore().execute()
    revoked = learn_revocations(receipt.get("revocations"))
    return {
        "ack": ack,
        "moved": moved,
        "bundle_id": receipt.get("bundle_id"),
        "set_aside": len(set_aside),
        "revoked": revoked,
    }


def _set_aside_in(receipt):
    """Return {seq: reason} for the events the hub set aside from the bundle."""
    items = receipt.get("set_aside", [])
    if not isinstance(items, list) or not all(
        isinstance(i, dict)
        and isinstance(i.get("seq"), int)
        and not isinstance(i.get("seq"), bool)
        and isinstance(i.get("reason"), str)
        for i in items
    ):
        raise BadBundle("the receipt's set_aside must list {seq, uuid, reason}")
    return {i["seq"]: i["reason"][:500] for i in items}
