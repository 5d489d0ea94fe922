"""Certificates: issued as a signed event when a learner meets a course's pass rule.

The `certificate_issued` event is the certificate: its payload holds the signed document
and the signature, so the hub can check it with the kit's public key alone. The
`certificate` table is derived from those events (`apply`, and `rebuild` for `kit
progress rebuild`); issuing is never re-decided on a rebuild, because the event is a fact.

The document names the learner only by initials and a salted hash of their name; the
name and the salt travel beside it in the payload, so a pseudonymous kit's sync agent
can leave both out and the signature still holds, while an altered name never matches.
"""

import datetime as dt
import hashlib
import json
import logging
import secrets
import time
import unicodedata
import uuid as uuidlib
from dataclasses import dataclass
from pathlib import Path

from ..db import database
from ..errors import NotFound
from ..hardware import boot_id
from ..packs.course import passed
from ..packs.lessons import course_of
from . import codes, signing

logger = logging.getLogger(__name__)

KIND = "certificate_issued"
FORMAT = 1
TRIGGERS = ("quiz_finished", "lesson_completed")
DOCUMENT_KEYS = {
    "v",
    "code",
    "kit",
    "site",
    "learner",
    "holder_initials",
    "holder_hash",
    "course",
    "pack_version",
    "title",
    "credit_hours",
    "score_pct",
    "issued_at",
}


def data_dir():
    """The data folder is the database's: the writer thread has no app or config to ask."""
    return Path(database.database).parent


def initials(name):
    """ "Amina Diallo" -> "A. D.": what a pseudonymous kit's certificates show of a name."""
    words = unicodedata.normalize("NFC", name).split()
    return " ".join(f"{word[0].upper()}." for word in words[:4])


def holder_hash(name, salt):
    """Bind a name to a document without putting the name in it."""
    text = salt + "\n" + unicodedata.normalize("NFC", name)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def name_matches(document, name, salt):
    """True when `name` (with its salt) is the name this document was issued to."""
    if not isinstance(name, str) or not isinstance(salt, str):
        return False
    return secrets.compare_digest(holder_hash(name, salt), str(document.get("holder_hash", "")))


def _kit():
    row = database.execute_sql("SELECT kit_uuid, site FROM kit_identity ORDER BY id LIMIT 1").fetchone()
    return row if row else ("", "")


def _courses(pack_ids):
    """Return {pack_id: (version, course)} for those of these packs that define a course."""
    out = {}
    for pack_id in sorted(pack_ids):
        try:
            course = course_of(pack_id)
        except NotFound:  # removed since the batch was judged
            continue
        if course:
            version = database.execute_sql(
                "SELECT version FROM pack WHERE pack_id = ?", (pack_id,)
            ).fetchone()[0]
            out[pack_id] = (version, course)
    return out


def _statuses(learner_id, pack_id):
    rows = database.execute_sql(
        "SELECT lesson_id, status FROM lesson_progress WHERE learner_id = ? AND pack_id = ?",
        (learner_id, pack_id),
    )
    return dict(rows)


def final_scores(learner_id, pack_id, final):
    """{attempt: best score} of the final quiz's finished attempts, from the log."""
    rows = database.execute_sql(
        "SELECT json_extract(payload, '$.attempt'), MAX(json_extract(payload, '$.score')) FROM event"
        " WHERE learner_id = ? AND pack_id = ? AND lesson_id = ? AND kind = 'quiz_finished'"
        " GROUP BY 1",
        (learner_id, pack_id, final),
    )
    return {attempt: score for attempt, score in rows if attempt is not None and score is not None}


def _has_certificate(learner_id, pack_id):
    return (
        database.execute_sql(
            "SELECT 1 FROM certificate WHERE learner_id = ? AND pack_id = ?", (learner_id, pack_id)
        ).fetchone()
        is not None
    )


def due(fresh):
    """Return the certificate events that these newly stored events earn.

    Runs in the event writer's transaction, after progress has folded `fresh`, so the
    rule sees this batch's answers and no other writer can issue the same certificate.
    """
    keys = sorted({(e["learner_id"], e["pack_id"]) for e in fresh if e["kind"] in TRIGGERS})
    if not keys:
        return []
    courses = _courses({pack for _learner, pack in keys})
    issued = []
    for learner_id, pack_id in keys:
        if pack_id not in courses or _has_certificate(learner_id, pack_id):
            continue
        version, course = courses[pack_id]
        score = passed(
            course, _statuses(learner_id, pack_id), final_scores(learner_id, pack_id, course["final"])
        )
        if score is not None:
            issued.append(_issue(learner_id, pack_id, version, course, score, fresh[0]["received_at"]))
    return issued


def _issue(learner_id, pack_id, version, course, score, received_at):
    learner_uuid, name = database.execute_sql(
        "SELECT uuid, display_name FROM learner WHERE id = ?", (learner_id,)
    ).fetchone()
    kit_uuid, site = _kit()
    salt = secrets.token_hex(16)
    now = dt.datetime.now(dt.UTC)
    document = {
        "v": FORMAT,
        "code": codes.new_code(),
        "kit": kit_uuid,
        "site": site,
        "learner": learner_uuid,
        "holder_initials": initials(name),
        "holder_hash": holder_hash(name, salt),
        "course": pack_id,
        "pack_version": version,
        "title": course["certificate_title"],
        "credit_hours": str(course["credit_hours"]),
        "score_pct": round(score * 100),
        "issued_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }
    logger.info("certificate %s issued for learner %s, course %s", document["code"], learner_id, pack_id)
    return {
        "uuid": str(uuidlib.uuid4()),
        "kind": KIND,
        "learner_id": learner_id,
        "pack_id": pack_id,
        "lesson_id": course["final"],
        "payload": {
            "document": document,
            "signature": signing.sign(document, data_dir()),
            "holder_name": name,
            "holder_salt": salt,
        },
        "device_time": now.replace(tzinfo=None),
        "boot_id": boot_id(),
        "mono_ms": int(time.monotonic() * 1000),
        "received_at": received_at,
    }


def apply(events):
    """Fold stored certificate_issued events (with their seq) into the certificate table."""
    rows = [
        (
            e["payload"]["document"]["code"],
            e["seq"],
            e["learner_id"],
            e["pack_id"],
            e["payload"]["document"]["pack_version"],
            e["payload"]["document"]["score_pct"],
            e["payload"]["document"]["issued_at"],
            json.dumps(e["payload"]["document"], sort_keys=True, separators=(",", ":")),
            e["payload"]["signature"],
            e["payload"]["holder_name"],
            e["payload"]["holder_salt"],
        )
        for e in events
        if e["kind"] == KIND
    ]
    if rows:
        database.cursor().executemany(
            "INSERT OR IGNORE INTO certificate (code, event_seq, learner_id, pack_id, pack_version, score_pct,"
            " issued_at, document, signature, holder_name, holder_salt) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )


def rebuild():
    """Remake the certificate table from the log (inside the caller's write transaction)."""
    database.execute_sql("DELETE FROM certificate")
    rows = database.execute_sql(
        "SELECT seq, learner_id, pack_id, payload FROM event WHERE kind = ? ORDER BY seq", (KIND,)
    ).fetchall()
    apply(
        [
            {"kind": KIND, "seq": seq, "learner_id": learner, "pack_id": pack, "payload": json.loads(payload)}
            for seq, learner, pack, payload in rows
        ]
    )
    return len(rows)


@dataclass
class Verdict:
    """What checking a code found: status valid, revoked, invalid (a forgery) or unknown."""

    status: str
    code: str
    document: dict | None = None
    holder_name: str = ""
    reason: str = ""
    revoked_at: str = ""


def check(text):
    """Check a code against this kit's own records and signature (raises codes.BadCode)."""
    code = codes.normalise(text)
    row = database.execute_sql(
        "SELECT document, signature, holder_name, holder_salt FROM certificate WHERE code = ?", (code,)
    ).fetchone()
    if row is None:
        return Verdict("unknown", code)
    document, signature, name, salt = json.loads(row[0]), row[1], row[2], row[3]
    if not signing.verify(document, signature, signing.signing_key(data_dir()).public_key()):
        return Verdict("invalid", code, reason="the signature does not match this kit's key")
    if not name_matches(document, name, salt):
        return Verdict("invalid", code, reason="the name is not the one the certificate was issued to")
    if document.get("kit") != _kit()[0]:
        return Verdict("invalid", code, reason="issued by another kit")
    revoked = database.execute_sql(
        "SELECT reason, revoked_at FROM certificate_revocation WHERE code = ?", (code,)
    ).fetchone()
    if revoked:
        return Verdict("revoked", code, document, name, reason=revoked[0], revoked_at=revoked[1])
    return Verdict("valid", code, document, name)
