"""xAPI statements from the hub's events, for a programme's learning record store.

Each event becomes one statement whose id is the event's UUID, so loading the export
into an LRS twice stores nothing twice. Times are the hub's corrected times.
"""

import json

from .models import HubCertificate, HubEvent

ADL = "http://adlnet.gov/expapi/verbs/"
VERBS = {
    "lesson_opened": ADL + "launched",
    "page_viewed": "http://id.tincanapi.com/verb/viewed",
    "answer": ADL + "answered",
    "quiz_finished": ADL + "scored",
    "lesson_completed": ADL + "completed",
    "certificate_issued": ADL + "completed",
}
CODE = "urn:classroom-kit:certificate-code"


def statement(event):
    """Return the xAPI statement (a dict) for one HubEvent row."""
    payload = json.loads(event.payload)
    verb = VERBS.get(event.kind, f"urn:classroom-kit:verb:{event.kind}")
    out = {
        "id": event.uuid,
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": "urn:classroom-kit", "name": event.learner_uuid or f"kit:{event.kit_id}"},
        },
        "verb": {"id": verb, "display": {"en": event.kind.replace("_", " ")}},
        "object": {
            "objectType": "Activity",
            "id": f"urn:classroom-kit:lesson:{event.pack_id}/{event.lesson_id}",
        },
        "timestamp": event.corrected_time.isoformat(timespec="milliseconds") + "Z",
        "context": {
            "platform": "Classroom Kit",
            "extensions": {
                "urn:classroom-kit:kit": event.kit_id,
                "urn:classroom-kit:time-estimated": bool(event.time_estimated),
                "urn:classroom-kit:device-time": event.device_time.isoformat() + "Z"
                if event.device_time
                else None,
                "urn:classroom-kit:payload": payload,
            },
        },
    }
    if event.kind == "answer" and isinstance(payload.get("correct"), bool):
        out["result"] = {"success": payload["correct"], "response": str(payload.get("response", ""))}
    if event.kind == "quiz_finished" and isinstance(payload.get("score"), (int, float)):
        out["result"] = {"score": {"scaled": max(-1.0, min(1.0, float(payload["score"])))}}
    if event.kind == "certificate_issued":
        _certificate(out, event)
    return out


def _certificate(out, event):
    """A course completed: the result, and the code as an extension; a certificate that
    failed its signature check, or was revoked, says so (success false)."""
    cert = HubCertificate.get_or_none(HubCertificate.event_uuid == event.uuid)
    document = json.loads(event.payload).get("document") or {}
    out["object"]["id"] = f"urn:classroom-kit:course:{event.pack_id}"
    out["object"]["definition"] = {"name": {"en": str(document.get("title", event.pack_id))}}
    out["context"]["extensions"]["urn:classroom-kit:payload"] = {"document": document}
    score = document.get("score_pct") if isinstance(document.get("score_pct"), int) else 0
    out["result"] = {
        "completion": True,
        "success": cert is not None and cert.revoked_at is None,
        "score": {"scaled": max(0.0, min(1.0, score / 100))},
        "extensions": {CODE: str(document.get("code", ""))},
    }


def export_lines():
    """Yield the statements as one JSON array, piece by piece (a hub may hold millions)."""
    yield "["
    first = True
    for event in HubEvent.select().order_by(HubEvent.id).iterator():
        yield ("" if first else ",\n") + json.dumps(statement(event), separators=(",", ":"))
        first = False
    yield "]\n"
