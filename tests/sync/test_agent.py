"""The agent inside a real `kit serve`: it syncs on its own, and at once when poked."""

import time

from tests.conftest import KitServer

from .conftest import FAST, assert_converged, make_kit, wait_until


def test_poke_wakes_the_agent_in_kit_serve(sqlite_hub, tmp_path):
    hub = sqlite_hub
    kit = make_kit(tmp_path, "k", hub)
    server = KitServer(kit.data_dir, env={**FAST, "KIT_SYNC_INTERVAL_S": "3600"}).start()
    try:
        wait_until(lambda: kit.status()["last_success"], timeout=20)  # the first cycle at start
        kit.add_events(9)
        time.sleep(1.5)
        assert hub.uuids(kit.kit_id) == []  # nothing before the poke: the interval is an hour
        poked = time.monotonic()
        assert "within a few seconds" in kit("sync", "poke").stdout
        wait_until(lambda: len(hub.uuids(kit.kit_id)) == 9, timeout=15)
        assert time.monotonic() - poked < 10
    finally:
        server.stop()
    assert_converged(hub, kit)


def test_agent_syncs_on_its_interval_and_not_when_off(sqlite_hub, tmp_path):
    hub = sqlite_hub
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(4)
    off = KitServer(kit.data_dir, env={**FAST, "KIT_SYNC_AGENT": "off", "KIT_SYNC_INTERVAL_S": "1"}).start()
    try:
        time.sleep(2.5)
        assert hub.uuids(kit.kit_id) == []
    finally:
        off.stop()
    on = KitServer(kit.data_dir, env={**FAST, "KIT_SYNC_INTERVAL_S": "1"}).start()
    try:
        wait_until(lambda: len(hub.uuids(kit.kit_id)) == 4, timeout=15)
        kit.add_events(3)
        wait_until(lambda: len(hub.uuids(kit.kit_id)) == 7, timeout=15)
    finally:
        on.stop()
    assert_converged(hub, kit)


def test_status_panel_reports_in_plain_words(sqlite_hub, tmp_path):
    from kit.app import create_app
    from kit.db import database

    kit = make_kit(tmp_path, "k", sqlite_hub)
    kit.add_events(3)
    app = create_app(data_dir=kit.data_dir)
    try:
        panels = app.config["KIT_STATUS_PANELS"]
        with app.test_request_context("/"):
            panel = [p() for p in panels if p.__module__ == "sync.agent.plugin"][0]
        assert "sync_agent" not in app.extensions  # tests' create_app never starts the agent
    finally:
        database.close()
    rows = dict(panel["rows"])
    assert panel["title"] == "Sync with the hub" and rows["Events waiting"] == 3
    assert rows["Last success"] == "never" and panel["problem"] is None


def test_a_misspelt_sync_agent_setting_stops_kit_serve_with_a_clear_message(initialised, kit):
    result = kit("serve", "--port", "1", check=False, env={"KIT_SYNC_AGENT": "sometimes"})
    assert result.returncode == 2
    assert "sync_agent must be serve, off or always, not 'sometimes'" in result.stderr


def test_a_kit_enrolled_while_serving_starts_its_agent_by_itself(sqlite_hub, tmp_path):
    """The agent waits for enrolment (so an unenrolled kit never loads it), then syncs unrestarted."""
    hub = sqlite_hub
    kit = make_kit(tmp_path, "k")  # not enrolled
    kit.add_events(5)
    server = KitServer(kit.data_dir, env={**FAST, "KIT_SYNC_INTERVAL_S": "1"}).start()
    try:
        kit("sync", "enroll", "--hub", hub.url, "--code", hub.code("late"))
        kit.kit_id = kit.status()["kit_id"]
        wait_until(lambda: len(hub.uuids(kit.kit_id)) == 5, timeout=15)
    finally:
        server.stop()
    assert_converged(hub, kit)
