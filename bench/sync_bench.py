"""Sync: 100,000 events kit -> hub over loopback (hub on SQLite, then PostgreSQL) and over a
rural-2G-like link between network namespaces; then a sync with nothing new.

Each scenario: a fresh hub (`kit hub init`, an enrol code), a fresh kit with the events
appended to kit.db, `kit sync enroll`, then one timed sync cycle (bench.sync_driver, so an
interpreter's start is not counted) and a second, no-op one. The hub's database is then
read: every event there exactly once. Bytes: the relay's payload counts on loopback, the
kit-side nftables counters (IP bytes, retransmissions included) and tc's count of what its
shaper let out on the 2G link.
Run: bench/run sync   (root; bench/run sync --quick: 300 events, no docs).
This module holds the parts; bench.sync_scenarios runs them.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from . import workdir
from .servers import PY, ROOT, Server, fresh_copy
from .workdir import template

PG_BIN = Path("/usr/lib/postgresql/15/bin")
RATE_KBIT, LOSS, DELAY = 100, 1, 0.15


def kit_cmd(data, *args, ns=None, env=None, timeout=1200):
    argv = [PY, "-m", "kit", "--data", str(data), *map(str, args)]
    if ns:
        argv = ["ip", "netns", "exec", ns, *argv]
    out = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**os.environ, "KIT_SYNC_AGENT": "off", "KIT_HUB_ALLOW_HTTP": "1", **(env or {})},
    )
    if out.returncode != 0:
        raise RuntimeError(f"kit {' '.join(map(str, args))}: {out.stdout}{out.stderr}")
    return out.stdout


class Hub(Server):
    health = "/sync/v1/ping"


def start_hub(folder, database_url=None, ns=None, host="127.0.0.1"):
    """Init a fresh hub folder and start `kit hub serve`; return (server, enrol code)."""
    if folder.exists():
        shutil.rmtree(folder)
    env = {"KIT_HUB_DATABASE": database_url} if database_url else {}
    kit_cmd(folder, "hub", "init", env=env)
    code = kit_cmd(folder, "hub", "enroll-code", "--name", "bench kit", env=env).strip()
    argv = [PY, "-m", "kit", "--data", str(folder), "hub", "serve", "--host", host, "--port", "{port}"]
    if ns:
        argv = ["ip", "netns", "exec", ns, *argv]
    hub = Hub(argv, env=env, log=str(workdir.WORK / "hub.log"), host=host)
    if ns:  # wait_200 cannot reach into the namespace: check from inside it
        hub.health = None
        return _start_in_ns(hub, ns), code
    return hub.start(), code


def _start_in_ns(hub, ns, timeout=30):
    with open(hub.log, "ab") as log:
        hub.process = subprocess.Popen(hub.argv, env=hub.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    probe = (
        f"import urllib.request;urllib.request.urlopen('http://{hub.host}:{hub.port}/sync/v1/ping',timeout=1)"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if subprocess.run(["ip", "netns", "exec", ns, PY, "-c", probe], capture_output=True).returncode == 0:
            return hub
        time.sleep(0.2)
    raise TimeoutError("the hub did not answer inside its namespace")


def fresh_kit(events):
    """A kit data folder with `events` events waiting (prepared once, copied per scenario)."""
    tpl, _plan = template(3)
    cached = workdir.WORK / f"sync-kit-{events}"
    if not cached.exists():
        fresh_copy(tpl, cached)
        subprocess.run(
            [PY, "-m", "bench.sync_driver", "events", "--data", str(cached), "--count", str(events)],
            check=True,
            cwd=ROOT,
            timeout=600,
        )
    return fresh_copy(cached, workdir.WORK / "sync-kit")


def sync_once(data, ns=None, timeout=1200):
    argv = [PY, "-m", "bench.sync_driver", "now", "--data", str(data)]
    if ns:
        argv = ["ip", "netns", "exec", ns, *argv]
    out = subprocess.run(
        argv,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**os.environ, "KIT_HUB_ALLOW_HTTP": "1"},
    )
    if out.returncode != 0:
        raise RuntimeError(f"sync_driver now: {out.stdout}{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def hub_counts(folder, database_url=None):
    """(rows, distinct uuids) in the hub's event table."""
    sql = "SELECT COUNT(*), COUNT(DISTINCT uuid) FROM hub_event"
    if database_url:
        import psycopg2

        with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchone()
    with sqlite3.connect(folder / "hub.db") as conn:
        return conn.execute(sql).fetchone()


def relay(listen, to, delay, ns=None):
    stats = workdir.WORK / f"relay-{listen[1]}.json"
    argv = [
        PY,
        "-m",
        "bench.relay",
        "--listen",
        f"{listen[0]}:{listen[1]}",
        "--to",
        f"{to[0]}:{to[1]}",
        "--delay",
        str(delay),
        "--stats",
        str(stats),
    ]
    if ns:
        argv = ["ip", "netns", "exec", ns, *argv]
    Path(stats).unlink(missing_ok=True)
    process = subprocess.Popen(argv, cwd=ROOT)
    deadline = time.monotonic() + 30
    while not Path(stats).exists():  # written first once it listens
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the relay did not start (exit {process.poll()})")
        time.sleep(0.02)
    return process, stats


def read_relay(stats):
    return json.loads(Path(stats).read_text())


def stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
