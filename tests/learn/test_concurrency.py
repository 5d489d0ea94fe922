"""60 tablets posting at once to a real `kit serve`: every event stored once, none refused."""

import sqlite3
import threading
import time

import requests

from tests.conftest import KitServer

from .conftest import make_event

WRITERS = 60
BATCHES = 2
PER_BATCH = 50


def _tablet(url, token, errors, sent, barrier):
    session = requests.Session()
    barrier.wait(timeout=30)
    for _ in range(BATCHES):
        batch = [make_event("time_spent", {"seconds": 1}) for _ in range(PER_BATCH)]
        response = session.post(url + "/api/v1/events", json={"token": token, "events": batch}, timeout=60)
        if response.status_code != 200 or response.json()["accepted"] != PER_BATCH:
            errors.append((response.status_code, response.text[:200]))
        # A retry of the same batch (a lost answer on flaky Wi-Fi) must be a no-op.
        again = session.post(url + "/api/v1/events", json={"token": token, "events": batch[:5]}, timeout=60)
        if again.status_code != 200 or again.json() != {"accepted": 0, "duplicate": 5}:
            errors.append((again.status_code, again.text[:200]))
        sent.extend(e["uuid"] for e in batch)


def test_sixty_concurrent_writers_store_every_event_exactly_once(learn_app, installed_kit, ids):
    from kit.db import database
    from kit.models import Learner
    from kit.web.learn.auth import make_token

    with learn_app.test_request_context():
        token = make_token(Learner.get_by_id(ids["ada"]))
    database.close()
    server = KitServer(installed_kit, env={"KIT_THREADS": "16"}).start()
    errors, sent = [], []
    barrier = threading.Barrier(WRITERS)
    threads = [
        threading.Thread(target=_tablet, args=(server.url, token, errors, sent, barrier))
        for _ in range(WRITERS)
    ]
    try:
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)
        elapsed = time.monotonic() - started
    finally:
        server.stop()
    assert not errors, errors[:3]
    total = WRITERS * BATCHES * PER_BATCH
    assert len(sent) == total
    with sqlite3.connect(installed_kit / "kit.db") as conn:
        stored = conn.execute("SELECT COUNT(*), COUNT(DISTINCT uuid) FROM event").fetchone()
        seconds = conn.execute("SELECT seconds FROM lesson_progress").fetchone()[0]
    assert stored == (total, total)
    assert seconds == total  # progress folded every event, in the same transactions
    print(f"\n{total} events from {WRITERS} writers in {elapsed:.2f}s: {total / elapsed:.0f}/s")
