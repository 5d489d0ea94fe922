"""Run load-generator processes against a started server and gather what they saw.

Shared by the class-load and ingest benches: the generator processes (bench.loadgen), the
server's memory and CPU over the run (bench.procmon), the merged latency rows.
"""

import os
import time

from . import loadgen, stats, workdir
from .procmon import Monitor


def run_load(server, plan, clients, seconds, warmup, procs=2, gen_cpus=None, monitor=None, **options):
    """Run generator processes against a started server; return rows, server and client use.

    With several hammer targets each runs `warmup + seconds` in turn (bench.loadgen).
    """
    monitor = monitor or Monitor(server.pid).start()
    started = time.monotonic()
    prefix = str(workdir.WORK / f"out-{os.getpid()}")
    turns = len(options["target"].split(",")) if options.get("mode") == "hammer" else 1
    handles, outs = loadgen.spawn(
        procs,
        clients,
        prefix,
        cpus=gen_cpus,
        url=server.url,
        plan=str(plan) if plan else None,
        warmup=warmup,
        duration=seconds,
        **options,
    )
    results = loadgen.collect(handles, outs, timeout=turns * (warmup + seconds) + 120)
    use = monitor.stop()
    merged = stats.merge([r["records"] for r in results])
    return {
        "rows": stats.summarise(merged, seconds),
        "server": use,
        "extras": [r["extra"] for r in results],
        "generator_cpu_pct": round(
            100 * sum(r["cpu_s"] for r in results) / max(0.1, time.monotonic() - started), 1
        ),
    }
