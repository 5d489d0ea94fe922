"""The batch encoding: round trips exactly, stays small, and refuses bad input by name."""

import json
import uuid
import zlib

import pytest

from sync import protocol
from sync.protocol import CorruptTransfer, MalformedBatch, TooLarge

KIT = "3f1c2a8e-0000-4000-8000-000000000001"


def events(n, start=1):
    return [
        {
            "seq": start + i,
            "uuid": str(uuid.uuid4()),
            "learner": f"learner-{i % 25}",
            "pack_id": "numeracy",
            "lesson_id": f"0{i % 6}-count",
            "kind": ("answer", "page_viewed")[i % 2],
            "payload": {"question_id": f"q{i % 5}", "response": "b", "correct": i % 3 == 0, "attempt": 1}
            if i % 2 == 0
            else {"page": i % 4},
            "device_ms": 1_760_000_000_000 + i * 4000,
            "boot_id": f"page-{i // 40}",
            "mono_ms": 5000 + (i % 40) * 4000,
            "received_ms": 1_760_000_000_500 + i * 4000,
        }
        for i in range(n)
    ]


def decode(body, kit=KIT):
    """Decode a body; each event's payload_json must be its payload as the hub stores it (then dropped)."""
    after, upto, skipped, got = protocol.decode_events(protocol.decompress(body, 10**8), kit)
    for e in got:
        assert e.pop("payload_json") == json.dumps(e["payload"], separators=(",", ":"), sort_keys=True)
    return after, upto, skipped, got


def test_batch_round_trips_every_field_exactly():
    sent = events(120, start=11)
    after, upto, skipped, got = decode(protocol.encode_events(KIT, 10, 135, sent, skipped=[133]))
    assert (after, upto, skipped) == (10, 135, [133])
    assert got == sent


def test_batch_costs_under_40_bytes_per_event():
    sent = events(1000)
    body = protocol.encode_events(KIT, 0, 1000, sent)
    per_event = len(body) / 1000
    print(f"{per_event:.1f} bytes/event on the wire")
    assert per_event < 40


def test_nulls_and_non_uuid_ids_survive():
    sent = events(3)
    sent[1]["device_ms"] = None
    sent[1]["mono_ms"] = None
    sent[2]["uuid"] = "not-a-uuid-but-unique"
    sent[0]["learner"] = ""
    assert decode(protocol.encode_events(KIT, 0, 3, sent))[3] == sent


def test_batch_for_another_kit_is_forbidden():
    from kit.errors import Forbidden

    body = protocol.encode_events("someone-else", 0, 1, events(1))
    with pytest.raises(Forbidden, match="belongs to kit 'someone-else'"):
        decode(body)


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda d: d.update(f=2), "unknown batch format 2"),
        (lambda d: d.update(seq=[1, 0]), "out of order"),
        (lambda d: d.update(upto=1), "cannot fit"),
        (lambda d: d["pl"].__setitem__(0, [1]), "payload must be a JSON object"),
        (lambda d: d["pl"].__setitem__(0, {"x": "y" * 9000}), "is over 8192"),
        (lambda d: d.update(k=[9, 1]), "points outside its table"),
        (lambda d: d.update(id="zz"), "32 hex digits"),
        (lambda d: d.update(rc=[None, 5]), "receipt time"),
        (lambda d: d.update(skip=[99]), "'skip' must list seqs"),
        (lambda d: d.update(dt=[10**15, 0]), "device_ms 1000000000000000 is not a time"),
        (lambda d: d.update(mo=[2**60, 0]), "wrong type or size"),
        (lambda d: d.update(upto=2**60), "'upto' must be a whole number"),
        (
            lambda d: d["lrn"].__setitem__(1, True),
            "column 'lrn' holds a value of the wrong type or size: True",
        ),
        (lambda d: d.update(seq=[1, None]), "column 'seq' holds a value of the wrong type or size: None"),
        (
            lambda d: d.update(ids=["a", 7]) or d.pop("id"),
            "column 'ids' holds a value of the wrong type or size: 7",
        ),
        (lambda d: d.update(k=[1, -1]), "points outside its table"),
        (lambda d: d.update(rc=[-62_135_596_800_001, 0]), "received_ms -62135596800001 is not a time"),
        (
            lambda d: d["L"].__setitem__(0, "a\x00b"),
            "table 'L' holds a NUL character or an unpaired surrogate",
        ),
        (
            lambda d: d["B"].__setitem__(0, "a\ud800b"),
            "table 'B' holds a NUL character or an unpaired surrogate",
        ),
        (lambda d: d.update(ids=["a\x00", "b"]) or d.pop("id"), "event id .+ holds a NUL character"),
    ],
)
def test_malformed_batches_are_refused_with_a_reason(change, message):
    import json

    doc = json.loads(zlib.decompress(protocol.encode_events(KIT, 0, 2, events(2))))
    change(doc)
    with pytest.raises(MalformedBatch, match=message):
        protocol.decode_events(doc, KIT)


def test_a_refusal_names_the_first_bad_event_by_seq():
    import json

    doc = json.loads(zlib.decompress(protocol.encode_events(KIT, 0, 5, events(5))))
    doc["pl"][3], doc["rc"][4] = [1], None  # seq 4's payload, and seq 5 without a receipt time
    with pytest.raises(MalformedBatch, match="payload must be a JSON object") as caught:
        protocol.decode_events(doc, KIT)
    assert caught.value.details == {"seq": 4}
    doc["pl"][3] = {}
    with pytest.raises(MalformedBatch, match="receipt time") as caught:
        protocol.decode_events(doc, KIT)
    assert caught.value.details == {"seq": 5}


def test_truncated_and_oversized_bodies_are_refused():
    body = protocol.encode_events(KIT, 0, 200, events(200))
    with pytest.raises(CorruptTransfer, match="truncated"):
        protocol.decompress(body[: len(body) // 2], 10**8)
    with pytest.raises(CorruptTransfer, match="not a whole zlib stream"):
        protocol.decompress(b"garbage", 10**8)
    with pytest.raises(TooLarge, match="inflates to more than 100 bytes"):
        protocol.decompress(body, 100)


def test_absurdly_nested_json_is_malformed_not_a_crash():
    with pytest.raises(MalformedBatch, match="nests too deeply"):
        protocol.decompress(zlib.compress(b"[" * 100_000 + b"]" * 100_000), 10**8)


@pytest.mark.parametrize(
    "anchors",
    [
        [[1, "boot", 10**16, 0, 1]],
        [[1, "b" * 65, 0, 0, 1]],
        [[1, "boot", 0, 0]],
        "x",
        [[1, "bo\x00ot", 0, 0, 1]],
    ],
)
def test_bad_anchors_are_refused(anchors):
    with pytest.raises(MalformedBatch, match="'anchors' must be a list"):
        protocol.check_anchors(anchors)


@pytest.mark.parametrize(
    "field, value, message",
    [("id", "r\x00", "a record needs an id"), ("h", "\udfff", "a record needs its digest 'h'")],
)
def test_records_with_unstorable_text_are_refused(field, value, message):
    record = {"t": "learner", "id": "r1", "v": 1, "h": "x", "d": {}, field: value}
    with pytest.raises(MalformedBatch, match=message):
        protocol.decode_records({"f": 1, "kit": KIT, "records": [record]}, KIT)


def test_backoff_doubles_with_jitter_and_is_capped():
    import random

    from sync.agent.agent import backoff_seconds

    config = {"sync_backoff_base_s": 5, "sync_backoff_max_s": 1800}
    rng = random.Random(3).random
    waits = {n: [backoff_seconds(n, config, rng) for _ in range(200)] for n in (1, 2, 3, 12)}
    assert all(2.5 <= w <= 5 for w in waits[1]) and all(5 <= w <= 10 for w in waits[2])
    assert all(10 <= w <= 20 for w in waits[3]) and all(900 <= w <= 1800 for w in waits[12])
    assert len({round(w, 3) for w in waits[3]}) > 100  # jittered: kits that failed together spread out
