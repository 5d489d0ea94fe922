"""A kit reduced to its wire: enrol over HTTP and post event batches as the agent encodes them.

For tests (and bench/hub_scale.py) that need many kits sending exact batches at exact
moments, which the real agent (one batch at a time, its own cursor) cannot be told to do.
"""

import time
import uuid

import requests

from sync import credentials, protocol


def event(seq, event_uuid=None, kind="answer", learner="learner-1", payload=None, when_ms=None):
    now = when_ms or int(time.time() * 1000)
    return {
        "seq": seq,
        "uuid": event_uuid or str(uuid.uuid4()),
        "learner": learner,
        "pack_id": "numeracy",
        "lesson_id": "01-count",
        "kind": kind,
        "payload": payload if payload is not None else {"question_id": "q1", "correct": True},
        "device_ms": now,
        "boot_id": "boot-1",
        "mono_ms": 1000 + seq,
        "received_ms": now,
    }


class WireKit:
    def __init__(self, base_url, code, kit_id=None, site=""):
        self.base_url = base_url
        self.kit_id = kit_id or f"kit-{uuid.uuid4().hex[:12]}"
        self.http = requests.Session()
        answer = self.http.post(
            f"{base_url}{protocol.PREFIX}/enroll",
            json={"code": code, "kit_id": self.kit_id, "site": site, "location": "", "version": "t"},
            timeout=30,
        )
        answer.raise_for_status()
        self.headers = credentials.auth_header(self.kit_id, answer.json()["secret"])

    def post(self, after, upto, events, skipped=()):
        """Post one batch; return the hub's JSON answer (raises on an HTTP error)."""
        body = protocol.encode_events(self.kit_id, after, upto, events, skipped)
        answer = self.http.post(
            f"{self.base_url}{protocol.PREFIX}/events",
            data=body,
            headers={
                **self.headers,
                "Content-Type": protocol.EVENTS_TYPE,
                "X-Body-SHA256": credentials.body_digest(body),
            },
            timeout=60,
        )
        answer.raise_for_status()
        return answer.json()
