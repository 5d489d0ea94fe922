"""Two batches on the wire at once: whatever happens to one, the cursor moves only on the hub's
contiguous ack, and every event ends up at the hub exactly once."""

import json
import zlib

from .conftest import assert_converged, make_kit

SMALL = {"KIT_SYNC_BATCH_MAX": "50"}  # 150 events: three batches, the second sent before the first's answer


def first_batch(request):
    """True for the batch covering seqs (0, 50]: the fault must hit that one, whichever arrives first."""
    body = request.partition(b"\r\n\r\n")[2]
    return json.loads(zlib.decompress(body))["after"] == 0


def _events_at_hub(hub, kit):
    return len(hub.uuids(kit.kit_id))


def _first_batch_fails(hub, tmp_path, proxy_for, fault):
    """150 events behind a proxy whose `fault` hits the first batch; return (proxy, kit,
    the failed `kit sync now`)."""
    proxy = proxy_for(hub)
    kit = make_kit(tmp_path, "k", hub, url=proxy.url, env=SMALL)
    kit.add_events(150)
    proxy.fault(fault, "/events", times=1, match=first_batch)
    return proxy, kit, kit("sync", "now", check=False)


def test_first_answer_lost_while_the_second_batch_is_in_flight(hub, tmp_path, proxy_for):
    proxy, kit, failed = _first_batch_fails(hub, tmp_path, proxy_for, "drop_after")
    assert failed.returncode == 1 and "cannot reach the hub" in failed.stdout
    assert len(proxy.requests("/events")) == 2  # the second was already on its way
    assert _events_at_hub(hub, kit) == 100  # both stored…
    status = kit.status()
    assert status["events_waiting"] == 150 and status["stage"] == "backoff"  # …but no answer was taken
    assert kit("sync", "now").stdout.startswith("ok: 50 event(s)")  # hello brought the hub's ack
    assert hub.query("SELECT events_received, acked_seq FROM hub_kit")[0] == (150, 150)
    assert_converged(hub, kit)


def test_second_batch_stored_ahead_of_a_failed_first_is_resent_as_duplicates(hub, tmp_path, proxy_for):
    proxy, kit, failed = _first_batch_fails(hub, tmp_path, proxy_for, "500")
    assert "the hub had a problem (HTTP 500)" in failed.stdout
    assert _events_at_hub(hub, kit) == 50  # seqs 51-100, kept by the hub as a range ahead of a gap
    assert hub.query("SELECT acked_seq FROM hub_kit")[0][0] == 0
    assert hub.query("SELECT after_seq, upto_seq FROM hub_range") == [(50, 100)]
    assert kit.status()["events_waiting"] == 150
    assert kit("sync", "now").stdout.startswith("ok: 150 event(s)")  # 51-100 again: duplicates
    assert hub.query("SELECT events_received, acked_seq FROM hub_kit")[0] == (150, 150)
    assert hub.query("SELECT COUNT(*) FROM hub_range")[0][0] == 0
    assert kit.status()["events_waiting"] == 0
    assert_converged(hub, kit)


def test_a_batch_that_overtakes_its_elder_is_acked_in_the_same_cycle(sqlite_hub, tmp_path, proxy_for):
    proxy = proxy_for(sqlite_hub)
    kit = make_kit(tmp_path, "k", sqlite_hub, url=proxy.url, env=SMALL)
    kit.add_events(150)
    proxy.fault("late", "/events", times=1, match=first_batch)  # it reaches the hub after the second
    assert kit("sync", "now").stdout.startswith("ok: 150 event(s)")
    assert kit.status()["events_waiting"] == 0
    assert sqlite_hub.query("SELECT events_received, acked_seq FROM hub_kit")[0] == (150, 150)
    assert_converged(sqlite_hub, kit)


def test_a_refused_batch_with_another_in_flight_sets_only_the_bad_event_aside(hub, tmp_path):
    kit = make_kit(tmp_path, "k", hub, env={"KIT_SYNC_BATCH_MAX": "4"})
    kit.add_events(6)
    bad = kit.add_events(1, payload={"blob": "x" * 9000})  # seq 7, in the second batch (4, 8]
    kit.add_events(6)
    assert kit("sync", "now").stdout.startswith("ok: ")
    status = kit.status()
    assert status["events_waiting"] == 0
    assert [item["uuid"] for item in status["set_aside"]] == bad
    assert hub.query("SELECT events_received, acked_seq FROM hub_kit")[0] == (12, 13)
    assert_converged(hub, kit, set_aside=bad)


def test_batches_grow_once_per_answer_though_the_next_left_before_it(sqlite_hub, tmp_path):
    """200 and 200 leave together; each quick full answer doubles: 400, 800, then 1,600."""
    kit = make_kit(tmp_path, "k", sqlite_hub, env={"KIT_SYNC_TIMEOUT_S": "30"})  # "quick": under 3 s
    kit.add_events(1000)  # batches of 200, 200, 400, then the last 200 (not full)
    assert kit("sync", "now").stdout.startswith("ok: 1000 event(s)")
    assert kit.status()["batch_size"] == 1600
    assert_converged(sqlite_hub, kit)
