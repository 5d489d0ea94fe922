"""Random damage to real batches never makes the hub fail with a 500, and never stores junk."""

import json
import random
import uuid
import zlib

from sync import credentials, protocol


def _value(rng, depth=0):
    choices = [
        lambda: None,
        lambda: True,
        lambda: rng.randint(-(2**70), 2**70),
        lambda: rng.random(),
        lambda: "x" * rng.randint(0, 300),
        lambda: rng.randint(0, 5),
        lambda: -1,
        lambda: [_value(rng, depth + 1) for _ in range(rng.randint(0, 3))],
        lambda: {str(rng.randint(0, 9)): _value(rng, depth + 1) for _ in range(rng.randint(0, 3))},
    ]
    return choices[rng.randint(0, 8 if depth < 3 else 6)]()


def _event(seq):
    return {
        "seq": seq,
        "uuid": str(uuid.uuid4()),
        "learner": "a",
        "pack_id": "p",
        "lesson_id": "l",
        "kind": "k",
        "payload": {},
        "device_ms": 1,
        "boot_id": "b",
        "mono_ms": 1,
        "received_ms": 1,
    }


def test_damaged_batches_hellos_and_records_get_4xx_not_500(tmp_path):
    from sync.hub import create_hub_app
    from sync.hub.db import database
    from sync.hub.enrol import new_code

    app = create_hub_app(tmp_path / "hub")
    client = app.test_client()
    with database.connection_context():
        code = new_code("fuzz", 3600)
    kit_id = str(uuid.uuid4())
    secret = client.post("/sync/v1/enroll", json={"code": code, "kit_id": kit_id}).json["secret"]
    headers = credentials.auth_header(kit_id, secret)
    rng = random.Random(20261123)
    seen = set()
    for _ in range(300):
        doc = json.loads(zlib.decompress(protocol.encode_events(kit_id, 0, 2, [_event(1), _event(2)])))
        for _ in range(rng.randint(1, 3)):
            key = rng.choice(list(doc))
            if rng.random() < 0.5 and isinstance(doc[key], list) and doc[key]:
                doc[key][rng.randrange(len(doc[key]))] = _value(rng)
            else:
                doc[key] = _value(rng)
        record = {
            "t": rng.choice(["learner", "user", "session"]),
            "id": str(uuid.uuid4()),
            "v": 1,
            "h": "x",
            "d": {"a": _value(rng)},
        }
        record[rng.choice(list(record))] = _value(rng)
        hello = {"device_ms": 5, "mono_ms": 5, "boot_id": "b", "anchors": [[1, "b", 7, 3, 2]]}
        hello[rng.choice(list(hello))] = _value(rng)
        for path, body in (
            ("/sync/v1/events", zlib.compress(json.dumps(doc).encode())),
            ("/sync/v1/records", protocol.encode_records(kit_id, [record])),
        ):
            status = client.post(path, data=body, headers=headers).status_code
            assert status < 500, (path, body)
            seen.add(status)
        assert client.post("/sync/v1/hello", json=hello, headers=headers).status_code < 500, hello
    assert {200, 422} <= seen
    with database.connection_context():
        rows = database.execute_sql("SELECT uuid, seq, payload FROM hub_event").fetchall()
    for uuid_text, seq, payload in rows:  # whatever was stored is well-formed
        assert 0 < seq < 2**53 and isinstance(json.loads(payload), dict) and len(uuid_text) <= 64
