"""`kit hub export-for KIT`: a kit's pending downstream changes and its receipt, signed, for a USB stick.

Signed with the kit's key, like the bundles it sends and the receipts it gets
(sync/bundle_format.py): only that kit can apply it, and a changed byte is refused.
It holds every change the hub has not heard the kit apply, so a newer file carries
everything an older one did; the kit applies what is above its own cursor, once.
"""

import json
import uuid
from pathlib import Path

from kit.errors import Conflict

from .. import protocol
from ..bundle_format import sign, signing_key
from ..changes_format import CHANGES_MAGIC
from .changes import delivered_upto, pending
from .enrol import find_kit
from .models import utcnow


def export_for(kit, out):
    """Write the bundle for one kit (by id or name) to `out`; return a summary."""
    found = find_kit(kit)
    if found.revoked_at is not None:
        raise Conflict(f"kit {found.name} was revoked: nothing can be sent to it")
    after = delivered_upto(found.kit_id)
    changes, _ = pending(found.kit_id, after, 10**6)
    key = signing_key(found.secret_hash, is_hash=True)
    now = utcnow().isoformat(timespec="seconds") + "Z"
    receipt = sign(
        {
            "magic": protocol.RECEIPT_MAGIC,
            "format": protocol.FORMAT,
            "kit": found.kit_id,
            "bundle_id": "",
            "ack": found.acked_seq,
            "acked_anchor": found.acked_anchor,
            "events_stored": 0,
            "imported_at": now,
            "set_aside": [],
        },
        key,
    )
    document = sign(
        {
            "magic": CHANGES_MAGIC,
            "format": protocol.FORMAT,
            "kit": found.kit_id,
            "kit_name": found.name,
            "bundle_id": str(uuid.uuid4()),
            "made_at": now,
            "after": after,
            "changes": changes,
            "receipt": receipt,
        },
        key,
    )
    out = Path(out)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(json.dumps(document, separators=(",", ":")), encoding="utf-8")
    tmp.replace(out)
    return {"kit": found.name, "changes": len(changes), "after": after, "ack": found.acked_seq}
