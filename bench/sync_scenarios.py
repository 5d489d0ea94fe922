"""The sync bench's scenarios and verdicts: loopback (SQLite and PostgreSQL hubs) and 2G.

Run through bench.sync_report: bench/run sync [--events N] [--events-2g N] [--quick]
"""

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from . import link2g, workdir
from .procmon import cpu_seconds
from .servers import free_port
from .sync_bench import (
    DELAY,
    LOSS,
    PG_BIN,
    RATE_KBIT,
    fresh_kit,
    hub_counts,
    kit_cmd,
    read_relay,
    relay,
    start_hub,
    stop,
    sync_once,
)


def _pg(*argv):
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *map(str, argv)],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )


def postgres_url(options=()):
    """Start a throwaway PostgreSQL 15 as the postgres user; return (url, stop function).

    `options`: more server settings, each "name=value" (bench/hub_scale.py's profile adds
    pg_stat_statements)."""
    root = Path(tempfile.mkdtemp(prefix="ck-bench-pg-"))
    shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    _pg(PG_BIN / "initdb", "-D", data, "-A", "trust", "-U", "postgres")
    _pg(
        PG_BIN / "pg_ctl",
        "-D",
        data,
        "-l",
        root / "log",
        "-w",
        "-o",
        " ".join([f"-p {port} -k {root} -c listen_addresses=127.0.0.1", *(f"-c {o}" for o in options)]),
        "start",
    )
    _pg(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", "hub")

    def halt():
        _pg(PG_BIN / "pg_ctl", "-D", data, "-m", "fast", "stop")
        shutil.rmtree(root, ignore_errors=True)

    return f"postgresql://postgres@127.0.0.1:{port}/hub", halt


def _measure(kit, hub, stats, ns=None):
    """The timed drain then the no-op sync; relay bytes and hub CPU for each."""
    before, cpu0 = read_relay(stats), cpu_seconds(hub.pid)
    wire0 = link2g.counters() if ns else None
    drain = drain_fully(kit, ns)
    mid, cpu1 = read_relay_settled(stats), cpu_seconds(hub.pid)
    wire1 = link2g.counters() if ns else None
    noop = sync_once(kit, ns=ns)
    after = read_relay_settled(stats)
    wire2 = link2g.counters() if ns else None
    out = {
        "drain": drain,
        "noop": noop,
        "hub_cpu_s": round(cpu1 - cpu0, 2),
        "drain_payload": {k: mid[k] - before[k] for k in ("up", "down")},
        "noop_payload": {k: after[k] - mid[k] for k in ("up", "down")},
    }
    if ns:
        out["drain_wire"] = link2g.delta(wire0, wire1)
        out["noop_wire"] = link2g.delta(wire1, wire2)
    return out


def drain_fully(kit, ns=None, tries=5):
    """Sync cycles until one ends "ok" (a lossy link can fail a cycle, as in the field);
    the time is the sum of all cycles, and every cycle's result is kept."""
    seconds, results = 0.0, []
    for _ in range(tries):
        cycle = sync_once(kit, ns=ns)
        seconds += cycle["seconds"]
        results.append(cycle["result"])
        if cycle["result"].startswith("ok"):
            break
    return {"seconds": round(seconds, 3), "result": results[-1], "cycles": results}


def read_relay_settled(stats):
    time.sleep(0.5)  # the relay writes its counts every 0.2 s
    return read_relay(stats)


def loopback(events, database_url=None):
    """Drain `events` to a hub on loopback (through a zero-delay relay that counts bytes)."""
    hub, code = start_hub(workdir.WORK / "hub", database_url)
    port = free_port()
    proxy, stats = relay(("127.0.0.1", port), ("127.0.0.1", hub.port), 0.0)
    try:
        kit = fresh_kit(events)
        kit_cmd(kit, "sync", "enroll", "--hub", f"http://127.0.0.1:{port}", "--code", code)
        result = _measure(kit, hub, stats)
        result["hub_rows"] = hub_counts(workdir.WORK / "hub", database_url)
    finally:
        stop(proxy)
        hub.stop()
    return _rates(result, events)


def over_2g(events):
    """Drain `events` from a kit namespace to a hub namespace over the shaped link."""
    link2g.setup(RATE_KBIT, LOSS)
    try:
        hub, code = start_hub(workdir.WORK / "hub", ns=link2g.HUB_NS)
        port = free_port()
        proxy, stats = relay((link2g.HUB_IP, port), ("127.0.0.1", hub.port), DELAY, ns=link2g.HUB_NS)
        try:
            kit = fresh_kit(events)
            kit_cmd(
                kit,
                "sync",
                "enroll",
                "--hub",
                f"http://{link2g.HUB_IP}:{port}",
                "--code",
                code,
                ns=link2g.KIT_NS,
            )
            result = _measure(kit, hub, stats, ns=link2g.KIT_NS)
            result["hub_rows"] = hub_counts(workdir.WORK / "hub")
        finally:
            stop(proxy)
            hub.stop()
    finally:
        link2g.teardown()
    result = _rates(result, events)
    wire = result["drain_wire"]
    seconds = result["drain"]["seconds"]
    result["wire_bytes_per_event"] = round((wire["sent"][1] + wire["received"][1]) / events, 1)
    result["wire_up_bytes_per_event"] = round(wire["sent"][1] / events, 1)
    result["link_use_pct"] = round(100 * wire["sent"][1] / (RATE_KBIT * 125 * seconds), 1)
    # What tc's shaper let out: the bytes that really crossed the link (Ethernet headers included).
    result["shaper_use_pct"] = round(100 * wire["shaper_sent"][1] / (RATE_KBIT * 125 * seconds), 1)
    result["shaper_up_bytes_per_event"] = round(wire["shaper_sent"][1] / events, 1)
    result["link_bytes_per_event"] = round((wire["shaper_sent"][1] + wire["received"][1]) / events, 1)
    result["noop_wire_bytes"] = sum(result["noop_wire"][k][1] for k in ("sent", "received"))
    return result


def _rates(result, events):
    seconds = result["drain"]["seconds"]
    payload = result["drain_payload"]
    result.update(
        events=events,
        events_per_s=round(events / seconds, 1) if seconds else None,
        payload_bytes_per_event=round((payload["up"] + payload["down"]) / events, 1),
        noop_payload_bytes=sum(result["noop_payload"].values()),
    )
    return result
