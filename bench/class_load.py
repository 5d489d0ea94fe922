"""Class load: tablets playing lessons while teachers watch, against a real `kit serve`.

Phases, each on a fresh copy of the same prepared data folder, the kit as shipped
(`kit serve`: one pinned worker process per CPU) unless said otherwise:
  1. class    N tablets (default 60) with think time, teachers refreshing the grid:
              per-route latency, errors, server RSS (peak/steady) and CPU;
  2. saturate 8 and then 60 connections each repeating one request (lesson page,
              progress, answers, an event batch, /healthz) as fast as answered, then the
              same against the bare Flask app (one process, 8 threads): ratios;
  3. burst    60 tablets on open connections ask for the same lesson page within 50 ms,
              20 times: time until the last has its page; again on one core;
  4. grid     the lesson page at 60 connections for each workers x threads tried;
  5. one core the class phase again with the kit pinned to CPU 0 (generator on CPU 1);
  6. sweep    the class phase for 10 -> 150 tablets: p95 per tablet count, as an SVG.
Run: bench/run class-load  (bench/run class-load --quick for a 1-minute smoke run).
"""

import argparse
import os
import time

from . import loadgen, report, stats, workdir
from .class_report import publish
from .procmon import Monitor, load_now, per_process
from .runner import run_load
from .servers import baseline_server, fresh_copy, kit_server
from .workdir import template

SATURATE = ("lesson", "progress", "answers", "events", "healthz")
BARE = (("bare", "lesson"), ("bare_post", "answers"), ("bare_events", "events"), ("bare_healthz", "healthz"))
KEY_ROUTES = (
    "GET /lesson/<pack>/<lesson>",
    "POST /api/v1/events",
    "POST /api/v1/answers",
    "GET /teach/classes/<id>/grid.json",
)


def class_phase(
    tpl, plan, tablets, seconds, warmup, think, kit_cpus=None, gen_cpus=None, threads=None, workers=None
):
    """Tablets and teachers against a fresh kit; return the run's summary."""
    data = fresh_copy(tpl, workdir.WORK / "data")
    load = load_now()
    with kit_server(
        data, threads=threads, workers=workers, cpus=kit_cpus, log=str(workdir.WORK / "serve.log")
    ) as kit:
        out = run_load(kit, plan, tablets, seconds, warmup, gen_cpus=gen_cpus, mode="class", think=think)
    out["tablets"], out["load"] = tablets, load
    return out


def hammer(server, plan, conns, seconds, warmup, targets):
    """Each of `targets` in turn at `conns` connections, on one signed-in set of connections:
    return {target: its row, with the server's CPU over that target's measured window}."""
    monitor = Monitor(server.pid).start()  # kept here: its samples give each route's CPU
    run = run_load(
        server, plan, conns, seconds, warmup, monitor=monitor, mode="hammer", target=",".join(targets)
    )
    load = load_now()
    out = {}
    for target in targets:
        label = loadgen.HAMMER.get(target, ("GET", target, "GET " + target, None))[2]  # a path: as loadgen
        row = run["rows"].get(label) or {"n": 0, "rps": 0, "p50": None, "p95": None, "p99": None, "errors": 0}
        windows = [extra["windows"][target] for extra in run["extras"]]
        start, end = min(w[0] for w in windows), max(w[1] for w in windows)
        counted = sum(w[1] - w[0] for w in windows) / len(windows)  # >= seconds (bench.loadgen)
        if row["rps"]:
            row = {**row, "rps": round(row["n"] / counted, 1)}
        server = {**run["server"], "cpu_pct": monitor.cpu_pct_between(start, end)}
        out[target] = {**row, "server": server, "generator_cpu_pct": run["generator_cpu_pct"], "load": load}
    return out


def idle_memory(server, settle_s):
    """Each process's RSS and PSS (MB) after the server has idled a moment."""
    time.sleep(settle_s)
    return [
        {"pid": pid, "rss_mb": round(rss / 2**20, 1), "pss_mb": round(pss / 2**20, 1)}
        for pid, rss, pss in per_process(server.pid)
    ]


def saturate_phase(tpl, plan, conn_counts, seconds, threads=None, workers=None, warmup=3.0, settle_s=3.0):
    """Hammer each learner route, then the same requests on the bare app, per connection count
    (one server each, the routes in turn on one set of connections)."""
    out = {"idle": None}
    data = fresh_copy(tpl, workdir.WORK / "data")
    with kit_server(data, threads=threads, workers=workers, log=str(workdir.WORK / "serve.log")) as kit:
        out["idle"] = idle_memory(kit, settle_s)
        for conns in conn_counts:
            out[str(conns)] = hammer(kit, plan, conns, seconds, warmup, SATURATE)
    # The same requests against the bare app, as before: one process, 8 threads.
    with baseline_server(threads=8, log=str(workdir.WORK / "baseline.log")) as bare:
        for conns in conn_counts:
            rows = hammer(bare, None, conns, seconds, warmup, [target for _key, target in BARE])
            out[str(conns)].update({key: rows[target] for key, target in BARE})
    return out


def burst_phase(
    tpl,
    plan,
    tablets,
    rounds,
    spread_s,
    kit_cpus=None,
    gen_cpus=None,
    workers=None,
    threads=None,
    round_s=1.0,
    sign_in_s=6.0,
):
    """`rounds` bursts of `tablets` lesson pages asked within spread_s; per round, the time
    from the first tablet's ask until the last tablet has its page. The first burst comes
    sign_in_s (plus 50 ms a tablet) after the start: time for every tablet to sign in."""
    data = fresh_copy(tpl, workdir.WORK / "data")
    load = load_now()
    with kit_server(
        data, threads=threads, workers=workers, cpus=kit_cpus, log=str(workdir.WORK / "serve.log")
    ) as kit:
        monitor = Monitor(kit.pid).start()
        first = time.time() + sign_in_s + tablets * 0.05  # after every tablet signed in
        handles, outs = loadgen.spawn(
            2,
            tablets,
            str(workdir.WORK / f"burst-{os.getpid()}"),
            cpus=gen_cpus,
            url=kit.url,
            plan=str(plan),
            warmup=0.0,
            duration=rounds * round_s + 15.0,
            mode="burst",
            rounds=rounds,
            round_s=round_s,
            spread_s=spread_s,
            first_round_at=first,
            all_tablets=tablets,
            teachers=0,
        )
        results = loadgen.collect(handles, outs, timeout=rounds * round_s + 120)
        use = monitor.stop()
    done = [d for r in results for d in r["extra"].get("burst", [])]
    per_round = []
    for round_ in range(rounds):
        ends = [t for r, t, status in done if r == round_]
        bad = sum(1 for r, _t, status in done if r == round_ and status != 200)
        start = first + round_ * round_s
        per_round.append(
            {
                "last_ms": round((max(ends) - start) * 1000, 1) if ends else None,
                "answered": len(ends),
                "errors": bad,
            }
        )
    lasts = sorted(p["last_ms"] for p in per_round if p["last_ms"] is not None)
    return {
        "tablets": tablets,
        "rounds": per_round,
        "spread_ms": spread_s * 1000,
        "median_ms": stats.percentile(lasts, 50),
        "max_ms": max(lasts) if lasts else None,
        "errors": sum(p["errors"] for p in per_round) + sum(tablets - p["answered"] for p in per_round),
        "server": use,
        "load": load,
    }


def grid_phase(tpl, plan, conns, seconds, workers_list, threads_list, warmup=2.0):
    """The lesson page at `conns` connections for each workers x threads; return rows."""
    rows = []
    for workers in workers_list:
        for threads in threads_list:
            data = fresh_copy(tpl, workdir.WORK / "data")
            with kit_server(
                data, threads=threads, workers=workers, log=str(workdir.WORK / "serve.log")
            ) as kit:
                row = hammer(kit, plan, conns, seconds, warmup, ["lesson"])["lesson"]
            rows.append({"workers": workers, "threads": threads, **row})
            print(f"  grid {workers} x {threads}: {row['rps']} req/s, p95 {row['p95']} ms", flush=True)
    return rows


def sweep_phase(tpl, plan, counts, seconds, warmup, think):
    """The class phase for each tablet count; return {count: summary}."""
    return {n: class_phase(tpl, plan, n, seconds, warmup, think) for n in counts}


def parse(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tablets", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=5.0, help="ramp-up before measuring")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time (s)")
    parser.add_argument("--sweep", default="10,20,40,60,90,120,150")
    parser.add_argument("--sweep-seconds", type=float, default=12.0)
    parser.add_argument(
        "--threads", type=int, default=None, help="threads per worker (default: the kit's own)"
    )
    parser.add_argument(
        "--workers", type=int, default=None, help="worker processes (default: the kit's own, one per CPU)"
    )
    parser.add_argument("--conns", default="8,60", help="saturation connection counts")
    parser.add_argument("--sat-seconds", type=float, default=10.0, help="measured seconds per route")
    parser.add_argument("--bursts", type=int, default=20)
    parser.add_argument("--grid-workers", default="1,2,4")
    parser.add_argument("--grid-threads", default="1,2,4,8")
    parser.add_argument("--grid-seconds", type=float, default=6.0)
    parser.add_argument(
        "--quick", action="store_true", help="tiny run (3 tablets, 2 s, no docs update): checks the code runs"
    )
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    # Pacing the quick run shortens: seconds between bursts, time to sign in before the
    # first, idle settle before memory is read.
    parser.set_defaults(round_s=1.0, sign_in_s=6.0, settle_s=3.0, sat_warmup=3.0)
    args = parser.parse_args(argv)
    if args.quick:  # each phase once, as briefly as still proves it runs: a smoke, not a measure
        args.tablets, args.seconds, args.warmup, args.think, args.sweep = 3, 4.0, 1.0, 0.2, "3"
        args.sweep_seconds, args.no_doc, args.conns, args.bursts = 2.0, True, "3", 2
        args.grid_workers, args.grid_threads, args.grid_seconds = "2", "2", 0.5
        args.sat_seconds, args.round_s, args.sign_in_s, args.settle_s = 0.5, 0.4, 2.5, 0.3
        args.sat_warmup = 0.3
    return args


def main(argv=None):
    args = parse(argv)
    counts = [int(n) for n in args.sweep.split(",") if n]
    conn_counts = [int(n) for n in args.conns.split(",") if n]
    tpl, plan = template(max(counts + conn_counts + [args.tablets]))
    results = {"machine": report.machine(), "args": vars(args), "phase_s": {}}
    common = {"threads": args.threads, "workers": args.workers}
    pacing = {"round_s": args.round_s, "sign_in_s": args.sign_in_s}
    one_core = {"kit_cpus": "0", "gen_cpus": "1", "threads": args.threads, "workers": 1}
    phases = (
        ("class", f"{args.tablets} tablets, {args.seconds:g} s measured", class_phase,
         (tpl, plan, args.tablets, args.seconds, args.warmup, args.think), common),
        ("saturate", f"{conn_counts} connections per route, kit then bare Flask", saturate_phase,
         (tpl, plan, conn_counts, args.sat_seconds),
         {**common, "warmup": min(args.sat_warmup, args.warmup), "settle_s": args.settle_s}),
        ("burst", f"{args.tablets} tablets x {args.bursts}", burst_phase,
         (tpl, plan, args.tablets, args.bursts, 0.05), {**common, **pacing}),
        ("burst_one_core", "the same on one core", burst_phase,
         (tpl, plan, args.tablets, args.bursts, 0.05), {**one_core, **pacing}),
        ("grid", "workers x threads, lesson page", grid_phase,
         (tpl, plan, max(conn_counts), args.grid_seconds, _ints(args.grid_workers), _ints(args.grid_threads)),
         {"warmup": min(2.0, args.warmup)}),
        ("one_core", "the class phase with the kit pinned to CPU 0", class_phase,
         (tpl, plan, args.tablets, args.seconds, args.warmup, args.think), one_core),
        ("sweep", f"the class phase for {counts} tablets", sweep_phase,
         (tpl, plan, counts, args.sweep_seconds, args.warmup, args.think), {}),
    )  # fmt: skip
    for key, what, phase, positional, options in phases:
        print(f"{key}: {what} ...", flush=True)
        started = time.monotonic()
        results[key] = phase(*positional, **options)
        results["phase_s"][key] = round(time.monotonic() - started, 1)
        if key == "class":
            print(report.routes_markdown(results["class"]["rows"]), flush=True)
    print("seconds per phase:", results["phase_s"], flush=True)
    results["machine"]["loadavg_after"] = load_now()
    results["section"] = publish(results, write_doc=not args.no_doc)
    return results


def _ints(text):
    return [int(n) for n in text.split(",") if n]


if __name__ == "__main__":
    main()
