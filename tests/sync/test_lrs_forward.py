"""Forwarding to a real LRS (issue 20): Ralph with its file-system backend, started by the test; stopped
and started again to show the cursor loses nothing and sends nothing twice."""

import pytest

from .conftest import HUB_ENV, Hub
from .lrs import PASSWORD, USER, Ralph
from .wirekit import WireKit, event


@pytest.fixture
def ralph(tmp_path):
    server = Ralph(tmp_path / "ralph").start()
    yield server
    server.stop()


def _hub_uuids_in_order(hub):
    return [row[0] for row in hub.query("SELECT uuid FROM hub_event ORDER BY id")]


def test_forward_sends_everything_once_in_order_across_an_lrs_outage(tmp_path, ralph):
    env = {
        **HUB_ENV,
        "KIT_HUB_LRS_ENDPOINT": ralph.endpoint,
        "KIT_HUB_LRS_KEY": USER,
        "KIT_HUB_LRS_SECRET": PASSWORD,
    }
    env.update({"KIT_HUB_LRS_BATCH": "40", "KIT_HUB_LRS_RETRIES": "2"})
    hub = Hub(tmp_path / "hub", env=env).setup()
    try:
        kit = WireKit(hub.url, hub.code("a"))
        kit.post(0, 100, [event(s, kind="answer" if s % 3 else "lesson_completed") for s in range(1, 101)])
        first = hub.kit("xapi", "forward")
        assert first.stdout.strip() == f"sent 100 statement(s) to {ralph.endpoint}"
        assert ralph.stored_ids() == _hub_uuids_in_order(hub)

        ralph.stop()  # the LRS goes down; kits keep syncing
        kit.post(100, 150, [event(s) for s in range(101, 151)])
        down = hub.kit("xapi", "forward", check=False)
        assert down.returncode != 0 and "did not answer" in down.stderr
        status = hub.kit("xapi", "status").stdout
        assert "sent: 100" in status and "did not answer" in status

        ralph.start()
        assert hub.kit("xapi", "forward").stdout.startswith("sent 50 statement(s)")
        assert ralph.stored_ids() == _hub_uuids_in_order(hub)  # all 150, once each, in storing order
        assert hub.kit("xapi", "forward").stdout.startswith("sent 0 statement(s)")

        # A crash after the LRS said yes but before the cursor moved: the batch goes again, stored once.
        with hub.connect() as conn:
            conn.cursor().execute(
                "UPDATE hub_lrs_cursor SET last_event_id = last_event_id - 30, sent = sent - 30"
            )
            conn.commit()
        assert hub.kit("xapi", "forward").stdout.startswith("sent 30 statement(s)")
        assert ralph.stored_ids() == _hub_uuids_in_order(hub)
    finally:
        hub.stop()


def test_forward_refuses_clearly_without_an_lrs_or_with_wrong_credentials(tmp_path, ralph):
    hub = Hub(tmp_path / "hub", env=HUB_ENV).setup()
    try:
        none = hub.kit("xapi", "forward", check=False)
        assert none.returncode != 0 and "no LRS is configured: set lrs_endpoint" in none.stderr
    finally:
        hub.stop()
    hub.env.update(
        {"KIT_HUB_LRS_ENDPOINT": ralph.endpoint, "KIT_HUB_LRS_KEY": USER, "KIT_HUB_LRS_SECRET": "wrong"}
    )
    hub.start()
    try:
        WireKit(hub.url, hub.code("a")).post(0, 1, [event(1)])
        wrong = hub.kit("xapi", "forward", check=False)
        assert wrong.returncode != 0 and "answered 401" in wrong.stderr
        assert ralph.stored_ids() == []
        assert "sent: 0" in hub.kit("xapi", "status").stdout
    finally:
        hub.stop()


@pytest.mark.postgres
def test_forward_on_postgresql_sends_once_and_one_forwarder_at_a_time(postgres, tmp_path, ralph):
    env = {
        **HUB_ENV,
        "KIT_HUB_LRS_ENDPOINT": ralph.endpoint,
        "KIT_HUB_LRS_KEY": USER,
        "KIT_HUB_LRS_SECRET": PASSWORD,
    }
    hub = Hub(tmp_path / "hub", postgres(), env=env).setup()
    try:
        WireKit(hub.url, hub.code("a")).post(0, 60, [event(s) for s in range(1, 61)])
        with hub.connect() as conn:  # another forwarder holds the cursor
            conn.cursor().execute("SELECT * FROM hub_lrs_cursor FOR UPDATE")
            busy = hub.kit("xapi", "forward", check=False)
            conn.rollback()
        assert busy.returncode != 0 and "another `kit hub xapi forward` is running" in busy.stderr
        assert ralph.stored_ids() == []
        assert hub.kit("xapi", "forward").stdout.startswith("sent 60 statement(s)")
        assert ralph.stored_ids() == _hub_uuids_in_order(hub)
    finally:
        hub.stop()
