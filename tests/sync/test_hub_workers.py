"""`kit hub serve` on PostgreSQL runs pinned worker processes; on SQLite it stays one process."""

import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import ROOT

from .conftest import HUB_ENV, Hub, assert_converged, make_kit, wait_until


def _children(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(p) for p in handle.read().split()]


@pytest.mark.postgres
def test_postgres_hub_serves_three_kits_at_once_from_pinned_workers(postgres, tmp_path):
    hub = Hub(tmp_path / "hub", postgres(), env={**HUB_ENV, "KIT_HUB_WORKERS": "2"}).setup()
    try:
        workers = wait_until(lambda: len(_children(hub.process.pid)) == 2 and _children(hub.process.pid))
        if len(os.sched_getaffinity(0)) > 1:
            assert len({frozenset(os.sched_getaffinity(pid)) for pid in workers}) == 2
        kits = [make_kit(tmp_path, name, hub) for name in ("a", "b", "c")]
        for kit in kits:
            kit.add_events(30)
        with ThreadPoolExecutor(3) as pool:
            results = list(pool.map(lambda k: k("sync", "now").stdout, kits))
        assert all(r.startswith("ok: 30 event(s)") for r in results), results
        for kit in kits:
            assert_converged(hub, kit)
        hub.process.send_signal(signal.SIGTERM)
        assert hub.process.wait(20) == 0
    finally:
        hub.stop()
    assert "(2 workers x" in hub.log.read_text()


@pytest.mark.parametrize("workers", ["2", "-1"])
def test_sqlite_hub_refuses_workers_with_a_clear_message(sqlite_hub, workers):
    sqlite_hub.stop()
    result = subprocess.run(
        [sys.executable, "-m", "kit", "hub", "serve", "--port", "0", "--workers", workers],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "KIT_HUB_DATA": str(sqlite_hub.data_dir)},
    )
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "workers" in result.stderr


def test_sqlite_hub_serves_from_one_process_by_default(sqlite_hub):
    assert _children(sqlite_hub.process.pid) == []
    assert len(os.sched_getaffinity(sqlite_hub.process.pid)) == 1
    assert "(1 worker x" in sqlite_hub.log.read_text()
