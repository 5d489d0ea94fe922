"""Who may write what at the hub, and what the hub does with bad batches: refuse, change nothing."""

import json
import uuid
import zlib

import requests

from sync import credentials, protocol

from .conftest import assert_converged, make_kit


def _credentials(kit):
    from sync.agent.state import get_state

    with kit.db():
        state = get_state()
        return state.kit_id, state.secret


def _event(seq, **fields):
    event = {
        "seq": seq,
        "uuid": str(uuid.uuid4()),
        "learner": "",
        "pack_id": "p",
        "lesson_id": "l",
        "kind": "answer",
        "payload": {},
        "device_ms": 1,
        "boot_id": "b",
        "mono_ms": 1,
        "received_ms": 1,
    }
    event.update(fields)
    return event


def _post(hub, kit_id, secret, body, **headers):
    headers = {**credentials.auth_header(kit_id, secret), "Content-Type": protocol.EVENTS_TYPE, **headers}
    return requests.post(hub.url + "/sync/v1/events", data=body, headers=headers, timeout=10)


def _count(hub):
    return hub.query("SELECT COUNT(*) FROM hub_event")[0][0]


def test_wrong_and_revoked_secret_are_refused(hub, tmp_path):
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(4)
    kit_id, secret = _credentials(kit)
    response = _post(hub, kit_id, secret[:-2] + "xx", protocol.encode_events(kit_id, 0, 1, [_event(1)]))
    assert response.status_code == 401 and "wrong secret" in response.json()["error"]["message"]
    assert _count(hub) == 0
    kit("sync", "now")
    hub.kit("revoke", "k")
    kit.add_events(3)
    failed = kit("sync", "now", check=False)
    assert failed.returncode == 1 and "revoked" in failed.stdout
    assert kit.status()["events_waiting"] == 3 and "revoked" in kit.status()["last_error"]
    assert _count(hub) == 4
    assert hub.query("SELECT secret_hash FROM hub_kit")[0][0] != secret  # only the hash is kept


def test_one_kit_cannot_post_another_kits_records(hub, tmp_path):
    a, b = make_kit(tmp_path, "a", hub), make_kit(tmp_path, "b", hub)
    b_events = b.add_events(3)
    b("sync", "now")
    a_id, a_secret = _credentials(a)
    forged = protocol.encode_events(b.kit_id, 0, 1, [_event(1)])
    response = _post(hub, a_id, a_secret, forged)
    assert response.status_code == 403
    assert f"belongs to kit '{b.kit_id}'" in response.json()["error"]["message"]
    stolen = protocol.encode_events(a_id, 0, 2, [_event(1, uuid=b_events[0]), _event(2)])
    answer = _post(hub, a_id, a_secret, stolen).json()
    assert answer == {"ack": 2, "stored": 1, "duplicates": 0, "conflicts": 1}
    owner = hub.query("SELECT kit_id FROM hub_event WHERE uuid = ?", b_events[0])
    assert owner == [(b.kit_id,)]
    reason = hub.query("SELECT reason FROM hub_set_aside WHERE kit_id = ?", a_id)[0][0]
    assert "already recorded by kit" in reason
    assert_converged(hub, b)


def test_malformed_oversized_truncated_and_replayed_batches(hub, tmp_path):
    kit = make_kit(tmp_path, "k", hub)
    kit_id, secret = _credentials(kit)
    good = protocol.encode_events(kit_id, 0, 3, [_event(1), _event(2), _event(3)])
    not_json = zlib.compress(b"{not json")
    doc = json.loads(zlib.decompress(good))
    doc["seq"] = [1, 1, -1]
    bad_seq = zlib.compress(json.dumps(doc).encode())
    cases = [
        (b"plain garbage", 400, "corrupt_transfer", "not a whole zlib stream"),
        (good[:-6], 400, "corrupt_transfer", "truncated"),
        (not_json, 422, "malformed_batch", "not JSON"),
        (bad_seq, 422, "malformed_batch", "out of order"),
        # PostgreSQL cannot store a NUL, no database an unpaired surrogate: refused, not a 500 retried forever
        (
            protocol.encode_events(kit_id, 0, 1, [_event(1, learner="a\x00b")]),
            422,
            "malformed_batch",
            "a NUL",
        ),
        (
            protocol.encode_events(kit_id, 0, 1, [_event(1, boot_id="b\ud800")]),
            422,
            "malformed_batch",
            "surrogate",
        ),
        (b"x" * (64 * 1024 + 1), 413, "too_large", "over 65536 bytes"),
    ]
    for body, status, code, words in cases:
        response = _post(hub, kit_id, secret, body)
        error = response.json()["error"]
        assert (response.status_code, error["code"]) == (status, code), body[:20]
        assert words in error["message"]
    changed = _post(hub, kit_id, secret, good, **{"X-Body-SHA256": "0" * 64})
    assert changed.status_code == 400 and "cut or changed on the way" in changed.json()["error"]["message"]
    assert _count(hub) == 0 and hub.query("SELECT acked_seq FROM hub_kit")[0][0] == 0
    first = _post(hub, kit_id, secret, good).json()
    replay = _post(hub, kit_id, secret, good).json()
    assert first["stored"] == 3 and replay == {"ack": 3, "stored": 0, "duplicates": 3, "conflicts": 0}
    assert _count(hub) == 3


def test_kit_sets_aside_an_event_the_hub_refuses(hub, tmp_path):
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(6)
    bad = kit.add_events(1, payload={"blob": "x" * 9000})
    kit.add_events(6)
    result = kit("sync", "now")
    assert result.stdout.startswith("ok: 12 event(s)")
    status = kit.status()
    assert status["events_waiting"] == 0
    assert [item["uuid"] for item in status["set_aside"]] == bad
    assert "over 8192" in status["set_aside"][0]["error"] and "set aside" in status["problem"]
    assert hub.query("SELECT reason FROM hub_set_aside")[0][0] == "set aside by the kit as malformed"
    assert_converged(hub, kit, set_aside=bad)
    assert "1 set-aside event(s)" in kit("sync", "retry-set-aside").stdout
    kit("sync", "now")  # offered again, refused again: it stays set aside, with the hub's reason
    status = kit.status()
    assert [item["uuid"] for item in status["set_aside"]] == bad and "over 8192" in status["set_aside"][0][
        "error"
    ]
    assert status["events_waiting"] == 0
    assert_converged(hub, kit, set_aside=bad)


def test_a_retried_set_aside_event_arrives_once_the_hub_accepts_it(sqlite_hub, tmp_path):
    """Set aside by the kit (as if a hub bug refused it), retried after the fix: it arrives once."""
    from kit.db import write
    from sync.agent.state import SetAside

    kit = make_kit(tmp_path, "k", sqlite_hub)
    made = kit.add_events(5)
    with kit.db():
        with write():
            SetAside.create(seq=3, uuid=made[2], error="refused by an old hub")
    kit("sync", "now")
    assert made[2] not in sqlite_hub.uuids(kit.kit_id)
    assert sqlite_hub.query("SELECT seq FROM hub_set_aside") == [(3,)]
    kit("sync", "retry-set-aside")
    assert kit("sync", "now").stdout.startswith("ok: 1 event(s)")
    assert kit.status()["set_aside"] == [] and kit.status()["problem"] is None
    assert sqlite_hub.query("SELECT COUNT(*) FROM hub_set_aside")[0][0] == 0
    assert_converged(sqlite_hub, kit)
    # Sent alone, it has the wire shape of its neighbours sent in a batch: learner, times, payload.
    rows = sqlite_hub.query(
        "SELECT seq, learner_uuid, device_time, kit_received_at, boot_id, mono_ms, payload"
        " FROM hub_event WHERE kit_id = ? ORDER BY seq",
        kit.kit_id,
    )
    alone, neighbour = rows[2], rows[1]
    assert alone[0] == 3 and alone[1:5] == neighbour[1:5] and alone[1]
    assert alone[5] == neighbour[5] + 250 and json.loads(alone[6])["question_id"] == "q2"


def test_enrol_codes_are_one_time_expire_and_resist_guessing(sqlite_hub, tmp_path):
    import time

    hub = sqlite_hub
    code = hub.code("Truck 9", cli=True)
    assert len(code) == 14 and code.count("-") == 2
    a = make_kit(tmp_path, "a")
    a("sync", "enroll", "--hub", hub.url, "--code", code)
    again = make_kit(tmp_path, "b")("sync", "enroll", "--hub", hub.url, "--code", code, check=False)
    assert again.returncode == 1 and "already used" in again.stderr
    short = hub.code("Truck 10", ttl=1, cli=True)
    time.sleep(1.2)
    late = make_kit(tmp_path, "c")("sync", "enroll", "--hub", hub.url, "--code", short, check=False)
    assert "expired" in late.stderr
    fresh = hub.code("Truck 11")
    for i in range(8):  # the limit is 10 failures per address per window, two spent above
        r = requests.post(hub.url + "/sync/v1/enroll", json={"code": f"WRONG-{i}", "kit_id": "x"}, timeout=5)
        assert r.status_code == 401
    blocked = make_kit(tmp_path, "d")("sync", "enroll", "--hub", hub.url, "--code", fresh, check=False)
    assert blocked.returncode == 1 and "too many failed tries" in blocked.stderr
    assert hub.query("SELECT COUNT(*) FROM hub_kit")[0][0] == 1


def test_plain_http_off_loopback_is_refused(tmp_path):
    kit = make_kit(tmp_path, "k")
    result = kit("sync", "enroll", "--hub", "http://hub.example.org", "--code", "X", check=False)
    assert result.returncode == 2 and "refusing plain http://" in result.stderr
    assert not kit.status()["enrolled"]


def test_hello_with_bad_clocks_changes_nothing(sqlite_hub, tmp_path):
    kit = make_kit(tmp_path, "k", sqlite_hub)
    kit_id, secret = _credentials(kit)
    for body, words in (
        ({"device_ms": 10**15, "mono_ms": 0, "anchors": []}, "'device_ms' is not a time"),
        ({"device_ms": 0, "mono_ms": 0, "anchors": [[1, "b", 10**15, 0, 0]]}, "'anchors'"),
        ({"device_ms": "now", "mono_ms": 0}, "'device_ms' must be a whole number"),
    ):
        response = requests.post(
            sqlite_hub.url + "/sync/v1/hello",
            json=body,
            timeout=5,
            headers=credentials.auth_header(kit_id, secret),
        )
        assert response.status_code == 422 and words in response.json()["error"]["message"]
    assert sqlite_hub.query("SELECT COUNT(*) FROM hub_clock")[0][0] == 0
    assert sqlite_hub.query("SELECT COUNT(*) FROM hub_anchor")[0][0] == 0


def test_enrol_with_a_malformed_body_is_refused_clearly(sqlite_hub):
    for body in ([1, 2], {"code": 12345, "kit_id": "x"}, {"code": "A", "kit_id": "x", "site": {"a": 1}}):
        response = requests.post(sqlite_hub.url + "/sync/v1/enroll", json=body, timeout=5)
        assert response.status_code == 400 and "short texts" in response.json()["error"]["message"]
    assert sqlite_hub.query("SELECT COUNT(*) FROM hub_kit")[0][0] == 0


def test_rate_limits_count_the_forwarded_address_behind_a_trusted_proxy(tmp_path):
    from sync.hub import create_hub_app, open_hub

    config = open_hub(tmp_path / "hub")
    config["proxy_count"] = 1
    config["enroll_attempts"] = 2
    client = create_hub_app(config=config).test_client()

    def wrong(address):
        return client.post(
            "/sync/v1/enroll", json={"code": "NOPE", "kit_id": "k"}, headers={"X-Forwarded-For": address}
        ).status_code

    assert [wrong("10.0.0.1") for _ in range(3)] == [401, 401, 429]
    assert wrong("10.0.0.2") == 401  # another field office behind the same proxy is not locked out
