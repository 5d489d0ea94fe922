"""A hub behind a load balancer (issue 20): liveness and readiness, a graceful stop that never leaves
a batch half-stored, and sign-ins, CSRF and rate limits that hold across workers. Real hub
processes on a real PostgreSQL."""

import signal
import threading
import time
from contextlib import closing

import psycopg2
import pytest
import requests

from .conftest import HUB_ENV, Hub
from .test_hub_sessions import csrf, sign_in
from .wirekit import WireKit, event


def test_healthz_and_readyz_answer_without_an_account(hub):
    assert requests.get(hub.url + "/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(hub.url + "/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    assert ready.json()["schema"] == hub.query("SELECT MAX(number) FROM hub_schema")[0][0]


def _allow_connections(url, allowed):
    """Open or close the hub's database to new connections, and cut the open ones when closing."""
    name = url.rsplit("/", 1)[1]
    with closing(psycopg2.connect(url.rsplit("/", 1)[0] + "/postgres")) as conn:
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS {'true' if allowed else 'false'}")
        if not allowed:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,))


@pytest.mark.postgres
def test_readyz_says_not_ready_while_the_database_is_away_and_healthz_stays_live(postgres, tmp_path):
    hub = Hub(tmp_path / "hub", postgres(), env=HUB_ENV).setup()
    try:
        _allow_connections(hub.database_url, False)
        try:
            answer = requests.get(hub.url + "/readyz", timeout=10)
            assert answer.status_code == 503
            assert answer.json() == {"status": "not ready", "problem": "the hub cannot reach its database"}
            assert requests.get(hub.url + "/healthz", timeout=5).status_code == 200
        finally:
            _allow_connections(hub.database_url, True)
        assert requests.get(hub.url + "/readyz", timeout=10).status_code == 200
    finally:
        hub.stop()


@pytest.mark.postgres
def test_sigterm_while_batches_are_stored_leaves_none_half_stored(postgres, tmp_path):
    hub = Hub(tmp_path / "hub", postgres(), env={"KIT_HUB_WORKERS": "2"}).setup()
    kits = [WireKit(hub.url, hub.code(f"k{i}")) for i in range(3)]
    sent, answered, signalled = {}, {}, threading.Event()

    def send(kit, size=2000, most=40):
        for n in range(most):  # bounded: at most 40 batches, and none once the hub is stopping
            events = [event(s) for s in range(n * size + 1, (n + 1) * size + 1)]
            sent[(kit.kit_id, n)] = [e["uuid"] for e in events]
            try:
                answered[(kit.kit_id, n)] = kit.post(n * size, (n + 1) * size, events)
            except requests.RequestException:
                return
            if signalled.is_set():
                return

    threads = [threading.Thread(target=send, args=(kit,)) for kit in kits]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(answered) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        signalled.set()
        hub.process.send_signal(signal.SIGTERM)
        for thread in threads:
            thread.join(60)
        assert hub.process.wait(30) == 0
    finally:
        hub.stop()
    held = {row[0] for row in hub.query("SELECT uuid FROM hub_event")}
    for key, uuids in sent.items():
        kept = sum(u in held for u in uuids)
        assert kept in (0, len(uuids)), f"batch {key} half-stored: {kept} of {len(uuids)}"
        if key in answered:
            assert kept == len(uuids) and answered[key]["stored"] == len(uuids)
    assert len(held) == sum(row[0] for row in hub.query("SELECT events_received FROM hub_kit"))
    assert len(answered) >= 3


@pytest.mark.postgres
def test_sign_in_csrf_and_rate_limits_hold_across_workers(postgres, tmp_path):
    """Every request on a new connection, so the two workers take them in turn as they accept."""
    hub = Hub(tmp_path / "hub", postgres(), env={**HUB_ENV, "KIT_HUB_WORKERS": "2"}).setup()
    fresh = {"Connection": "close"}
    try:
        session, answer = sign_in(hub)
        assert answer.status_code == 302
        pages = [
            session.get(hub.url + "/", headers=fresh, allow_redirects=False, timeout=10) for _ in range(12)
        ]
        assert [p.status_code for p in pages] == [200] * 12
        tokens = [csrf(p.text) for p in pages[:2]]
        out = session.post(hub.url + "/signout", data={"csrf_token": tokens[0]}, headers=fresh, timeout=10)
        assert out.status_code in (200, 302)
        assert session.get(hub.url + "/", headers=fresh, allow_redirects=False, timeout=10).status_code == 302

        statuses = [
            requests.post(
                hub.url + "/sync/v1/enroll",
                json={"code": f"wrong-{i}", "kit_id": f"kit-{i}"},
                headers=fresh,
                timeout=10,
            ).status_code
            for i in range(12)
        ]
        assert statuses == [401] * 10 + [429] * 2, statuses  # enroll_attempts = 10 per address, all workers
    finally:
        hub.stop()
