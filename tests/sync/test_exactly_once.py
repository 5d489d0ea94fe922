"""Exactly once under concurrency (issue 20): a hub with two workers on a real PostgreSQL, batches
sent at the same moment over real HTTP.

The counts checked are the ones a programme reads: the hub's answer ("stored"), the kit's
events_received, and the rows themselves; and the cursor a kit trusts to forget its events.
"""

import random
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from .conftest import HUB_ENV, Hub
from .wirekit import WireKit, event

ROUNDS, PER_BATCH = 12, 300


@pytest.fixture
def pg_hub(postgres, tmp_path):
    hub = Hub(tmp_path / "hub", postgres(), env={**HUB_ENV, "KIT_HUB_WORKERS": "2"}).setup()
    yield hub
    hub.stop()


def _at_once(*calls):
    """Run the calls in threads released together by a barrier; return their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        barrier.wait(10)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(run, calls))


@pytest.mark.postgres
def test_the_same_uuid_from_two_kits_at_the_same_moment_is_stored_and_counted_once(pg_hub):
    """A cloned card before it is detected: both kits send the same events at once."""
    a, b = WireKit(pg_hub.url, pg_hub.code("a")), WireKit(pg_hub.url, pg_hub.code("b"))
    answers = []
    for r in range(ROUNDS):
        seqs = range(r * PER_BATCH + 1, (r + 1) * PER_BATCH + 1)
        events = [event(seq) for seq in seqs]
        batch = (seqs[0] - 1, seqs[-1], events)
        answers += _at_once(lambda batch=batch: a.post(*batch), lambda batch=batch: b.post(*batch))
    total = ROUNDS * PER_BATCH
    assert pg_hub.query("SELECT COUNT(*), COUNT(DISTINCT uuid) FROM hub_event") == [(total, total)]
    assert sum(x["stored"] for x in answers) == total
    assert sum(x["conflicts"] for x in answers) == total  # what one stored, the other was told it owns
    assert sum(x["duplicates"] for x in answers) == 0
    received = dict(pg_hub.query("SELECT kit_id, events_received FROM hub_kit"))
    held = dict(pg_hub.query("SELECT kit_id, COUNT(*) FROM hub_event GROUP BY kit_id"))
    assert received[a.kit_id] + received[b.kit_id] == total
    assert received == {**{a.kit_id: 0, b.kit_id: 0}, **held}
    noted = pg_hub.query("SELECT COUNT(*), COUNT(DISTINCT uuid) FROM hub_set_aside WHERE uuid <> ''")
    assert noted == [(total, total)]  # each event noted once, against the kit that did not store it


def test_a_uuid_repeated_inside_one_batch_is_counted_once(hub):
    kit = WireKit(hub.url, hub.code("a"))
    events = [event(seq) for seq in range(1, 6)]
    events[3]["uuid"] = events[1]["uuid"]  # seq 4 repeats seq 2's event id
    answer = kit.post(0, 5, events)
    assert (answer["stored"], answer["duplicates"], answer["ack"]) == (4, 1, 5)
    assert hub.query("SELECT events_received FROM hub_kit") == [(4,)]
    assert hub.query("SELECT seq FROM hub_event ORDER BY seq") == [(1,), (2,), (3,), (5,)]
    again = kit.post(0, 5, events)  # the whole batch again: nothing new
    assert (again["stored"], again["duplicates"]) == (0, 5)
    assert hub.query("SELECT events_received FROM hub_kit") == [(4,)]


@pytest.mark.postgres
def test_two_workers_taking_one_kits_batches_at_once_keep_its_cursor_honest(pg_hub):
    """Batches of one kit, shuffled, four at a time: the ack never goes back and never passes a gap."""
    kit = WireKit(pg_hub.url, pg_hub.code("a"))
    size, count = 50, 40
    batches = [(i * size, (i + 1) * size) for i in range(count)]
    random.Random(20).shuffle(batches)
    seen, stop = [], threading.Event()

    def watch():  # one statement, one snapshot: the cursor and the events under it
        while not stop.is_set():
            seen.extend(
                pg_hub.query(
                    "SELECT k.acked_seq, (SELECT COUNT(*) FROM hub_event e WHERE e.kit_id = k.kit_id "
                    "AND e.seq <= k.acked_seq) FROM hub_kit k WHERE k.kit_id = ?",
                    kit.kit_id,
                )
            )

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            answers = list(
                pool.map(
                    lambda b: kit.post(b[0], b[1], [event(s) for s in range(b[0] + 1, b[1] + 1)]), batches
                )
            )
    finally:
        stop.set()
        watcher.join(30)
    top = size * count
    assert pg_hub.query("SELECT acked_seq, events_received FROM hub_kit") == [(top, top)]
    assert pg_hub.query("SELECT COUNT(*) FROM hub_range") == [(0,)]
    assert sum(x["stored"] for x in answers) == top
    acks = [ack for ack, _ in seen]
    assert acks == sorted(acks), "the ack cursor went backwards"
    assert all(ack == under for ack, under in seen), "the ack passed a gap"
    assert len(seen) > 10


def test_uuid_in_a_batch_is_checked_against_other_kits_after_storing(hub):
    """Sequential case: the second kit's copy is a conflict, not a store, on both engines."""
    a, b = WireKit(hub.url, hub.code("a")), WireKit(hub.url, hub.code("b"))
    shared = str(uuid.uuid4())
    assert a.post(0, 1, [event(1, shared)])["stored"] == 1
    answer = b.post(0, 1, [event(1, shared)])
    assert (answer["stored"], answer["conflicts"], answer["ack"]) == (0, 1, 1)
