"""Certificates at the hub: check each synced one against its kit's key, answer the public
verify page, revoke, and tell each kit which of its certificates were revoked.

A kit signs a certificate's document with its own Ed25519 key (kit.courses.signing); the
hub registered the public half at enrolment, or on the first hello of a kit enrolled
before certificates existed. A certificate_issued event is stored like any event (so the
kit's cursor moves on), but its certificate counts only if its signature holds for the
kit that sent it, names that kit, the learner and course of its event, and a name sent
beside it matches its hash. Anything else is noted as refused and is never valid.
"""

import json
import logging

from kit.courses import certificates as kit_certificates
from kit.courses import codes, signing
from kit.errors import Conflict, KitError, NotFound

from .db import database
from .models import HubCertificate, HubCertificateRefused, HubEvent, Kit, utcnow

logger = logging.getLogger(__name__)
KIND = kit_certificates.KIND
MAX_REASON = 500


def register_key(kit, public_key, replace=False):
    """Keep a kit's public key: the first one it sends, or a new one when it re-enrols.

    A different key from a kit that already has one is refused: certificates signed with
    it would be another key's, and a stolen secret must not be able to swap keys.
    """
    if not public_key:
        return kit
    signing.load_public_key(public_key)  # BadKey (400) if it is not one
    if kit.public_key == public_key:
        return kit
    if kit.public_key and not replace:
        raise KeyMismatch(
            "this kit already registered another signing key at this hub; re-enrol it to change key"
        )
    with database.atomic():
        Kit.update(public_key=public_key).where(Kit.id == kit.id).execute()
        kit = Kit.get_by_id(kit.id)
        recheck(kit)
    return kit


class KeyMismatch(Conflict):
    code = "key_mismatch"


def _problem(kit, event, payload):
    """Return why this certificate_issued event's certificate is not valid, or None."""
    document, signature = payload.get("document"), payload.get("signature")
    if not isinstance(document, dict) or set(document) != kit_certificates.DOCUMENT_KEYS:
        return "not a certificate document"
    if not kit.public_key:
        return "the kit has registered no signing key yet"
    if not signing.verify(document, signature, kit.public_key):
        return "the signature does not match the kit's key"
    if document["kit"] != kit.kit_id:
        return f"issued by another kit ({str(document['kit'])[:64]})"
    if document["learner"] != event["learner_uuid"] or document["course"] != event["pack_id"]:
        return "the certificate names another learner or course than its event"
    try:
        if codes.normalise(document["code"]) != document["code"]:
            return "a malformed code"
    except codes.BadCode:
        return "a malformed code"
    name = payload.get("holder_name")
    if name is not None and not kit_certificates.name_matches(document, name, payload.get("holder_salt")):
        return "the name sent is not the one the certificate was issued to"
    if not isinstance(document["score_pct"], int) or not 0 <= document["score_pct"] <= 100:
        return "a score out of range"
    return None


def take(kit, events):
    """Check and record the certificates among events just stored (in their transaction)."""
    for event in events:
        if event["kind"] != KIND:
            continue
        payload = event["payload"] if isinstance(event["payload"], dict) else {}
        problem = _problem(kit, event, payload)
        document = payload.get("document") if isinstance(payload.get("document"), dict) else {}
        code = str(document.get("code", ""))[:40]
        if problem is None and HubCertificate.get_or_none(HubCertificate.code == code) is not None:
            held = HubCertificate.get(HubCertificate.code == code)
            problem = (
                None if held.event_uuid == event["uuid"] else "a code already held by another certificate"
            )
            if problem is None:
                continue
        if problem is not None:
            logger.warning("kit %s: certificate %s refused: %s", kit.kit_id, code, problem)
            HubCertificateRefused.insert(
                event_uuid=event["uuid"], kit_id=kit.kit_id, code=code, reason=problem
            ).on_conflict_ignore().execute()
            continue
        HubCertificate.insert(
            code=code,
            kit_id=kit.kit_id,
            event_uuid=event["uuid"],
            learner_uuid=event["learner_uuid"],
            course=document["course"],
            pack_version=str(document["pack_version"])[:40],
            title=str(document["title"]),
            site=str(document["site"]),
            holder_initials=str(document["holder_initials"]),
            holder_name=str(payload.get("holder_name") or ""),
            score_pct=document["score_pct"],
            credit_hours=str(document["credit_hours"])[:20],
            issued_at=str(document["issued_at"])[:40],
            corrected_time=event["corrected_time"],
        ).on_conflict_ignore().execute()
        HubCertificateRefused.delete().where(HubCertificateRefused.event_uuid == event["uuid"]).execute()


def _stored(kit, where_uuids=None):
    query = HubEvent.select().where((HubEvent.kit_id == kit.kit_id) & (HubEvent.kind == KIND))
    if where_uuids is not None:
        query = query.where(HubEvent.uuid.in_(list(where_uuids)))
    return [
        {
            "uuid": e.uuid,
            "kind": e.kind,
            "learner_uuid": e.learner_uuid,
            "pack_id": e.pack_id,
            "payload": json.loads(e.payload),
            "corrected_time": e.corrected_time,
        }
        for e in query
    ]


def take_stored(kit, uuids):
    """Check the certificates among these just-stored event UUIDs (read back with their times)."""
    if uuids:
        take(kit, _stored(kit, uuids))


def recheck(kit):
    """Check again the certificates a kit sent before its key was registered."""
    refused = {
        r.event_uuid for r in HubCertificateRefused.select().where(HubCertificateRefused.kit_id == kit.kit_id)
    }
    if refused:
        take(kit, [e for e in _stored(kit) if e["uuid"] in refused])


def lookup(text):
    """The public verify page's answer: {status, code, course, site, date, name} or unknown."""
    code = codes.normalise(text)
    row = HubCertificate.get_or_none(HubCertificate.code == code)
    if row is None:
        return {"status": "unknown", "code": code}
    return {
        "status": "revoked" if row.revoked_at else "valid",
        "code": code,
        "course": row.title,
        "site": row.site,
        "date": row.corrected_time.date().isoformat(),
        "name": row.holder_name or row.holder_initials,
        "reason": row.revoked_reason if row.revoked_at else "",
    }


def revoke(text, reason, by):
    """Revoke a certificate with a reason; its kit learns it on its next sync."""
    code = codes.normalise(text)
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise KitError(f"give a reason for revoking (at most {MAX_REASON} characters)")
    with database.atomic():
        row = HubCertificate.get_or_none(HubCertificate.code == code)
        if row is None:
            raise NotFound(f"no certificate {code} at this hub")
        if row.revoked_at is None:
            HubCertificate.update(revoked_at=utcnow(), revoked_reason=reason, revoked_by=by[:64]).where(
                HubCertificate.code == code
            ).execute()
    logger.info("certificate %s revoked by %s: %s", code, by, reason)
    return code


def revocations(kit):
    """[{code, reason, revoked_at}] of this kit's revoked certificates, for its next hello."""
    query = HubCertificate.select().where(
        (HubCertificate.kit_id == kit.kit_id) & HubCertificate.revoked_at.is_null(False)
    )
    return [
        {
            "code": r.code,
            "reason": r.revoked_reason,
            "revoked_at": r.revoked_at.isoformat(timespec="seconds") + "Z",
        }
        for r in query.order_by(HubCertificate.code)
    ]
