"""The hub's PostgreSQL ingest path (one INSERT … FROM unnest(…) a batch, pooled connections) keeps
every field exactly as SQLite does, and a worker's pooled connections survive PostgreSQL
dropping them."""

import uuid

import pytest

from sync import protocol

from .conftest import HUB_ENV, Hub
from .wirekit import WireKit, event

# Every character the array literals and psycopg2's quoting must carry through unchanged.
AWKWARD = "a \"quoted\" \\back\\slash\\ {brace}, comma NULL 'single' ünï €"
TIMES = (protocol.MIN_MS, -86_400_001, -1, 0, 1, 1_765_000_000_123, protocol.MAX_MS)


def _events():
    out = []
    for i, ms in enumerate(TIMES, start=1):
        e = event(i, learner=f"{AWKWARD}{i}", payload={"note": AWKWARD, "n": i, "z": None, "a": [1.5, "x"]})
        e.update(device_ms=ms, received_ms=ms, pack_id=AWKWARD, lesson_id="NULL", boot_id='"')
        out.append(e)
    out[1].update(device_ms=None, mono_ms=None)
    return out


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_awkward_text_and_extreme_times_are_stored_exactly(engine, request, tmp_path):
    from sync.hub import open_hub
    from sync.hub.db import database, release
    from sync.hub.ingest import store_events
    from sync.hub.models import HubEvent, Kit, ms_to_dt

    open_hub(tmp_path / "hub", request.getfixturevalue("postgres")() if engine == "postgresql" else None)
    try:
        kit = Kit.create(kit_id="k", name="k", secret_hash="x")
        sent = _events()
        assert store_events(kit, 0, len(sent), [], sent)["stored"] == len(sent)
        rows = {e.seq: e for e in HubEvent.select()}
        for e in sent:
            row = rows[e["seq"]]
            assert (row.uuid, row.learner_uuid, row.pack_id, row.lesson_id, row.boot_id) == (
                e["uuid"],
                e["learner"],
                AWKWARD,
                "NULL",
                '"',
            )
            assert row.payload == protocol._compact(e["payload"])
            assert row.device_time == ms_to_dt(e["device_ms"])
            assert (
                row.kit_received_at == row.corrected_time == ms_to_dt(e["received_ms"])
            )  # no anchors: as sent
            assert row.mono_ms == e["mono_ms"]
        again = store_events(kit, 0, len(sent), [], sent)  # all held: nothing stored twice
        assert (again["stored"], again["duplicates"]) == (0, len(sent))
        assert HubEvent.select().count() == len(sent)
        assert database.execute_sql("SELECT events_received FROM hub_kit").fetchone() == (len(sent),)
    finally:
        release()


def _hub_backends(hub):
    """(pid, when it last did something) of every connection to the hub's database but this query's."""
    return hub.query(
        "SELECT pid, state_change FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() ORDER BY pid"
    )


@pytest.fixture
def one_worker_hub(postgres, tmp_path):
    hub = Hub(tmp_path / "hub", postgres(), env={**HUB_ENV, "KIT_HUB_WORKERS": "1"}).setup()
    yield hub
    hub.stop()


@pytest.mark.postgres
def test_a_worker_stores_batch_after_batch_over_one_pooled_connection(one_worker_hub):
    """A connection per request cost the hub 12 ms and PostgreSQL a new backend for every batch."""
    kit = WireKit(one_worker_hub.url, one_worker_hub.code("a"))
    kit.post(0, 10, [event(s) for s in range(1, 11)])
    (pid, _), *others = _hub_backends(one_worker_hub)
    assert others == []  # kept for the next request, not closed with this one
    for n in range(1, 5):
        before = one_worker_hub.query("SELECT clock_timestamp()")[0][0]
        kit.post(n * 10, n * 10 + 10, [event(s) for s in range(n * 10 + 1, n * 10 + 11)])
        (same, worked), *others = _hub_backends(one_worker_hub)
        assert (same, others) == (pid, [])
        assert worked > before  # this backend stored the batch: not an idle leftover
    assert one_worker_hub.query("SELECT COUNT(*), COUNT(DISTINCT uuid) FROM hub_event") == [(50, 50)]


@pytest.mark.postgres
def test_a_worker_replaces_pooled_connections_that_postgresql_dropped(one_worker_hub):
    """A restarted or tidied-up PostgreSQL closes the pool's connections: the next batch still lands."""
    kit = WireKit(one_worker_hub.url, one_worker_hub.code("a"))
    kit.post(0, 10, [event(s) for s in range(1, 11)])
    dropped = {pid for pid, _ in _hub_backends(one_worker_hub)}
    assert dropped
    one_worker_hub.query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid()"
    )
    shared = str(uuid.uuid4())
    answer = kit.post(10, 20, [event(s, shared if s == 11 else None) for s in range(11, 21)])
    assert (answer["stored"], answer["ack"]) == (10, 20)
    assert not dropped & {pid for pid, _ in _hub_backends(one_worker_hub)}
    assert one_worker_hub.query("SELECT events_received FROM hub_kit") == [(20,)]
