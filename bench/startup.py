"""Start and idle: seconds from `kit serve` to the first 200 on /healthz, and idle memory.

Each of `--runs` starts is a fresh `python -m kit serve` process on the prepared demo data
folder (database already migrated, packs installed: a kit's ordinary morning), served as
shipped (one pinned worker process per CPU under a supervisor). Idle memory, after
`--idle` seconds of no requests: each worker's RSS, and the PSS of all the kit's processes
together (PSS splits the pages the forked workers share, so it adds up to what they take).
Run: bench/run start
"""

import argparse
import statistics
import time

from . import report, workdir
from .procmon import per_process, rss_bytes
from .servers import baseline_server, fresh_copy, kit_server
from .workdir import template


def measure(runs, idle):
    """Start the kit `runs` times; return start seconds and idle RSS (MB) of each."""
    tpl, _plan = template(3)
    data = fresh_copy(tpl, workdir.WORK / "data")
    starts, idles, totals, supervisors = [], [], [], []
    for _ in range(runs):
        with kit_server(data, log=str(workdir.WORK / "serve.log")) as kit:
            starts.append(round(kit.started_in, 3))
            time.sleep(idle)
            each = per_process(kit.pid)
            workers = each[1:] if len(each) > 1 else each
            idles.append(round(max(rss for _p, rss, _s in workers) / 2**20, 1))
            totals.append(round(sum(pss for _p, _r, pss in each) / 2**20, 1))
            supervisors.append(round(each[0][1] / 2**20, 1) if len(each) > 1 else None)
    bare_starts, bare_idles = [], []
    for _ in range(runs):  # the bare Flask app: what Python + Flask + waitress cost alone
        with baseline_server(log=str(workdir.WORK / "baseline.log")) as bare:
            bare_starts.append(round(bare.started_in, 3))
            time.sleep(idle)
            bare_idles.append(round(rss_bytes(bare.pid) / 2**20, 1))
    return {
        "starts_s": starts,
        "idle_rss_mb": idles,
        "median_start_s": statistics.median(starts),
        "bare_starts_s": bare_starts,
        "bare_idle_rss_mb": bare_idles,
        "max_idle_rss_mb": max(idles),
        "idle_total_pss_mb": totals,
        "supervisor_rss_mb": supervisors,
        "workers": len(each) - 1 if len(each) > 1 else 1,
        "idle_s": idle,
        "machine": report.machine(),
    }


def judge(result):
    start, rss = result["median_start_s"], result["max_idle_rss_mb"]
    return [
        report.Target(
            "start: `kit serve` to first 200 on /healthz (median)",
            "< 1 s",
            f"{start:.2f} s",
            start < 1.0,
            "Python imports dominate (Flask, Jinja, WTForms, Babel, peewee), then "
            "create_app; compare the bare app's start. Markdown, YAML and QR codes "
            "are imported on first use, and the sync agent only once the kit is "
            "enrolled (an enrolled kit adds APScheduler and requests, ~0.18 s).",
        ),
        report.Target(
            "idle memory per worker (RSS)",
            "< 45 MB",
            f"{rss:.0f} MB",
            rss < 45,
            "the interpreter plus Flask, Jinja, WTForms, peewee and Babel. The "
            "sync agent starts only once the kit is enrolled; an enrolled kit's "
            "APScheduler and requests add ~7 MB (measured in one process).",
        ),
        report.Target(
            f"idle memory, all {result['workers']} workers and the supervisor (PSS)",
            f"< {50 * result['workers']} MB",
            f"{max(result['idle_total_pss_mb']):.0f} MB",
            max(result["idle_total_pss_mb"]) < 50 * result["workers"],
            "each worker has its own interpreter; what they share is counted once.",
        ),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--idle", type=float, default=5.0)
    parser.add_argument("--quick", action="store_true", help="one start, 0.5 s idle, no docs")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.idle = 1, 0.5
    result = measure(args.runs, args.idle)
    rows = judge(result)
    print(f"starts: {result['starts_s']} s; idle RSS: {result['idle_rss_mb']} MB")
    print(f"bare Flask: starts {result['bare_starts_s']} s; idle RSS {result['bare_idle_rss_mb']} MB")
    print("\nstart and idle targets:")
    report.print_targets(rows)
    if not args.quick:
        report.save_json("start", result)
        report.update_section(
            "start",
            "\n".join(
                [
                    "## Start and idle",
                    "",
                    report.machine_line(result["machine"], "bench/run start"),
                    "",
                    report.targets_markdown(rows),
                    "",
                    f"{args.runs} starts: {', '.join(f'{s:.2f}' for s in result['starts_s'])} s; "
                    f"RSS after {args.idle:g} s idle: "
                    f"{', '.join(f'{m:.0f}' for m in result['idle_rss_mb'])} MB per worker "
                    f"({result['workers']} workers), "
                    f"{', '.join(f'{m:.0f}' for m in result['idle_total_pss_mb'])} MB PSS for all the "
                    f"kit's processes, supervisor RSS "
                    f"{', '.join(f'{m:.0f}' for m in result['supervisor_rss_mb'] if m)} MB. "
                    f"For scale, the bare Flask app on waitress: starts "
                    f"{', '.join(f'{s:.2f}' for s in result['bare_starts_s'])} s, idle "
                    f"{', '.join(f'{m:.0f}' for m in result['bare_idle_rss_mb'])} MB.",
                ]
            ),
        )
    return result, rows


if __name__ == "__main__":
    main()
