"""Run the sync scenarios, judge them against the issue's targets, write the doc section.

Run: bench/run sync [--events 100000] [--events-2g 100000] [--quick]
     bench/run sync --skip-loopback --events-2g 10000   (the 2G run alone; docs untouched)
"""

import argparse
import json
import signal
import sys

from . import report, workdir
from .sync_bench import DELAY, LOSS, RATE_KBIT
from .sync_scenarios import loopback, over_2g, postgres_url


def _once(run):
    rows, distinct = run["hub_rows"]
    return rows == distinct == run["events"]


def targets(res):
    lo, g2, rows = res.get("loopback_sqlite"), res.get("2g"), []
    if lo:
        rows.append(
            report.Target(
                "sync over loopback (hub on SQLite)",
                ">= 5,000 events/s",
                f"{lo['events_per_s']:,.0f} events/s",
                lo["events_per_s"] >= 5000,
                why_loopback(lo),
            )
        )
        noop_bytes = lo["noop_payload_bytes"]
        rows.append(
            report.Target(
                "no-op sync over loopback",
                "< 2 KB and < 1 s",
                f"{noop_bytes} B payload, {lo['noop']['seconds']:.2f} s",
                noop_bytes < 2048 and lo["noop"]["seconds"] < 1,
                WHY_NOOP,
            )
        )
    if g2:
        rows += [
            report.Target(
                "2G: bytes on the wire per event (both directions)",
                "< 40 B",
                f"{g2['wire_bytes_per_event']} B counted by nftables "
                f"({g2.get('link_bytes_per_event', '–')} B crossed the shapers)",
                g2["wire_bytes_per_event"] < 40,
                WHY_BYTES,
            ),
            report.Target(
                "2G: link rate used while draining (uplink)",
                ">= 80 %",
                f"{payload_use(g2)} % as payload ({g2.get('shaper_use_pct', '–')} % "
                f"crossed the shaper, {g2['link_use_pct']} % counted by nftables "
                "before it)",
                payload_use(g2) >= 80,
                WHY_USE,
            ),
            report.Target(
                "2G: no-op sync",
                "< 2 KB and < 1 s",
                f"{g2['noop_wire_bytes']} B on the wire, {g2['noop']['seconds']:.2f} s",
                g2["noop_wire_bytes"] < 2048 and g2["noop"]["seconds"] < 1,
                WHY_NOOP_2G,
            ),
        ]
    for key in ("loopback_sqlite", "loopback_postgres", "2g"):
        if key in res:
            run = res[key]
            rows.append(
                report.Target(
                    f"{key}: every event at the hub exactly once",
                    f"{run['events']:,} rows, all distinct",
                    f"{run['hub_rows'][0]:,} rows, {run['hub_rows'][1]:,} distinct",
                    _once(run),
                    "see the hub's rows",
                )
            )
    return rows


def payload_use(run):
    """Uplink HTTP payload as a % of the link's rate: a lower bound on its use (no headers).

    The nftables count is taken before tc's queue, so bytes the shaper drops and TCP sends
    again are counted twice; when the kit fills the queue that count can exceed 100 %.
    """
    seconds = run["drain"]["seconds"]
    return round(100 * run["drain_payload"]["up"] / (RATE_KBIT * 125 * seconds), 1) if seconds else 0.0


def why_loopback(run):
    """Say which side limited the loopback drain, from this run's own CPU and time figures."""
    events, drain, hub_cpu = run["events"], run["drain"]["seconds"], run["hub_cpu_s"]
    capacity = f"~{events / hub_cpu:,.0f}" if hub_cpu else "unmeasured"
    busy = hub_cpu / drain if drain else 0
    figures = (
        f"the hub process used {hub_cpu} s of CPU for {events:,} events ({capacity} events/s "
        f"of hub capacity with a core to itself) in a {drain} s drain ({busy:.0%} busy)."
    )
    if busy >= 0.6:
        return (
            "the hub is the limit: " + figures + " The agent already reads and encodes the "
            "next batch while the hub stores one (one raw SQL query per batch); what is left "
            "is the hub's per-event Python work (decoding and validating, time correction, "
            "building rows, peewee insert_many), sharing 2 cores with the kit and the "
            "counting relay; a cheaper hub ingest path is what would move it now."
        )
    return (
        "the kit's side or the machine is the limit: " + figures + " The hub idles between "
        "batches, waiting for the kit to read and encode or for other work on the machine "
        "(see the load average above)."
    )


WHY_NOOP = "the probe and its answer; see the protocol's hello exchange."
WHY_NOOP_2G = (
    "a no-op still opens a TCP connection and makes at least one HTTP round trip "
    "of 300 ms or more on this link; with TCP handshakes and a lost packet's "
    "retransmit timer, time is bounded by round trips, not bytes."
)
WHY_BYTES = (
    "headers, acknowledgements and retransmissions on top of the compressed batches; "
    "nftables counts the kit's packets before tc's queue, so those the full queue "
    "refused and TCP sent again count twice."
)
WHY_USE = (
    "the agent keeps two batches on the wire, so the link does not idle while the hub "
    "stores one; what is left between payload and rate is TCP/IP and Ethernet headers "
    "(~5 % of a full frame), HTTP headers and answers, retransmissions of the 1 % "
    "dropped packets and of what tbf's full queue refused, and the cycle's first and "
    "last round trips (hello, the last answer)."
)


def markdown(res, rows, args):
    given = res.get("args", {})
    command = "bench/run sync" + (
        f" --events {given['events']} --events-2g {given['events_2g']}"
        if (given.get("events"), given.get("events_2g")) != (100000, 100000)
        else ""
    )
    lines = [
        "## Sync",
        "",
        report.machine_line(res["machine"], command),
        "",
        f"2G link: {RATE_KBIT} kbit/s each way (tc tbf), {LOSS} % of packets dropped each way "
        f"(nftables `numgen random mod 100 < {LOSS} drop`; one TCP segment per packet, no GSO), "
        f"{DELAY * 1000:.0f} ms added each "
        "way by bench/relay.py (300 ms per round trip).",
        "",
        report.targets_markdown(rows),
        "",
        "| run | events | drain s | events/s | payload B/event | wire B/event | hub CPU s | "
        "no-op s | no-op bytes |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key in ("loopback_sqlite", "loopback_postgres", "2g"):
        if key not in res:
            continue
        r = res[key]
        noop = r.get("noop_wire_bytes", r["noop_payload_bytes"])
        lines.append(
            f"| {key} | {r['events']:,} | {r['drain']['seconds']} | {r['events_per_s']:,} | "
            f"{r['payload_bytes_per_event']} | {r.get('wire_bytes_per_event', '–')} | "
            f"{r['hub_cpu_s']} | {r['noop']['seconds']} | {noop} |"
        )
    lines += [
        "",
        "Hub ingest: events/s above with the hub on SQLite and on PostgreSQL "
        "(loopback rows); hub CPU is the hub process's CPU seconds for the whole drain.",
        "Loopback bytes are HTTP payload counted by the relay (no delay); 2G wire bytes are "
        "IP bytes counted by nftables on the kit's side, both directions, before tc's queue: "
        "bytes the shaper dropped and TCP resent count twice, so link use is judged on "
        'the uplink payload alone (a lower bound: no TCP/IP/HTTP headers). "Crossed the '
        "shaper\" is tc's own count of the bytes its tbf let out on the kit's egress "
        "(frames with their headers and retransmissions): the link's real use.",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=100000)
    parser.add_argument("--events-2g", type=int, default=100000)
    parser.add_argument("--skip-2g", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-loopback", action="store_true", help="no loopback runs (implies --no-doc)")
    parser.add_argument("--no-doc", action="store_true", help="print and save results, leave the docs alone")
    parser.add_argument("--quick", action="store_true", help="300 events, no docs")
    args = parser.parse_args(argv)
    if args.quick:
        args.events = args.events_2g = 300
    res = {"machine": report.machine(), "args": vars(args)}
    if not args.skip_loopback:
        print(f"sync over loopback, hub on SQLite: {args.events:,} events ...", flush=True)
        res["loopback_sqlite"] = loopback(args.events)
    if not (args.skip_postgres or args.skip_loopback):
        url, halt = postgres_url()
        try:
            print("sync over loopback, hub on PostgreSQL ...", flush=True)
            res["loopback_postgres"] = loopback(args.events, url)
        finally:
            halt()
    if not args.skip_2g:
        print(f"sync over the 2G link: {args.events_2g:,} events ...", flush=True)
        res["2g"] = over_2g(args.events_2g)
    rows = targets(res)
    for key in ("loopback_sqlite", "loopback_postgres", "2g"):
        if key in res:
            r = res[key]
            print(
                f"  {key}: {r['events']} events in {r['drain']['seconds']} s = "
                f"{r['events_per_s']} events/s; results {r['drain']['result']!r} / "
                f"{r['noop']['result']!r}"
            )
    print("\nsync targets:")
    report.print_targets(rows)
    if args.quick:
        return res, rows
    if args.no_doc or args.skip_loopback:  # a partial run: kept out of bench/results and the docs
        (workdir.WORK / "sync-partial.json").write_text(json.dumps(res, indent=1, default=str))
        print(f"results in {workdir.WORK / 'sync-partial.json'}")
    else:
        report.save_json("sync", res)
        report.update_section("sync", markdown(res, rows, args))
    return res, rows


if __name__ == "__main__":
    # bench/run's `timeout` sends SIGTERM: exit through the finally blocks, so the 2G
    # link's namespaces and the servers are removed.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    main()
