"""Import a kit's USB bundle at the hub and write the receipt that goes back to the kit.

The whole bundle is checked before anything is stored, then stored in one transaction
(anchors, events, records): a refused bundle leaves nothing behind, not even its clock
anchors, which would make the kit's next online sync look like a restored backup. An
event the hub cannot store is set aside, as the agent sets it aside online, and named
in the receipt; the rest is stored, so one bad event never blocks a USB-only kit.
"""

import base64
import binascii
import json
from pathlib import Path

from kit.errors import NotFound

from .. import protocol
from ..bundle_format import BadBundle, check_bundle, read_json, sign, signing_key, verify
from . import certificates
from .db import database
from .ingest import store_events, store_records
from .models import Bundle, Kit, utcnow
from .timefix import store_anchors


def _unbase64(text, what):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise BadBundle(f"the bundle's {what} is not valid base64") from None


def _sender(document):
    """Return the enrolled, unrevoked kit whose key signed the bundle."""
    kit = Kit.get_or_none(Kit.kit_id == str(document.get("kit"))[:64])
    if kit is None:
        claimed = str(document.get("kit"))[:64]
        raise NotFound(f"the bundle comes from kit {claimed!r}, which is not enrolled at this hub")
    verify(document, signing_key(kit.secret_hash, is_hash=True))
    if kit.revoked_at is not None:
        raise BadBundle(f"kit {kit.name} was revoked at this hub; its bundle is refused")
    return kit


def sieve(doc, kit_id):
    """Decode one batch; return (after, upto, skipped, events, refused [(seq, uuid, reason)]).

    A batch that fails is cut into its events and each is tried alone: those that fail
    alone are refused, the others kept. When every event passes alone, the fault is the
    batch's own and the first error stands.
    """
    try:
        return (*protocol.decode_events(doc, kit_id), [])
    except protocol.MalformedBatch as whole:
        failure = whole
    try:
        after, upto, skipped, singles = protocol.split_events(doc, kit_id)
    except protocol.MalformedBatch:
        raise failure from None
    events, refused = [], []
    for seq, uuid, one in singles:
        try:
            events.extend(protocol.decode_events(one, kit_id)[3])
        except protocol.MalformedBatch as exc:
            refused.append((seq, _storable(uuid), _storable(exc.message, 500)))
    if not refused:
        raise failure
    return after, upto, skipped, events, refused


def _storable(text, size=64):
    return protocol.UNSTORABLE.sub("\ufffd", str(text))[:size]


def _batches(document, kit, limit):
    """Yield each batch of the bundle, decoded and sieved (again on each call: memory stays one batch)."""
    for text in document["batches"]:
        yield sieve(protocol.decompress(_unbase64(text, "events"), limit), kit.kit_id)


def import_bundle(path, config):
    """Check a whole bundle, then store it in one transaction, idempotently; return the signed receipt.

    The receipt's ``set_aside`` lists the events the hub could not store ({seq, uuid, reason}).
    """
    document = check_bundle(read_json(path, protocol.BUNDLE_MAGIC, "bundle"))
    kit = _sender(document)
    limit = config["max_inflated_bytes"]
    anchors = protocol.check_anchors(document["anchors"])
    set_aside = [item for batch in _batches(document, kit, limit) for item in batch[4]]
    records = None
    if document.get("records"):
        records = protocol.decode_records(
            protocol.decompress(_unbase64(document["records"], "records"), limit), kit.kit_id
        )
    stored = 0
    with database.atomic():
        # First, so the bundle's own certificates are checked with it (a kit enrolled before
        # certificates that never syncs online); another key than the registered one refuses it all.
        kit = certificates.register_key(kit, document.get("public_key", ""))
        store_anchors(kit, anchors)
        for after, upto, skipped, events, refused in _batches(document, kit, limit):
            stored += store_events(kit, after, upto, skipped, events, via="bundle", refused=refused)["stored"]
        if records:
            store_records(kit, records)
        Bundle.insert(
            bundle_id=document["bundle_id"],
            kit_id=kit.kit_id,
            after_seq=document.get("after", 0),
            upto_seq=document.get("upto", 0),
            events_stored=stored,
        ).on_conflict_ignore().execute()
    kit = Kit.get_by_id(kit.id)
    return sign(
        {
            "magic": protocol.RECEIPT_MAGIC,
            "format": protocol.FORMAT,
            "kit": kit.kit_id,
            "bundle_id": document["bundle_id"],
            "ack": kit.acked_seq,
            "acked_anchor": kit.acked_anchor,
            "events_stored": stored,
            "imported_at": utcnow().isoformat() + "Z",
            "set_aside": [{"seq": seq, "uuid": uuid, "reason": reason} for seq, uuid, reason in set_aside],
            "revocations": certificates.revocations(
                kit
            ),  # as hello lists them: a USB-only kit learns them too
        },
        signing_key(kit.secret_hash, is_hash=True),
    )


def write_receipt(receipt, out):
    out = Path(out)
    out.write_text(json.dumps(receipt, indent=1, sort_keys=True), encoding="utf-8")
    return out
