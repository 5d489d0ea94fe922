"""Import a kit's USB bundle at the hub and write the receipt that goes back to the kit."""

import base64
import binascii
import json
from pathlib import Path

from kit.errors import NotFound

from .. import protocol
from ..bundle import BadBundle, check_bundle, read_json, sign, signing_key, verify
from .db import database
from .ingest import store_events, store_records
from .models import Bundle, Kit, utcnow
from .timefix import store_anchors


def _unbase64(text, what):
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise BadBundle(f"the bundle's {what} is not valid base64") from None


def import_bundle(path, config):
    """Verify and apply a bundle, idempotently; return the receipt document."""
    document = check_bundle(read_json(path, protocol.BUNDLE_MAGIC, "bundle"))
    kit = Kit.get_or_none(Kit.kit_id == str(document.get("kit")))
    if kit is None:
        raise NotFound(f"the bundle comes from kit {document.get('kit')!r}, which is not enrolled at this hub")
    verify(document, signing_key(kit.secret_hash, is_hash=True))
    if kit.revoked_at is not None:
        raise BadBundle(f"kit {kit.name} was revoked at this hub; its bundle is refused")
    with database.atomic():
        store_anchors(kit, protocol.check_anchors(document["anchors"]))
    stored = 0
    limit = config["max_inflated_bytes"]
    for text in document["batches"]:
        doc = protocol.decompress(_unbase64(text, "events"), limit)
        after, upto, skipped, events = protocol.decode_events(doc, kit.kit_id)
        stored += store_events(kit, after, upto, skipped, events, via="bundle")["stored"]
    if document.get("records"):
        records = protocol.decode_records(protocol.decompress(_unbase64(document["records"], "records"), limit),
                                          kit.kit_id)
        store_records(kit, records)
    kit = Kit.get_by_id(kit.id)
    with database.atomic():
        Bundle.insert(bundle_id=str(document["bundle_id"])[:64], kit_id=kit.kit_id,
                      after_seq=int(document.get("after", 0)), upto_seq=int(document.get("upto", 0)),
                      events_stored=stored).on_conflict_ignore().execute()
    return sign({
        "magic": protocol.RECEIPT_MAGIC, "format": protocol.FORMAT, "kit": kit.kit_id,
        "bundle_id": document["bundle_id"], "ack": kit.acked_seq, "acked_anchor": kit.acked_anchor,
        "events_stored": stored, "imported_at": utcnow().isoformat() + "Z",
    }, signing_key(kit.secret_hash, is_hash=True))


def write_receipt(receipt, out):
    out = Path(out)
    out.write_text(json.dumps(receipt, indent=1, sort_keys=True), encoding="utf-8")
    return out
