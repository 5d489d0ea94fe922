"""Two worker processes storing event batches at once, one killed -9 mid-batch, again and
again: every acknowledged event is stored, none twice, and no writer meets a locked database."""

import os
import signal
import sqlite3
import threading
import time

import requests

from tests.conftest import KitServer

from .conftest import make_event

CLIENTS = 16
MAX_BATCHES = 200  # per tablet; they stop sooner, once the kills are over
PER_BATCH = 20
KILLS = 3


def _workers(pid):
    with open(f"/proc/{pid}/task/{pid}/children") as handle:
        return [int(p) for p in handle.read().split()]


def _tablet(url, token, outcome, lock, stop):
    """Post batches until told to stop; after a dropped connection send the same batch again
    (as learn.js does with what it keeps in the browser's storage) until it is acknowledged."""
    try:
        _post_batches(url, token, outcome, lock, stop)
    except Exception as exc:  # noqa: BLE001 - a tablet thread must not die unseen
        with lock:
            outcome["errors"].append(("tablet stopped", repr(exc)))


def _post_batches(url, token, outcome, lock, stop):
    for _ in range(MAX_BATCHES):
        if stop.is_set():
            return
        with lock:
            outcome["sent"] += PER_BATCH
        batch = [make_event("time_spent", {"seconds": 1}) for _ in range(PER_BATCH)]
        for _attempt in range(40):
            try:  # a fresh connection each time: a dropped one means a worker died with it
                answer = requests.post(
                    url + "/api/v1/events",
                    timeout=30,
                    json={"token": token, "events": batch},
                    headers={"Connection": "close"},
                )
            except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
                # No answer, or an answer cut off (the worker died while writing it).
                with lock:
                    outcome["dropped"] += 1
                time.sleep(0.05)
                continue
            with lock:
                if answer.status_code != 200:
                    outcome["errors"].append((answer.status_code, answer.text[:200]))
                elif sum(answer.json().values()) != PER_BATCH:
                    outcome["errors"].append(("counts", answer.text))
                else:
                    outcome["acked"] += PER_BATCH
            break
        else:
            with lock:
                outcome["errors"].append(("never acknowledged", batch[0]["uuid"]))


def _killer(parent, stop, kills):
    """Kill -9 one worker while batches are in flight; wait for its replacement; repeat;
    then let the tablets stop."""
    time.sleep(0.8)
    for index in range(KILLS):
        workers = _workers(parent)
        if len(workers) < 2:
            break
        victim = workers[index % len(workers)]
        os.kill(victim, signal.SIGKILL)
        kills.append(victim)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (victim in _workers(parent) or len(_workers(parent)) < 2):
            time.sleep(0.05)
        time.sleep(0.6)
    stop.set()


def test_killed_worker_mid_batch_loses_and_doubles_nothing(learn_app, installed_kit, ids):
    from kit.db import database
    from kit.models import Learner
    from kit.web.learn.auth import make_token

    with learn_app.test_request_context():
        tokens = [make_token(Learner.get_by_id(ids[name])) for name in ("ada", "ben")]
    database.close()
    server = KitServer(installed_kit, env={"KIT_WORKERS": "2", "KIT_THREADS": "4"}).start()
    outcome = {"sent": 0, "acked": 0, "dropped": 0, "errors": []}
    lock, stop, kills = threading.Lock(), threading.Event(), []
    tablets = [
        threading.Thread(target=_tablet, args=(server.url, tokens[n % 2], outcome, lock, stop))
        for n in range(CLIENTS)
    ]
    killer = threading.Thread(target=_killer, args=(server.process.pid, stop, kills))
    try:
        for thread in tablets + [killer]:
            thread.start()
        killer.join(120)
        stop.set()
        for thread in tablets:
            thread.join(120)
    finally:
        server.stop()
    total = outcome["sent"]
    assert not outcome["errors"], outcome["errors"][:3]
    assert len(kills) == KILLS
    assert outcome["dropped"] >= 1  # at least one kill took a request in hand with it
    assert outcome["acked"] == total
    with sqlite3.connect(installed_kit / "kit.db") as conn:
        rows, distinct = conn.execute("SELECT COUNT(*), COUNT(DISTINCT uuid) FROM event").fetchone()
        seconds = conn.execute("SELECT SUM(seconds) FROM lesson_progress").fetchone()[0]
    assert (rows, distinct) == (total, total)
    assert seconds == total  # progress folded each stored event exactly once
    log = server.log.read_text()
    assert "database is locked" not in log
    assert log.count("was killed by signal 9") == KILLS
