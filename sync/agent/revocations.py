"""Certificates, seen from the sync agent: the public key the hub checks them with, and the
revocations the hub's managers made, which every hello answer lists for this kit.

The kit keeps revocations in its own table (kit.models.CertificateRevocation): they come
down from the hub, not up from the event log, so `kit progress rebuild` leaves them alone,
and the kit's /verify shows a revoked certificate as revoked from the next sync on.
"""

import logging

from kit.courses import signing
from kit.db import database, write

logger = logging.getLogger(__name__)


def public_key_text(data_dir):
    """This kit's public signing key, as the hub registers it (made on first use)."""
    return signing.public_key_text(data_dir)


def learn_revocations(items):
    """Keep the hub's list of this kit's revoked certificates; ignore anything malformed."""
    rows = [
        (str(item["code"])[:20], str(item.get("reason", ""))[:500], str(item.get("revoked_at", ""))[:40])
        for item in items or ()
        if isinstance(item, dict) and isinstance(item.get("code"), str)
    ]
    if not rows:
        return 0
    known = {code for (code,) in database.execute_sql("SELECT code FROM certificate_revocation")}
    fresh = [row for row in rows if row[0] not in known]
    if fresh:
        with write():
            database.cursor().executemany(
                "INSERT OR IGNORE INTO certificate_revocation (code, reason, revoked_at) VALUES (?, ?, ?)",
                fresh,
            )
        logger.info("the hub revoked %s certificate(s) of this kit: %s", len(fresh), [r[0] for r in fresh])
    return len(fresh)
