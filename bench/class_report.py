"""Judge the class-load results against the issue's targets; print, save and document them."""

from . import report, stats, svgplot

LESSON = "GET /lesson/<pack>/<lesson>"
PLOT = report.RESULTS / "class-load-p95.svg"
PLOT_ROUTES = ("ALL", LESSON, "POST /api/v1/events", "POST /api/v1/answers")


def _ms(value):
    return "–" if value is None else f"{value:.0f} ms"


def cpu_ms(run):
    """Server CPU per request in ms (CPU % of one core over the run / requests per second)."""
    return run["server"]["cpu_pct"] * 10 / run["rps"] if run.get("rps") else None


BARE_FOR = {
    "lesson": "bare",
    "progress": "bare",
    "answers": "bare_post",
    "events": "bare_events",
    "healthz": "bare_healthz",
}
NAMES = {
    "lesson": "lesson page",
    "progress": "GET /api/v1/progress",
    "answers": "POST /api/v1/answers",
    "events": "POST /api/v1/events (10 events)",
    "healthz": "GET /healthz",
}
LEARNER = ("lesson", "progress", "answers", "events")


def _bare_for(sat, key):
    """The bare run with the same request shape: the JSON POSTs for answers and events."""
    return sat.get(BARE_FOR[key], sat["bare"])


def targets(results):
    """Return the Target rows for the class-load bench."""
    sat = results["saturate"]
    counts = sorted(int(c) for c in sat if c.isdigit())
    low, high = str(counts[0]), str(counts[-1])
    rows = []
    for key in LEARNER:
        name = NAMES[key]
        run, few, bare = sat[high][key], sat[low][key], _bare_for(sat[high], key)
        ratio = run["rps"] / bare["rps"] if bare["rps"] else 0
        shape = "POST" if BARE_FOR[key] != "bare" else "GET"
        rows.append(
            report.Target(
                f"{name}: req/s vs bare Flask ({shape}), {high} connections",
                ">= 0.6x",
                f"{run['rps']:.0f} vs {bare['rps']:.0f} req/s = {ratio:.2f}x",
                ratio >= 0.6,
                _why_slow(key, run, bare),
            )
        )
        kept = run["rps"] / few["rps"] if few["rps"] else 0
        rows.append(
            report.Target(
                f"{name}: req/s at {high} connections vs at {low}",
                ">= 0.7x",
                f"{run['rps']:.0f} vs {few['rps']:.0f} req/s = {kept:.2f}x",
                kept >= 0.7,
                WHY_KEPT,
            )
        )
        rows.append(
            report.Target(
                f"{name}: p95 at {high} connections",
                "< 150 ms",
                _ms(run["p95"]),
                run["p95"] is not None and run["p95"] < 150 and run["errors"] == 0,
                _why_slow(key, run, bare),
            )
        )
    for key, limit, goal in (("burst", 500, "< 500 ms"), ("burst_one_core", 1000, "< 1 s")):
        burst = results.get(key)
        if burst:
            where = "one core" if key == "burst_one_core" else "as shipped"
            rows.append(
                report.Target(
                    f"burst ({where}): {burst['tablets']} tablets ask for one lesson page within "
                    f"{burst['spread_ms']:.0f} ms, slowest of {len(burst['rounds'])} bursts",
                    goal,
                    f"{_ms(burst['max_ms'])} (median burst {_ms(burst['median_ms'])})",
                    burst["max_ms"] is not None and burst["max_ms"] < limit and burst["errors"] == 0,
                    WHY_BURST,
                )
            )
    runs = [results["class"]] + [sat[c][k] for c in sat if c.isdigit() for k in LEARNER]
    peak = max(r["server"].get("process_rss_peak_mb", r["server"]["rss_peak_mb"]) for r in runs)
    rows.append(
        report.Target(
            "kit memory under load, largest process (peak RSS)",
            "< 80 MB",
            f"{peak:.0f} MB",
            peak < 80,
            WHY_MEMORY,
        )
    )
    idle = sat.get("idle") or []
    idle = idle[1:] if len(idle) > 1 else idle  # the workers, not their supervisor
    if idle:
        largest = max(p["rss_mb"] for p in idle)
        rows.append(
            report.Target(
                "idle memory per worker (RSS)", "< 45 MB", f"{largest:.0f} MB", largest < 45, WHY_MEMORY
            )
        )
    one = results["one_core"]["rows"]["ALL"]
    rows.append(
        report.Target(
            f"one core: {results['one_core']['tablets']} tablets, p95 all routes",
            "< 500 ms",
            _ms(one["p95"]),
            one["p95"] is not None and one["p95"] < 500 and one["errors"] == 0,
            WHY_ONE_CORE,
        )
    )
    events = results["class"]["rows"].get("POST /api/v1/events", {})
    if events.get("p95") is not None:
        rows.append(
            report.Target(
                "event batch p95 in the class run",
                "< 200 ms",
                _ms(events["p95"]),
                events["p95"] < 200,
                WHY_EVENTS,
            )
        )
    return rows


WHY_KEPT = (
    "more connections than the workers have threads queue in waitress; the rate "
    "should hold while the CPUs are busy either way."
)
WHY_BURST = (
    "a burst is 60 pages queued at once over the workers' threads; the last waits "
    "for the others (see the saturation rate for the lesson page)."
)
WHY_MEMORY = (
    "teachers' passwords use scrypt at N=2^14, r=8, p=5 (16 MB for each check), "
    "checked one at a time, and `kit serve` has glibc unmap blocks of 1 MB and more "
    "when freed (tests/teach/test_signin_memory.py), so a sign-in adds 16 MB for "
    "as long as it runs."
)
WHY_ONE_CORE = "CPU: on one core every request queues behind the others (see the rows above)."
WHY_EVENTS = (
    "each batch is validated and judged in its request's thread, then appended "
    "by the event writer with the batches waiting beside it in one transaction "
    "(kit/events.py); under a CPU-bound server the wait for the interpreter lock "
    "dominates."
)
# Shares profiled in-process (py-spy over the WSGI app, the bench's data folder); they say
# where a request's time goes, the run's own numbers say how much there is.
WHAT_IT_DOES = {
    "lesson": "the page is rendered once per lesson and language and filled in per request "
    "(kit/web/learn/player_page.py); what is left is gzip of ~12 KB, filling the "
    "page, four one-row queries and Flask's request and response",
    "progress": "the session cookie (verified once per value), the learner, one query, JSON",
    "answers": "the JSON body, the session cookie, the learner, the pack's folder (one query; "
    "the parsed quiz is cached per installed folder), JSON",
    "events": "the JSON body, the learner token, validation and judging of 10 events, then "
    "the group-commit writer: one write transaction per group with synchronous=FULL",
    "healthz": "one one-row query",
}


def _why_slow(key, run, bare):
    kit_ms, bare_ms = cpu_ms(run), cpu_ms(bare)
    if kit_ms is None or bare_ms is None:
        return f"no requests answered in the run ({WHAT_IT_DOES[key]})."
    return (
        f"server CPU, {kit_ms:.2f} ms a request (all the kit's processes) against "
        f"{bare_ms:.2f} ms for the bare app with the same requests: {WHAT_IT_DOES[key]}."
    )


def sweep_series(results):
    """{route: [(tablets, p95 ms), ...]} from the sweep."""
    series = {}
    for count, run in sorted(results["sweep"].items(), key=lambda kv: int(kv[0])):
        for route in PLOT_ROUTES:
            row = run["rows"].get(route)
            series.setdefault(route, []).append((int(count), row["p95"] if row else None))
    return series


def _sat_line(key, r):
    return (
        f"| {key} | {r['rps']} | {r['p50']} | {r['p95']} | {r['p99']} | {r['errors']} | "
        f"{r['server'].get('process_rss_peak_mb', r['server']['rss_peak_mb'])} MB | "
        f"{r['server'].get('pss_peak_mb', '–')} MB | {r['server']['cpu_pct']} % | "
        f"{cpu_ms(r) or 0:.2f} | {r['generator_cpu_pct']} % | {r.get('load', '–')} |"
    )


def markdown(results, rows):
    """The class-load section of docs/performance.md."""
    c, one = results["class"], results["one_core"]
    sat = results["saturate"]
    args = results["args"]
    idle = sat.get("idle") or []
    workers = len(idle) - 1 if len(idle) > 1 else 1
    model = (
        f"{workers} worker{'s' if workers > 1 else ''}"
        f"{'' if args.get('workers') else ' (one per CPU)'} x "
        f"{args.get('threads') or '8 (the default)'} threads"
    )
    lines = [
        "## Class load",
        "",
        report.machine_line(results["machine"], "bench/run class-load"),
        f"Load average after the run {results['machine'].get('loadavg_after', '?')}; each "
        "phase's own is in its table. The kit runs as shipped (`kit serve`: " + model + "); "
        "the bare app is one process with 8 threads.",
        "",
        report.targets_markdown(rows),
        "",
        f"### {c['tablets']} tablets, think time {args['think']:g} s ({args['seconds']:g} s measured)",
        "",
        report.routes_markdown(c["rows"]),
        "",
        f"Server: RSS peak {c['server']['rss_peak_mb']} MB over all processes (PSS "
        f"{c['server'].get('pss_peak_mb', '–')} MB), steady {c['server']['rss_steady_mb']} MB, "
        f"CPU {c['server']['cpu_pct']} % of one core; load generator CPU "
        f"{c['generator_cpu_pct']} %; load average {c.get('load', '–')}.",
        "",
    ]
    for conns in sorted((k for k in sat if k.isdigit()), key=int):
        lines += [
            f"### Saturation: {conns} connections, no think time",
            "",
            "| target | req/s | p50 ms | p95 ms | p99 ms | errors | largest process RSS "
            "| all processes PSS | server CPU | CPU ms/request | generator CPU | load |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for key, r in sat[conns].items():
            lines.append(_sat_line(key, r))
        lines.append("")
    if sat.get("idle"):
        idle = sat["idle"]
        lines += [
            "Idle, before the load: "
            + ", ".join(
                f"{'supervisor' if n == 0 and len(idle) > 1 else 'worker'} {p['rss_mb']} MB RSS / "
                f"{p['pss_mb']} MB PSS"
                for n, p in enumerate(idle)
            )
            + f"; all together {sum(p['pss_mb'] for p in idle):.1f} MB PSS.",
            "",
        ]
    for key, title in (
        ("burst", "as shipped"),
        ("burst_one_core", "one core (kit on CPU 0, generator on CPU 1)"),
    ):
        b = results.get(key)
        if not b:
            continue
        lasts = [p["last_ms"] for p in b["rounds"]]
        lines += [
            f"### Burst, {title}: {b['tablets']} tablets, one lesson page within "
            f"{b['spread_ms']:.0f} ms, {len(b['rounds'])} times",
            "",
            "Time until the last tablet had its page, per burst (ms): "
            + ", ".join("–" if v is None else f"{v:.0f}" for v in lasts)
            + f". Median {_ms(b['median_ms'])}, slowest {_ms(b['max_ms'])}, "
            f"{b['errors']} errors; server CPU {b['server']['cpu_pct']} %; load average "
            f"{b.get('load', '–')}.",
            "",
        ]
    if results.get("grid"):
        lines += [
            f"### Workers x threads, lesson page at {max(int(k) for k in sat if k.isdigit())} connections",
            "",
            "| workers | threads | req/s | p50 ms | p95 ms | errors | server CPU | load |",
            "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for g in results["grid"]:
            lines.append(
                f"| {g['workers']} | {g['threads']} | {g['rps']} | {g['p50']} | "
                f"{g['p95']} | {g['errors']} | {g['server']['cpu_pct']} % | "
                f"{g.get('load', '–')} |"
            )
        lines.append("")
    lines += [
        f"### One core (kit on CPU 0, one process, generator on CPU 1), {one['tablets']} tablets",
        "",
        report.routes_markdown(one["rows"]),
        "",
        f"Server: RSS peak {one['server']['rss_peak_mb']} MB, CPU {one['server']['cpu_pct']} %.",
        "",
        "### p95 against tablets",
        "",
        "![p95 latency against tablets](../bench/results/class-load-p95.svg)",
        "",
        "| tablets | req/s | p95 all ms | p95 lesson ms | p95 events ms | errors | RSS peak MB | CPU % |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for count, run in sorted(results["sweep"].items(), key=lambda kv: int(kv[0])):
        a, rws = run["rows"]["ALL"], run["rows"]
        lines.append(
            f"| {count} | {a['rps']} | {a['p95']} | {rws.get(LESSON, {}).get('p95')} | "
            f"{rws.get('POST /api/v1/events', {}).get('p95')} | {a['errors']} | "
            f"{run['server']['rss_peak_mb']} | {run['server']['cpu_pct']} |"
        )
    return "\n".join(lines)


def publish(results, write_doc=True):
    """Print the targets; save JSON and the plot; rewrite the doc section when asked.
    Return the section's text (made in every run, so a quick run checks it too)."""
    if write_doc:  # first, so a run's numbers survive a fault in what follows
        report.save_json("class-load", _strip(results))
    rows = targets(results)
    print("\nclass load targets:")
    report.print_targets(rows)
    svg = svgplot.line_chart(
        "p95 latency against tablets",
        "tablets",
        "p95 latency (ms)",
        sweep_series(results),
        hline=(150, "target 150 ms"),
    )
    section = markdown(results, rows)
    if write_doc:
        PLOT.write_text(svg)
        report.update_section("class-load", section)
    return section


def _strip(results):
    """Drop per-status maps to keep the saved JSON small."""
    import copy

    out = copy.deepcopy(results)
    for run in [out["class"], out["one_core"], *out["sweep"].values()]:
        for row in run["rows"].values():
            row.pop("statuses", None)
    return out


__all__ = ["publish", "targets", "stats"]
