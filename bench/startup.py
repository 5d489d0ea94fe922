"""Start and idle: seconds from `kit serve` to the first 200 on /healthz, and idle memory.

Each of `--runs` starts is a fresh `python -m kit serve` process on the prepared demo data
folder (database already migrated, packs installed: a kit's ordinary morning). Idle
memory is the process's RSS after `--idle` seconds of no requests.
Run: bench/run start
"""

import argparse
import statistics
import time

from . import report
from .class_load import WORK, template
from .procmon import rss_bytes
from .servers import baseline_server, fresh_copy, kit_server


def measure(runs, idle):
    """Start the kit `runs` times; return start seconds and idle RSS (MB) of each."""
    tpl, _plan = template(3)
    data = fresh_copy(tpl, WORK / "data")
    starts, idles = [], []
    for _ in range(runs):
        with kit_server(data, log=str(WORK / "serve.log")) as kit:
            starts.append(round(kit.started_in, 3))
            time.sleep(idle)
            idles.append(round(rss_bytes(kit.pid) / 2**20, 1))
    bare_starts, bare_idles = [], []
    for _ in range(runs):  # the bare Flask app: what Python + Flask + waitress cost alone
        with baseline_server(log=str(WORK / "baseline.log")) as bare:
            bare_starts.append(round(bare.started_in, 3))
            time.sleep(idle)
            bare_idles.append(round(rss_bytes(bare.pid) / 2**20, 1))
    return {"starts_s": starts, "idle_rss_mb": idles, "median_start_s": statistics.median(starts),
            "bare_starts_s": bare_starts, "bare_idle_rss_mb": bare_idles,
            "max_idle_rss_mb": max(idles), "idle_s": idle, "machine": report.machine()}


def judge(result):
    start, rss = result["median_start_s"], result["max_idle_rss_mb"]
    return [
        report.Target("start: `kit serve` to first 200 on /healthz (median)", "< 1 s",
                      f"{start:.2f} s", start < 1.0,
                      "Python imports dominate (Flask, Jinja, WTForms, Babel, peewee), then "
                      "create_app; compare the bare app's start. Markdown, YAML and QR codes "
                      "are imported on first use, and the sync agent only once the kit is "
                      "enrolled (an enrolled kit adds APScheduler and requests, ~0.18 s)."),
        report.Target("idle memory (RSS)", "< 50 MB", f"{rss:.0f} MB", rss < 50,
                      "the interpreter plus Flask, Jinja, WTForms, peewee and Babel. The "
                      "sync agent starts only once the kit is enrolled; an enrolled kit's "
                      "APScheduler and requests add ~7 MB (measured in one process)."),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
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
        report.update_section("start", "\n".join([
            "## Start and idle", "",
            report.machine_line(result["machine"], "bench/run start"), "",
            report.targets_markdown(rows), "",
            f"{args.runs} starts: {', '.join(f'{s:.2f}' for s in result['starts_s'])} s; "
            f"RSS after {args.idle:g} s idle: "
            f"{', '.join(f'{m:.0f}' for m in result['idle_rss_mb'])} MB. "
            f"For scale, the bare Flask app on waitress: starts "
            f"{', '.join(f'{s:.2f}' for s in result['bare_starts_s'])} s, idle "
            f"{', '.join(f'{m:.0f}' for m in result['bare_idle_rss_mb'])} MB."]))
    return result, rows


if __name__ == "__main__":
    main()
