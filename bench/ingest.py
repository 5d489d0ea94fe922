"""Event ingest: 60 concurrent writers posting event batches; then prove each is stored once.

Each writer signs in as its own learner (for its event token), then posts batches of
`--batch` events: page views, time spent, lessons opened and answers to a
real quiz question. Every third batch is sent again unchanged, as a tablet does after a
lost answer; the kit must report those as duplicates. Afterwards the server is stopped
and kit.db is read directly: every UUID sent is there, exactly once, and nothing else.
Two runs: back to back (the most the kit stores; a batch then waits for the ~60 ahead of
it) and paced at the target rate, 2,000 new events/s offered (the latency a class sees).
Run: bench/run ingest  (bench/run ingest --quick for a smoke run).
"""

import argparse
import sqlite3

from . import report, workdir
from .runner import run_load
from .workdir import template


def verify(db_path, uuid_files):
    """Compare the UUIDs the writers had acknowledged with the event table."""
    sent = []
    for path in uuid_files:
        with open(path) as handle:
            sent.extend(line for line in handle.read().split("\n") if line)
    with sqlite3.connect(db_path) as db:
        rows, distinct = db.execute("SELECT COUNT(*), COUNT(DISTINCT uuid) FROM event").fetchone()
        stored = {row[0] for row in db.execute("SELECT uuid FROM event")}
    missing = len(set(sent) - stored)
    return {
        "sent": len(sent),
        "sent_distinct": len(set(sent)),
        "rows": rows,
        "distinct_uuids": distinct,
        "missing": missing,
        "extra_rows": rows - len(set(sent) & stored),
    }


def judge(result, seconds):
    """Return the Target rows for ingest."""
    row = result["rows"].get("POST /api/v1/events", {})
    paced = result["paced"]["rows"].get("POST /api/v1/events", {})
    rate = result["events_per_s"]
    once = all(_once(run) for run in (result, result["paced"]))
    proof = result["proof"]
    return [
        report.Target(
            f"events stored per second, {result['writers']} writers",
            ">= 2,000/s",
            f"{rate:,.0f}/s",
            rate >= 2000,
            WHY_RATE,
        ),
        report.Target(
            f"event batch p95 at {TARGET_RATE:,} events/s offered (paced)",
            "< 200 ms",
            f"{paced.get('p95') or 0:.0f} ms ({result['batch']} events/batch, "
            f"{result['paced']['events_per_s']:,.0f}/s stored)",
            paced.get("p95") is not None and paced["p95"] < 200,
            WHY_PACED,
        ),
        report.Target(
            "event batch p95, writers back to back",
            "< 200 ms",
            f"{row.get('p95') or 0:.0f} ms ({result['batch']} events/batch)",
            row.get("p95") is not None and row["p95"] < 200,
            why_saturated(result),
        ),
        report.Target(
            "every event stored exactly once (both runs)",
            "0 missing, 0 duplicated",
            f"{proof['sent_distinct']:,} sent, {proof['missing']} missing, "
            f"{proof['rows'] - proof['distinct_uuids']} duplicated; "
            f"{result['resend_duplicate']:,} re-sent events all reported duplicate",
            once,
            "see the proof numbers",
        ),
    ]


def _once(run):
    proof = run["proof"]
    return (
        proof["missing"] == 0
        and proof["rows"] == proof["distinct_uuids"]
        and proof["sent"] == proof["sent_distinct"]
        and run["resend_accepted"] == 0
    )


TARGET_RATE = 2000
WHY_PACED = (
    "CPU per batch: a batch queues behind the others being judged and appended "
    "under one interpreter lock and one write lock."
)
WHY_RATE = (
    "CPU per batch: validating and judging in the request's thread, then appending "
    "in the event writer's group transaction (kit/events.py), all under one "
    "interpreter lock."
)


def why_saturated(result):
    """Little's law with this run's numbers: the queue, not a slow batch, sets the p95."""
    batches = result["events_per_s"] / result["batch"]
    cpu = result["server"]["cpu_pct"] * 10 / result["events_per_s"] * 1000
    return (
        f"writers that post back to back keep {result['writers']} batches in the kit, "
        f"so each waits for the ones ahead of it: {result['writers']} / {batches:,.0f} "
        f"batches stored per second = {result['writers'] / batches * 1000:,.0f} ms "
        f"(Little's law). Under 200 ms would need "
        f"{result['writers'] / 0.2:,.0f} batches ({result['writers'] / 0.2 * result['batch']:,.0f} "
        f"events) per second, {result['writers'] / 0.2 / batches:.1f}x this run, at "
        f"{cpu:,.0f} us of server CPU per event (all the kit's processes, which used "
        f"{result['server']['cpu_pct']} % of one core). The paced row is the "
        f"latency at the target rate."
    )


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--writers", type=int, default=60)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="3 writers for 2 s, no docs")
    parser.add_argument(
        "--no-doc",
        action="store_true",
        help="print only: leave docs/performance.md and bench/results as they are",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.writers, args.seconds, args.batch = 3, 2.0, 10
    result = measure(args)
    rows = judge(result, args.seconds)
    print("ingest, back to back\n" + report.routes_markdown(result["rows"]))
    print(f"proof: {result['proof']}")
    print("ingest, paced\n" + report.routes_markdown(result["paced"]["rows"]))
    print(f"proof: {result['paced']['proof']}")
    print("\ningest targets:")
    report.print_targets(rows)
    if not (args.quick or args.no_doc):
        report.save_json("ingest", result)
        report.update_section("ingest", markdown(result, rows))
    return result, rows


def measure(args):
    """Run the writers back to back, then paced at the target rate; verify both logs."""
    result = _run(args, pace=0.0)
    result["paced"] = _run(args, pace=args.writers * args.batch / TARGET_RATE)
    return result


def _run(args, pace):
    """Run the writers against a fresh kit; stop it; verify the event table."""
    from .servers import fresh_copy, kit_server

    tpl, plan = template(max(args.writers, 3))
    data = fresh_copy(tpl, workdir.WORK / "data")
    with kit_server(data, threads=args.threads, log=str(workdir.WORK / "serve.log")) as kit:
        run = run_load(kit, plan, args.writers, args.seconds, 2.0, mode="ingest", batch=args.batch, pace=pace)
    extras = run.pop("extras")
    total = {
        k: sum(e.get(k, 0) for e in extras)
        for k in ("window_accepted", "first_accepted", "resend_accepted", "resend_duplicate")
    }
    proof = verify(data / "kit.db", [e["uuids_file"] for e in extras])
    return {
        **run,
        **total,
        "proof": proof,
        "writers": args.writers,
        "batch": args.batch,
        "seconds": args.seconds,
        "machine": report.machine(),
        "pace_s": pace,
        "events_per_s": round(total["window_accepted"] / args.seconds, 1),
    }


def markdown(result, rows):
    proof, paced = result["proof"], result["paced"]
    return "\n".join(
        [
            "## Event ingest",
            "",
            report.machine_line(result["machine"], "bench/run ingest"),
            "",
            report.targets_markdown(rows),
            "",
            report.routes_markdown(result["rows"]),
            "",
            f"{result['writers']} writers, {result['batch']} events per batch, "
            f"{result['seconds']:g} s measured: {result['events_per_s']:,.0f} events/s stored. "
            f"Server RSS peak {result['server']['rss_peak_mb']} MB, CPU {result['server']['cpu_pct']} %;"
            f" load generator CPU {result['generator_cpu_pct']} %.",
            "",
            f"Proof, read from kit.db after the server stopped: {proof['sent_distinct']:,} events "
            f"acknowledged, {proof['rows']:,} rows, {proof['distinct_uuids']:,} distinct UUIDs, "
            f"{proof['missing']} missing; every third batch was sent twice and its "
            f"{result['resend_duplicate']:,} events came back as duplicates "
            f"({result['resend_accepted']} accepted again).",
            "",
            f"Paced: each writer posts a batch every {paced['pace_s']:g} s ({TARGET_RATE:,} new "
            f"events/s offered): {paced['events_per_s']:,.0f} events/s stored, server CPU "
            f"{paced['server']['cpu_pct']} %, RSS peak {paced['server']['rss_peak_mb']} MB; "
            f"{paced['proof']['sent_distinct']:,} acknowledged, {paced['proof']['missing']} "
            "missing, "
            f"{paced['proof']['rows'] - paced['proof']['distinct_uuids']} duplicated.",
            "",
            report.routes_markdown(paced["rows"]),
        ]
    )


if __name__ == "__main__":
    main()
