"""The USB bundle and receipt as files on the stick: their signature, and how they are read.

The agent writes bundles and reads receipts (sync/agent/bundle.py); the hub reads bundles
and writes receipts (sync/hub/bundles.py). Both sign and check the same way, so that part
lives here, beside the wire format (protocol.py) and the credentials (credentials.py).
"""

import hashlib
import hmac
import json
from pathlib import Path

from kit.errors import KitError
from kit.storable import NotJSON, is_storable, loads

from . import credentials, protocol


class BadBundle(KitError):
    status = 422
    code = "bad_bundle"


def signing_key(secret_or_hash, is_hash=False):
    """Return the HMAC key for bundles and receipts: the SHA-256 of the kit's secret.

    The hub keeps only that hash, so it can check a bundle; see docs/sync-protocol.md.
    """
    return bytes.fromhex(secret_or_hash if is_hash else credentials.secret_hash(secret_or_hash))


def _canonical(document):
    return json.dumps(
        {k: v for k, v in document.items() if k != "sig"}, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def sign(document, key):
    document["sig"] = hmac.new(key, _canonical(document), hashlib.sha256).hexdigest()
    return document


def verify(document, key, what="bundle"):
    sig = document.get("sig")
    try:
        expected = hmac.new(key, _canonical(document), hashlib.sha256).hexdigest()
    except RecursionError:  # parsed, but too deep to encode again: not one we wrote
        raise BadBundle(f"the {what} nests too deeply to be real") from None
    if not isinstance(sig, str) or not hmac.compare_digest(sig, expected):
        raise BadBundle(f"the {what}'s signature does not match: it was changed, or it is not for this kit")


def read_json(path, magic, what):
    """Read a bundle or receipt file, with a clear message for anything else."""
    try:
        document = loads(Path(path).read_bytes(), Path(path).name)
    except NotJSON as exc:
        raise BadBundle(f"{exc.message}: it is not a {what} file") from None
    if not isinstance(document, dict) or document.get("magic") != magic:
        raise BadBundle(f"{Path(path).name} is not a Classroom Kit {what}")
    if document.get("format") != protocol.FORMAT:
        raise BadBundle(f"{Path(path).name}: unknown {what} format {document.get('format')!r}")
    return document


def check_bundle(document):
    """Refuse a bundle whose own fields have the wrong type (its batches are checked as online ones are)."""

    def whole(value):
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < protocol.MAX_INT

    kit, bundle_id = document.get("kit"), document.get("bundle_id")
    if not (isinstance(kit, str) and 0 < len(kit) <= 64 and is_storable(kit)):
        raise BadBundle("the bundle's kit must be a kit id")
    if not (isinstance(bundle_id, str) and 0 < len(bundle_id) <= 64 and is_storable(bundle_id)):
        raise BadBundle("the bundle's bundle_id must be a text of 1 to 64 characters")
    if not whole(document.get("after", 0)) or not whole(document.get("upto", 0)):
        raise BadBundle("the bundle's after and upto must be whole numbers")
    batches, records = document.get("batches"), document.get("records", "")
    if (
        not isinstance(batches, list)
        or not all(isinstance(b, str) for b in batches)
        or not isinstance(document.get("anchors"), list)
    ):
        raise BadBundle("the bundle lacks its batches or anchors")
    if not isinstance(records, str):
        raise BadBundle("the bundle's records must be a base64 text")
    key = document.get("public_key", "")
    if not (isinstance(key, str) and len(key) <= 100):
        raise BadBundle("the bundle's public_key must be a text of at most 100 characters")
    return document
