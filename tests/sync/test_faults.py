"""Faults between a kit and its hub: every test ends with the kit and the hub holding the same events."""

import os
import signal
import subprocess
import sys
import time

from tests.conftest import ROOT

from .conftest import assert_converged, make_kit, wait_until


def test_hub_down_then_up(hub, tmp_path):
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(20)
    hub.stop()
    failed = kit("sync", "now", check=False)
    assert failed.returncode == 1
    assert "cannot reach the hub" in failed.stdout and "connection refused" in failed.stdout
    status = kit.status()
    assert status["events_waiting"] == 20 and status["attempts"] == 1 and status["stage"] == "backoff"
    assert "cannot reach the hub" in status["last_error"]
    assert hub.query("SELECT COUNT(*) FROM hub_event")[0][0] == 0
    hub.start()
    assert kit("sync", "now").stdout.startswith("ok: 20 event(s)")
    assert kit.status()["attempts"] == 0
    assert_converged(hub, kit)


def test_hub_answering_500_or_hanging(hub, tmp_path, proxy_for):
    proxy = proxy_for(hub)
    kit = make_kit(tmp_path, "k", hub, url=proxy.url)
    kit.add_events(30)
    proxy.fault("500", "/events")
    failed = kit("sync", "now", check=False)
    assert "the hub had a problem (HTTP 500)" in failed.stdout
    proxy.clear()
    proxy.fault("hang", "/events", times=1)
    started = time.monotonic()
    failed = kit("sync", "now", check=False)
    assert "did not answer within 3 s" in failed.stdout and time.monotonic() - started < 20
    assert kit.status()["batch_size"] < 200  # a slow link shrinks the batches
    proxy.clear()
    assert kit("sync", "now").returncode == 0
    assert_converged(hub, kit)


def test_connection_dropped_after_hub_stored_batch(hub, tmp_path, proxy_for):
    proxy = proxy_for(hub)
    kit = make_kit(tmp_path, "k", hub, url=proxy.url)
    kit.add_events(15)
    proxy.fault("drop_after", "/events", times=1)
    failed = kit("sync", "now", check=False)
    assert failed.returncode == 1
    assert len(hub.uuids(kit.kit_id)) == 15  # the hub stored it…
    assert kit.status()["events_waiting"] == 15  # …but the kit never heard, so its cursor stayed
    assert kit("sync", "now").returncode == 0
    assert kit.status()["events_waiting"] == 0
    assert hub.query("SELECT events_received FROM hub_kit")[0][0] == 15
    assert_converged(hub, kit)


def test_kit_killed_mid_batch_resumes(hub, tmp_path, proxy_for):
    proxy = proxy_for(hub)
    kit = make_kit(tmp_path, "k", hub, url=proxy.url, env={"KIT_SYNC_BATCH_MAX": "50"})
    kit.add_events(400)
    proxy.fault("delay", "/events")
    env = {**os.environ, "KIT_DATA": str(kit.data_dir), **kit.env, "KIT_SYNC_BATCH_MAX": "50"}
    agent = subprocess.Popen(
        [sys.executable, "-m", "kit", "sync", "agent"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: len(proxy.requests("/events")) >= 2, timeout=30)
        agent.send_signal(signal.SIGKILL)
        agent.wait(5)
    finally:
        if agent.poll() is None:
            agent.kill()
    stored = len(hub.uuids(kit.kit_id))
    assert 0 < stored < 400
    proxy.clear()
    assert kit("sync", "now").returncode == 0
    assert_converged(hub, kit)


def test_clock_set_back_by_years(hub, tmp_path):
    """Events received while the kit's clock read 2019 land on today at the hub, flagged exact."""
    import datetime as dt

    from sync.agent.state import Anchor, boot_id, clocks

    kit = make_kit(tmp_path, "k", hub)
    wall, boot, mono = clocks()
    wrong = dt.datetime.utcnow() - dt.timedelta(days=5 * 365)
    kit.add_events(5, device_time=wrong, received_at=wrong)
    from kit.db import write

    with kit.db():
        with write():  # what the agent would have noted while the clock was wrong, this boot
            Anchor.create(boot_id=boot_id(), wall_ms=wall - 5 * 365 * 86400 * 1000, mono_ms=mono, last_seq=5)
    kit("sync", "now")
    rows = hub.query("SELECT device_time, corrected_time, time_estimated FROM hub_event")
    assert len(rows) == 5
    for device_time, corrected, estimated in rows:
        device_time, corrected = _dt(device_time), _dt(corrected)
        assert device_time.year == wrong.year
        assert abs((corrected - dt.datetime.utcnow()).total_seconds()) < 120
        assert not estimated
    assert_converged(hub, kit)


def test_clock_from_an_unheard_boot_is_estimated_and_clamped(sqlite_hub, tmp_path):
    """A boot the hub never heard from, with a clock back in 1970: placed after what came before."""
    import datetime as dt

    from kit.db import write
    from sync.agent.state import Anchor

    hub = sqlite_hub
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(3)
    kit("sync", "now")
    epoch = dt.datetime(1970, 1, 2)
    kit.add_events(4, device_time=epoch, received_at=epoch)
    with kit.db():
        with write():
            Anchor.create(boot_id="an-old-boot", wall_ms=86400 * 1000 + 60_000, mono_ms=90_000, last_seq=7)
    kit("sync", "now")
    rows = hub.query("SELECT seq, corrected_time, time_estimated FROM hub_event ORDER BY seq")
    first = _dt(rows[0][1])
    for seq, corrected, estimated in rows[3:]:
        # received 60 s (kit clock) before the clamped anchor, so placed up to a minute earlier
        assert estimated and _dt(corrected) >= first - dt.timedelta(seconds=120), (seq, corrected)
        assert _dt(corrected) <= dt.datetime.utcnow() + dt.timedelta(seconds=5)
    assert_converged(hub, kit)


def _dt(value):
    import datetime as dt

    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def test_batches_shrink_when_the_hub_says_too_large(tmp_path):
    from .conftest import Hub

    hub = Hub(tmp_path / "hub", env={"KIT_HUB_MAX_BATCH_BYTES": "3000"}).setup()
    try:
        kit = make_kit(tmp_path, "k", hub)
        kit.add_events(500)
        assert kit("sync", "now").stdout.startswith("ok: 500 event(s)")
        assert kit.status()["batch_size"] < 200  # started at 200 (≈4 KB), halved until it fitted
        assert_converged(hub, kit)
    finally:
        hub.stop()


def test_kit_restored_from_an_older_backup_loses_nothing(hub, tmp_path):
    """After `kit restore` of an old backup, events made since reuse seqs the hub holds: all are kept."""
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(10)
    kit("sync", "now")
    backup = tmp_path / "backup.tar"
    kit("backup", "--out", backup, "--without-packs")
    before_restore = kit.add_events(5)
    kit("sync", "now")
    kit("restore", backup, "--force")
    assert not set(before_restore) & kit.uuids()  # the restored kit no longer holds these…
    since = kit.add_events(4)  # …and numbers new events 11-14, seqs the hub already holds
    kit("sync", "now")
    later = kit.add_events(2)
    kit("sync", "now")
    at_hub = hub.uuids(kit.kit_id)
    assert len(at_hub) == len(set(at_hub)) == 21
    assert kit.uuids() | set(before_restore) == set(at_hub)
    assert set(since + later) <= set(at_hub)
    assert kit.status()["events_waiting"] == 0
    assert (kit.data_dir / "sync" / "enrolled").exists()  # so `kit sync poke` still wakes the agent


def test_hub_restored_from_an_older_backup_gets_everything_again(sqlite_hub, tmp_path):
    hub = sqlite_hub
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(12)
    kit("sync", "now")
    with hub.connect() as conn:  # what an older backup of the hub would hold: the first 5 events
        conn.execute("DELETE FROM hub_event WHERE seq > 5")
        conn.execute("UPDATE hub_kit SET acked_seq = 5, events_received = 5")
        conn.commit()
    assert kit("sync", "now").stdout.startswith("ok: 7 event(s)")
    assert_converged(hub, kit)
