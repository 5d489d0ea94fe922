"""Class load: tablets playing lessons while teachers watch, against a real `kit serve`.

Phases, each on a fresh copy of the same prepared data folder:
  1. class    N tablets (default 60) with think time, teachers refreshing the grid:
              per-route latency, errors, server RSS (peak/steady) and CPU;
  2. saturate 60 connections each repeating one request (lesson page, learner API)
              as fast as answered, then the same against the bare Flask app: ratio;
  3. one core the class phase again with the kit pinned to CPU 0 (generator on CPU 1);
  4. sweep    the class phase for 10 -> 150 tablets: p95 per tablet count, as an SVG.
Run: bench/run class-load  (bench/run class-load --quick for a 1-minute smoke run).
"""

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from . import loadgen, report, stats, svgplot
from .procmon import Monitor
from .servers import baseline_server, fresh_copy, kit_server

WORK = Path(os.environ.get("BENCH_WORK", "/tmp/classroom-kit-bench"))
KEY_ROUTES = ("GET /lesson/<pack>/<lesson>", "POST /api/v1/events", "POST /api/v1/answers",
              "GET /teach/classes/<id>/grid.json")


def template(learners):
    """Prepare (once) a data folder with `learners` tablets; return (folder, plan file)."""
    import subprocess
    import sys

    folder, plan = WORK / f"template-{learners}", WORK / f"plan-{learners}.json"
    if not plan.exists() or plan.stat().st_mtime < _code_mtime():
        # Remade when the kit's code changed: a folder prepared by older code keeps what
        # that code wrote (e.g. scrypt picture hashes after the switch to PBKDF2).
        shutil.rmtree(folder, ignore_errors=True)
        WORK.mkdir(parents=True, exist_ok=True)
        out = subprocess.run([sys.executable, "-m", "bench.prepare", "--data", str(folder),
                              "--learners", str(learners)], check=True, capture_output=True,
                             text=True, cwd=Path(__file__).resolve().parent.parent)
        plan.write_text(out.stdout)
    return folder, plan


def _code_mtime():
    """Return the newest modification time of the kit's code and the bench's preparation."""
    root = Path(__file__).resolve().parent.parent
    files = [*(root / "kit").rglob("*.py"), *(root / "kit" / "migrations").glob("*.sql"),
             root / "bench" / "prepare.py"]
    return max(f.stat().st_mtime for f in files)


def run_load(server, plan, clients, seconds, warmup, procs=2, gen_cpus=None, **options):
    """Run generator processes against a started server; return rows, server and client use."""
    monitor = Monitor(server.pid).start()
    started = time.monotonic()
    prefix = str(WORK / f"out-{os.getpid()}")
    handles, outs = loadgen.spawn(procs, clients, prefix, cpus=gen_cpus, url=server.url,
                                  plan=str(plan) if plan else None, warmup=warmup, duration=seconds, **options)
    results = loadgen.collect(handles, outs, timeout=warmup + seconds + 120)
    use = monitor.stop()
    merged = stats.merge([r["records"] for r in results])
    return {"rows": stats.summarise(merged, seconds), "server": use,
            "extras": [r["extra"] for r in results],
            "generator_cpu_pct": round(100 * sum(r["cpu_s"] for r in results)
                                       / max(0.1, time.monotonic() - started), 1)}


def class_phase(tpl, plan, tablets, seconds, warmup, think, kit_cpus=None, gen_cpus=None,
                threads=8):
    """Tablets and teachers against a fresh kit; return the run's summary."""
    data = fresh_copy(tpl, WORK / "data")
    with kit_server(data, threads=threads, cpus=kit_cpus, log=str(WORK / "serve.log")) as kit:
        out = run_load(kit, plan, tablets, seconds, warmup, gen_cpus=gen_cpus, mode="class",
                       think=think)
    out["tablets"] = tablets
    return out


def saturate_phase(tpl, plan, conns, seconds, threads=8, warmup=3.0):
    """Hammer the lesson page and the learner API on the kit, then the bare app."""
    out = {}
    data = fresh_copy(tpl, WORK / "data")
    with kit_server(data, threads=threads, log=str(WORK / "serve.log")) as kit:
        for target in ("lesson", "progress", "answers"):
            label = loadgen.HAMMER[target][2]
            run = run_load(kit, plan, conns, seconds, warmup, mode="hammer", target=target)
            out[target] = {**run["rows"][label], "server": run["server"],
                           "generator_cpu_pct": run["generator_cpu_pct"]}
    # The same requests against the bare app: a GET for the page and the progress API,
    # the same JSON POST for the answers API (its body costs waitress and Flask too).
    with baseline_server(threads=threads, log=str(WORK / "baseline.log")) as bare:
        for key, target in (("bare", "/lesson/first-steps/01-touch"), ("bare_post", "answers")):
            run = run_load(bare, None, conns, seconds, warmup, mode="hammer", target=target)
            row = next(r for label, r in run["rows"].items() if label != "ALL")
            out[key] = {**row, "server": run["server"],
                        "generator_cpu_pct": run["generator_cpu_pct"]}
    return out


def sweep_phase(tpl, plan, counts, seconds, warmup, think):
    """The class phase for each tablet count; return {count: summary}."""
    return {n: class_phase(tpl, plan, n, seconds, warmup, think) for n in counts}


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tablets", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per run")
    parser.add_argument("--warmup", type=float, default=5.0, help="ramp-up before measuring")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time (s)")
    parser.add_argument("--sweep", default="10,20,40,60,90,120,150")
    parser.add_argument("--sweep-seconds", type=float, default=12.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quick", action="store_true",
                        help="tiny run (3 tablets, 2 s, no docs update): checks the code runs")
    parser.add_argument("--no-doc", action="store_true", help="do not touch docs/performance.md")
    args = parser.parse_args(argv)
    if args.quick:
        args.tablets, args.seconds, args.warmup, args.sweep = 3, 2.0, 0.5, "2,3"
        args.sweep_seconds, args.no_doc = 2.0, True
    return args


def main(argv=None):
    args = parse(argv)
    counts = [int(n) for n in args.sweep.split(",") if n]
    tpl, plan = template(max(counts + [args.tablets]))
    results = {"machine": report.machine(), "args": vars(args)}
    print(f"class load: {args.tablets} tablets, {args.seconds:g} s measured ...", flush=True)
    results["class"] = class_phase(tpl, plan, args.tablets, args.seconds, args.warmup,
                                   args.think, threads=args.threads)
    print(stats.format_table(results["class"]["rows"], "class phase"), flush=True)
    conns = args.tablets
    print(f"saturation: {conns} connections per route, kit then bare Flask ...", flush=True)
    results["saturate"] = saturate_phase(tpl, plan, conns, args.seconds / 2, args.threads,
                                         warmup=min(3.0, args.warmup))
    print("one core: kit pinned to CPU 0 ...", flush=True)
    results["one_core"] = class_phase(tpl, plan, args.tablets, args.seconds, args.warmup,
                                      args.think, kit_cpus="0", gen_cpus="1", threads=args.threads)
    print(f"sweep {counts} ...", flush=True)
    results["sweep"] = sweep_phase(tpl, plan, counts, args.sweep_seconds, args.warmup,
                                   args.think)
    from .class_report import publish

    publish(results, write_doc=not args.no_doc)
    return results


if __name__ == "__main__":
    main()
