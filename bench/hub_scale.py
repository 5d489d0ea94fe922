"""The hub at programme scale: many kits syncing at once into 1, 2 and 4 workers on PostgreSQL,
then report timings over a large event table.

Each simulated kit enrols over HTTP and posts its events in batches through the real sync
protocol (sync/protocol.py encodes them as the agent does), one thread per kit, all kits at
once; every kit also sends its first batch a second time, as after a lost acknowledgement.
After each run the hub's table is read: every UUID sent is there exactly once and nothing else,
the hub's counts agree, and every kit's cursor is at its last seq. Every body is made before
the clock starts, and the CPU seconds of the hub's processes, of PostgreSQL's (its exited
backends included) and of this client are kept apart: on a 2-core machine they share the cores.
With `--baseline TREE` each worker count also runs that tree's hub, the two trees' rounds in
turn (`--rounds`), so both see the same load; the summary gives the median of each and their
ratio. `--copy-floor N` then COPYs N rows like the ingest's straight into hub_event: what
PostgreSQL alone spends per event, a floor under any ingest path.

Then the report pass, once per generator shape (`--report-shapes real,worst`: see
_event_row): a generator COPYs N events straight into hub_event (the same table the ingest
path fills), `kit hub reports rebuild` makes the summaries, and each report page and CSV is
asked 20 times by a signed-in manager; p95 per route. With `--baseline TREE` (another
commit's source, `git archive <commit> | tar -x -C TREE`) that tree's hub serves the same
database beside this one's and each request goes to both in turn: the p95 ratio per route is
the comparison (same data, same load). The load average is kept with every run (the machine
may be shared).

Run: bench/run hub-scale [--kits 50 --events 2000 --batch 500 --workers 1,2,4 --rounds 1 --report-events 1000000
                          --report-shapes real,worst --baseline TREE --copy-floor 0 --pg "name=value …"
                          --out hub-scale]
     (--workers "" for the reports alone, --report-events 0 for the ingest alone)
Bounded: each run has a fixed number of requests, each with a timeout.
"""

import argparse
import contextlib
import csv
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import requests

from sync import credentials, protocol
from sync.hub import summaries

from . import procmon, report, stats
from .servers import free_port
from .svgplot import line_chart
from .sync_scenarios import PG_BIN, _pg, postgres_url

ROOT = Path(__file__).resolve().parent.parent
# A programme hub's PostgreSQL as docs/hub-operators-guide.md sets it up: with the default 128 MB
# of shared buffers the backends wrote out 640 MB of evicted pages themselves during one 1 M-event
# run (pg_stat_bgwriter.buffers_backend). Durability is the default's: synchronous_commit stays
# on, so a kit's acknowledgement means its batch is on disk.
PG_SETTINGS = ("shared_buffers=1GB", "max_wal_size=4GB")
RESULTS = ROOT / "bench" / "results"


def _events(kit_index, first, last, now_ms):
    return [
        {
            "seq": s,
            "uuid": str(uuid.uuid4()),
            "learner": f"k{kit_index}-l{s % 30}",
            "pack_id": "numeracy",
            "lesson_id": f"0{s % 5 + 1}",
            "kind": ("answer", "time_spent", "lesson_opened", "lesson_completed")[s % 4],
            "payload": {"seconds": 60} if s % 4 == 1 else {"question_id": "q1", "correct": True},
            "device_ms": now_ms + s,
            "boot_id": "b1",
            "mono_ms": s,
            "received_ms": now_ms + s,
        }
        for s in range(first, last + 1)
    ]


class Hub:
    """A hub serving a data folder; `tree`: the source tree it runs (another commit's, as a baseline)."""

    def __init__(self, url, workers, folder, tree=ROOT, init=True):
        self.url_db, self.workers, self.folder, self.tree = url, workers, Path(folder), Path(tree)
        self.port = free_port()
        self.env = {**os.environ, "KIT_HUB_DATA": str(self.folder), "KIT_HUB_DATABASE": url}
        self.ready = "/readyz"
        if tree != ROOT:
            self.env["PYTHONPATH"] = str(tree)
            self.ready = "/healthz"  # an older hub's /readyz refuses a newer schema; it reads it all the same
        if not init:
            return
        subprocess.run(  # from the tree served: its own migrations make the schema it expects
            [sys.executable, "-m", "kit", "hub", "init"],
            env=self.env,
            cwd=self.tree,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def __enter__(self):
        self.log = open(self.folder / "hub.log", "ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kit",
                "hub",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=self.env,
            cwd=self.tree,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.base + self.ready, timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        self.__exit__()  # not left serving when its start fails
        raise RuntimeError(f"the hub did not become ready in 60 s (its log: {self.folder / 'hub.log'})")

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(30)
        self.log.close()

    def in_process(self):
        from sync.hub import open_hub

        open_hub(self.folder, self.url_db)


def _codes(hub, count):
    from sync.hub.db import database
    from sync.hub.enrol import new_code

    hub.in_process()
    try:
        return [new_code(f"kit {i}", 3600) for i in range(count)]
    finally:
        database.close()


def _enrol(base, code, i):
    kit_id = f"bench-{i}-{uuid.uuid4().hex[:8]}"
    answer = requests.post(
        f"{base}{protocol.PREFIX}/enroll",
        json={"code": code, "kit_id": kit_id, "site": f"site {i % 10}"},
        timeout=60,
    )
    answer.raise_for_status()
    return kit_id, credentials.auth_header(kit_id, answer.json()["secret"])


def postmaster(url):
    """The PostgreSQL server's main pid (a backend's parent), to count the server's CPU."""
    with psycopg2.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("SELECT pg_backend_pid()")
        backend = cur.fetchone()[0]
    with open(f"/proc/{backend}/stat") as handle:
        return int(handle.read().rsplit(")", 1)[1].split()[1])


def server_cpu(pid):
    """CPU seconds of the server and its backends, those already gone included (a backend a
    request, before the pool, lived a few ms: its time is in the postmaster's cutime)."""
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return procmon.cpu_seconds(pid) + (int(fields[13]) + int(fields[14])) / procmon.CLOCK


def _client_cpu():
    times = os.times()
    return times.user + times.system


def ingest_run(url, workers, kits, per_kit, batch, folder, tree=ROOT):
    """One run: all kits at once into a hub with `workers` workers; returns the measurements.

    Every request body is made before the clock starts: the timed part of the client only sends
    bytes and reads answers (its CPU is measured apart, with the hub's and PostgreSQL's).
    """
    loads = {"start": load()}
    server = postmaster(url)
    with Hub(url, workers, folder, tree) as hub:
        ids = [_enrol(hub.base, code, i) for i, code in enumerate(_codes(hub, kits))]
        now_ms, plans, sent = int(time.time() * 1000), [], set()
        for i, (kit_id, headers) in enumerate(ids):
            bodies = []
            for after in range(0, per_kit, batch):
                events = _events(i, after + 1, min(after + batch, per_kit), now_ms)
                sent.update(e["uuid"] for e in events)
                bodies.append(
                    (protocol.encode_events(kit_id, after, after + len(events), events), len(events))
                )
            bodies.insert(1, bodies[0])  # the first batch again: a lost acknowledgement
            plans.append((headers, bodies))
        latencies, errors, stored, lock = [], [], [0], threading.Lock()
        start = threading.Barrier(kits)

        def kit_run(plan):
            headers, bodies = plan
            http = requests.Session()
            start.wait(120)
            for body, _ in bodies:
                t0 = time.perf_counter()
                try:
                    answer = http.post(
                        f"{hub.base}{protocol.PREFIX}/events",
                        data=body,
                        timeout=120,
                        headers={
                            **headers,
                            "Content-Type": protocol.EVENTS_TYPE,
                            "X-Body-SHA256": credentials.body_digest(body),
                        },
                    )
                    ok = answer.status_code == 200
                except requests.RequestException as exc:
                    ok, answer = False, exc
                with lock:
                    latencies.append(time.perf_counter() - t0)
                    if ok:
                        stored[0] += answer.json()["stored"]
                    else:
                        errors.append(str(getattr(answer, "status_code", answer))[:80])

        cpu0 = procmon.cpu_seconds(hub.process.pid), server_cpu(server), _client_cpu()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(kits) as pool:
            list(pool.map(kit_run, plans))
        wall = time.perf_counter() - t0
        cpu1 = procmon.cpu_seconds(hub.process.pid), server_cpu(server), _client_cpu()
        cpu = dict(zip(("hub", "postgresql", "client"), (round(b - a, 2) for a, b in zip(cpu0, cpu1))))
        loads["end"] = load()
        memory = [(pid, rss // 2**20, pss // 2**20) for pid, rss, pss in procmon.per_process(hub.process.pid)]
    with psycopg2.connect(url) as conn:
        cur = conn.cursor()
        cur.execute("SELECT uuid FROM hub_event")
        held = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT SUM(events_received), MIN(acked_seq), MAX(acked_seq) FROM hub_kit")
        received, low, high = cur.fetchone()
    return {
        "workers": workers,
        "tree": str(tree),
        "load": loads,
        "kits": kits,
        "events": len(sent),
        "batches": len(latencies),
        "seconds": round(wall, 2),
        "events_per_s": round(len(sent) / wall),
        "p50_batch_ms": round(stats.percentile(latencies, 50) * 1000),
        "p95_batch_ms": round(stats.percentile(latencies, 95) * 1000),
        "errors": len(errors),
        "error_samples": errors[:5],
        "stored_answered": stored[0],
        "held": len(held),
        "lost": len(sent - set(held)),
        "duplicated": len(held) - len(set(held)),
        "foreign": len(set(held) - sent),
        "counted": int(received or 0),
        "acked_all": low == high == per_kit,
        "memory_mb": memory,
        "cpu_s": cpu,
        "cpu_us_per_event": {part: round(seconds * 1e6 / len(sent)) for part, seconds in cpu.items()},
    }


def ingest_summary(runs):
    """Per tree and worker count: the median events/s and p95 of its rounds, CPU per event, and the
    ratio of this tree's median to the baseline's (the rounds ran in turn, so both saw the same load)."""
    rows = []
    for name in dict.fromkeys(r["name"] for r in runs):
        for workers in dict.fromkeys(r["workers"] for r in runs):
            mine = [r for r in runs if r["name"] == name and r["workers"] == workers]
            if not mine:
                continue
            rows.append(
                {
                    "name": name,
                    "workers": workers,
                    "rounds": len(mine),
                    "events_per_s": round(stats.percentile([r["events_per_s"] for r in mine], 50)),
                    "each_events_per_s": [r["events_per_s"] for r in mine],
                    "p95_batch_ms": round(stats.percentile([r["p95_batch_ms"] for r in mine], 50)),
                    "cpu_us_per_event": {
                        part: round(stats.percentile([r["cpu_us_per_event"][part] for r in mine], 50))
                        for part in mine[0]["cpu_us_per_event"]
                    },
                    "lost": sum(r["lost"] for r in mine),
                    "duplicated": sum(r["duplicated"] for r in mine),
                    "errors": sum(r["errors"] for r in mine),
                    "load_1min": [r["load"]["start"][0] for r in mine] + [mine[-1]["load"]["end"][0]],
                }
            )
    base = {row["workers"]: row["events_per_s"] for row in rows if row["name"] == "base"}
    for row in rows:
        if row["name"] == "new" and row["workers"] in base:
            row["new_over_base"] = round(row["events_per_s"] / base[row["workers"]], 2)
    return rows


SHAPES = ("worst", "real")


def _event_row(shape, n, kits, per_kit):
    """Event number `n` of the generator, as a hub_event row (COPY's columns).

    "worst": every event its own learner, the months cycled (hub_sum_learner and hub_sum_person
    get a row per event: the most a summary can hold). "real": as a kit's history is, 30 learners
    a kit with hundreds of events each, over 36 months in order, each learner in two packs.
    """
    kit, j = n % kits, n // kits
    kind = ("answer", "time_spent", "lesson_opened", "lesson_completed", "page_viewed")[n % 5]
    if shape == "worst":
        month, learner, pack, lesson = j % 36, f"L{kit}-{j}", n % 6, n % 9
    else:
        month, learner = min(35, j * 36 // per_kit), j % 30
        pack, lesson = (kit + learner + (j // 300) % 2) % 6, (j // 30) % 9
        learner = f"L{kit}-{learner}"
    return (
        f"gen-{kit}",
        n,
        str(uuid.UUID(int=n + 1)),
        learner,
        f"pack{pack}",
        f"0{lesson}",
        kind,
        '{"seconds":90}' if kind == "time_spent" else "{}",
        f"{2023 + month // 12}-{month % 12 + 1:02d}-15 10:00:00",
        "f",
        "b",
        "online",
    )


def _generate(url, total, shape, kits=200):
    """COPY `total` events of `kits` kits over 36 months into hub_event (the ingest path's table)."""
    with psycopg2.connect(url) as conn:
        cur = conn.cursor()
        cur.execute(
            "ALTER TABLE hub_event ALTER COLUMN kit_received_at SET DEFAULT now(), "
            "ALTER COLUMN stored_at SET DEFAULT now()"
        )
        for k in range(kits):
            cur.execute(
                "INSERT INTO hub_kit (kit_id, name, site, location, secret_hash, enrolled_at, version, acked_seq, "
                "acked_anchor, events_received, last_problem) VALUES (%s, %s, %s, '', 'x', now(), '', 0, 0, 0, '')",
                (f"gen-{k}", f"Kit {k}", f"Site {k % 40}"),
            )
        step, per_kit = 200_000, -(-total // kits)
        for start in range(0, total, step):
            text = io.StringIO()
            csv.writer(text).writerows(
                _event_row(shape, n, kits, per_kit) for n in range(start, min(start + step, total))
            )
            text.seek(0)
            cur.copy_expert(
                "COPY hub_event (kit_id, seq, uuid, learner_uuid, pack_id, lesson_id, kind, payload, corrected_time, "
                "time_estimated, boot_id, via) FROM STDIN WITH (FORMAT csv)",
                text,
            )
        conn.commit()
        cur.execute("ANALYZE")


def copy_floor(url, total, batch, kits=200):
    """PostgreSQL's own CPU per event for a bare COPY of rows like the ingest runs' into hub_event.

    A floor under any ingest path on this server: the same table and indexes, random UUIDs, a
    transaction per `batch` rows, but no duplicate check, no summaries, no hub. The CSV is made
    before the clock starts.
    """
    Hub(url, 1, tempfile.mkdtemp(prefix="hub-floor-"))  # `kit hub init`: this tree's schema
    now = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    texts = []
    for start in range(0, total, batch):
        text = io.StringIO()
        csv.writer(text).writerows(
            (
                f"kit-{n % kits}",
                n,
                str(uuid.uuid4()),
                f"k{n % kits}-l{n % 30}",
                "numeracy",
                f"0{n % 5 + 1}",
                ("answer", "time_spent", "lesson_opened", "lesson_completed")[n % 4],
                '{"seconds":60}' if n % 4 == 1 else '{"correct":true,"question_id":"q1"}',
                now,
                now,
                "t",
                "b1",
                n,
                now,
                now,
                "online",
            )
            for n in range(start, min(start + batch, total))
        )
        texts.append(text.getvalue())
    server = postmaster(url)
    with psycopg2.connect(url) as conn:
        cur = conn.cursor()
        cpu0, t0 = server_cpu(server), time.perf_counter()
        for text in texts:
            cur.copy_expert(
                "COPY hub_event (kit_id, seq, uuid, learner_uuid, pack_id, lesson_id, kind, payload, device_time, "
                "corrected_time, time_estimated, boot_id, mono_ms, kit_received_at, stored_at, via) "
                "FROM STDIN WITH (FORMAT csv)",
                io.StringIO(text),
            )
            conn.commit()
        wall, cpu = time.perf_counter() - t0, server_cpu(server) - cpu0
    return {
        "events": total,
        "batch": batch,
        "seconds": round(wall, 2),
        "events_per_s": round(total / wall),
        "postgresql_cpu_us_per_event": round(cpu * 1e6 / total, 1),
        "load": load(),
    }


def _sizes(url):
    with psycopg2.connect(url) as conn:
        cur = conn.cursor()
        sizes = {}
        for table in ("hub_event", *summaries.TABLES):
            cur.execute(f"SELECT COUNT(*) FROM {table}")
            sizes[table] = cur.fetchone()[0]
        cur.execute("ANALYZE")
    return sizes


def load():
    """The load average now: printed and kept with every run (the machine is shared)."""
    return [round(x, 2) for x in os.getloadavg()]


ROUTES = [
    "/reports/hours",
    "/reports/learners",
    "/reports/learners?page=2",
    "/reports/completion",
    "/reports/hours.csv",
    "/reports/learners.csv",
    "/reports/completion.csv",
    "/programme",
    "/programme/hours.svg",
    "/programme/hours.csv",
    "/programme/learners.csv",
    "/programme/completion.csv",
    "/programme?site=Site+3",
    "/programme?from=2024-01&to=2024-12",
    "/programme?from=2024-01&to=2024-12&site=Site+3&course=pack2",
]


def _signed_in(hub):
    """A session of the bench's manager at `hub`."""
    s = requests.Session()
    form = s.get(hub.base + "/signin", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
    s.post(
        hub.base + "/signin",
        data={"username": "bench", "password": "bench-password-1", "csrf_token": token},
        timeout=30,
    )
    return (hub, s)


def _time_routes(hubs, sessions, routes, times=20):
    """p50 and p95 of each route at each hub, the hubs asked in turn (same load for both)."""
    timings = {name: {} for name in hubs}
    for route in routes:
        taken = {name: [] for name in hubs}
        for _ in range(times):
            for name, (hub, s) in sessions.items():
                t0 = time.perf_counter()
                answer = s.get(hub.base + route, timeout=60)
                taken[name].append(time.perf_counter() - t0)
                assert answer.status_code == 200, (name, route, answer.status_code)
        for name, seconds in taken.items():
            timings[name][route] = {
                "p50_ms": round(stats.percentile(seconds, 50) * 1000, 1),
                "p95_ms": round(stats.percentile(seconds, 95) * 1000, 1),
            }
    return timings


def report_run(url, total, folder, shape, baseline=None):
    hub = Hub(url, 2, folder)
    loads = {"start": load()}
    t0 = time.perf_counter()
    _generate(url, total, shape)
    generated = time.perf_counter() - t0
    loads["rebuild_start"] = load()
    t0 = time.perf_counter()
    rebuilt = subprocess.run(
        [sys.executable, "-m", "kit", "hub", "reports", "rebuild"],
        env=hub.env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=3600,
    ).stdout.strip()
    rebuild_s = time.perf_counter() - t0
    loads["rebuild_end"] = load()
    sizes = _sizes(url)
    from sync.hub.accounts import add_user
    from sync.hub.db import database

    hub.in_process()
    add_user("bench", "bench-password-1")
    database.close()

    loads["routes_start"] = load()
    trees = {"base": baseline, "new": ROOT} if baseline else {"new": ROOT}
    hubs = {name: Hub(url, 2, folder, tree, init=False) for name, tree in trees.items()}
    with contextlib.ExitStack() as stack:
        sessions = {name: _signed_in(stack.enter_context(h)) for name, h in hubs.items()}
        timings = _time_routes(hubs, sessions, ROUTES)
    loads["routes_end"] = load()
    return {
        "shape": shape,
        "events": total,
        "sizes": sizes,
        "load": loads,
        "generate_s": round(generated, 1),
        "rebuild": rebuilt,
        "rebuild_s": round(rebuild_s, 1),
        "routes": timings["new"],
        "base_routes": timings.get("base"),
        "p95_ratio_base_over_new": {
            route: round(timings["base"][route]["p95_ms"] / timings["new"][route]["p95_ms"], 2)
            for route in ROUTES
        }
        if baseline
        else None,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kits", type=int, default=50)
    parser.add_argument("--events", type=int, default=2000, help="events per kit")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--workers", default="1,2,4", help='hub worker counts; "" for none (reports only)')
    parser.add_argument("--report-events", type=int, default=1_000_000)
    parser.add_argument(
        "--report-shapes", default="real,worst", help="generator shapes: " + ", ".join(SHAPES)
    )
    parser.add_argument(
        "--baseline",
        help="another source tree (git archive of a commit): its hub takes the same ingest runs, "
        "rounds interleaved with this tree's, and is timed on the same report routes, in turn",
    )
    parser.add_argument(
        "--pg",
        default=" ".join(PG_SETTINGS),
        help="settings of the bench's PostgreSQL, name=value each, space-separated (default: what "
        "docs/hub-operators-guide.md asks of a programme hub's server)",
    )
    parser.add_argument(
        "--copy-floor",
        type=int,
        default=0,
        help="events COPYed bare into hub_event after the ingest runs: PostgreSQL's CPU per event, a floor",
    )
    parser.add_argument(
        "--rounds", type=int, default=1, help="ingest runs per worker count (and per tree, with --baseline)"
    )
    parser.add_argument(
        "--out", default="hub-scale", help="name of the results in bench/results (.json, .svg)"
    )
    args = parser.parse_args(argv)
    shapes = [s for s in args.report_shapes.split(",") if s] if args.report_events else []
    for shape in shapes:
        if shape not in SHAPES:
            parser.error(f"no generator shape {shape!r}: the shapes are {', '.join(SHAPES)}")
    result = {"machine": report.machine(), "args": vars(args), "runs": []}
    url, halt = postgres_url(args.pg.split())
    port = url.rsplit(":", 1)[1].split("/")[0]

    def fresh_db(name):
        """A new database on the bench's PostgreSQL; its URL."""
        _pg(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", name)
        return url.rsplit("/", 1)[0] + "/" + name

    try:
        baseline = args.baseline and Path(args.baseline).resolve()
        for n in [int(w) for w in args.workers.split(",") if w]:
            for round_ in range(args.rounds):
                trees = [("new", ROOT), ("base", baseline)] if baseline else [("new", ROOT)]
                for name, tree in trees if round_ % 2 == 0 else trees[::-1]:  # old/new in turn: same noise
                    db_url = fresh_db(f"scale{n}_{name}_{round_}")
                    with tempfile.TemporaryDirectory() as folder:
                        run = ingest_run(db_url, n, args.kits, args.events, args.batch, folder, tree)
                    run.update(name=name, round=round_)
                    print(
                        json.dumps({k: v for k, v in run.items() if k != "memory_mb"}),
                        "memory (pid, RSS MB, PSS MB):",
                        run["memory_mb"],
                        flush=True,
                    )
                    result["runs"].append(run)
        result["ingest"] = ingest_summary(result["runs"])
        print(json.dumps(result["ingest"], indent=1), flush=True)
        if args.copy_floor:
            result["copy_floor"] = copy_floor(fresh_db("floor"), args.copy_floor, args.batch)
            print("bare COPY:", json.dumps(result["copy_floor"]), flush=True)
        result["reports"] = []
        for shape in shapes:
            db_url = fresh_db(f"reports_{shape}")
            with tempfile.TemporaryDirectory() as folder:
                run = report_run(db_url, args.report_events, folder, shape, baseline)
            print(json.dumps(run, indent=1), flush=True)
            result["reports"].append(run)
    finally:
        halt()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{args.out}.json").write_text(json.dumps(result, indent=1))
    if not result["runs"]:
        return
    labels = {"new": "this tree", "base": "baseline"} if args.baseline else {"new": "events/s"}
    series = {
        labels[name]: [
            (row["workers"], row["events_per_s"]) for row in result["ingest"] if row["name"] == name
        ]
        for name in labels
    }
    (RESULTS / f"{args.out}.svg").write_text(
        line_chart(
            f"Hub ingest, {args.kits} kits at once, PostgreSQL (median of {args.rounds})",
            "hub workers",
            "events stored per second",
            series,
            hline=(25_000, "target 25,000"),
        )
    )


if __name__ == "__main__":
    main()
