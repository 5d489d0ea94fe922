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


def _bare_for(sat, key):
    """The bare run with the same request shape: the JSON POST for answers, else the GET."""
    return sat.get("bare_post", sat["bare"]) if key == "answers" else sat["bare"]


def targets(results):
    """Return the Target rows for the class-load bench."""
    sat = results["saturate"]
    rows = []
    for key, name in (("lesson", "lesson page"), ("progress", "learner API GET /api/v1/progress"),
                      ("answers", "learner API POST /api/v1/answers")):
        run, bare = sat[key], _bare_for(sat, key)
        ratio = run["rps"] / bare["rps"] if bare["rps"] else 0
        shape = "POST" if bare is sat.get("bare_post") else "GET"
        rows.append(report.Target(
            f"{name}: req/s vs bare Flask ({shape})", ">= 0.6x",
            f"{run['rps']:.0f} vs {bare['rps']:.0f} req/s = {ratio:.2f}x", ratio >= 0.6,
            _why_slow(key, run, bare)))
        rows.append(report.Target(f"{name}: p95 at {results['args']['tablets']} connections",
                                  "< 150 ms", _ms(run["p95"]),
                                  run["p95"] is not None and run["p95"] < 150,
                                  _why_slow(key, run, bare)))
    peak = max([results["class"]["server"]["rss_peak_mb"]]
               + [sat[k]["server"]["rss_peak_mb"] for k in ("lesson", "progress", "answers")])
    rows.append(report.Target("kit memory under load (peak RSS)", "< 80 MB", f"{peak:.0f} MB",
                              peak < 80, WHY_MEMORY))
    one = results["one_core"]["rows"]["ALL"]
    rows.append(report.Target(f"one core: {results['one_core']['tablets']} tablets, p95 all routes",
                              "< 500 ms", _ms(one["p95"]), one["p95"] is not None
                              and one["p95"] < 500 and one["errors"] == 0, WHY_ONE_CORE))
    events = results["class"]["rows"].get("POST /api/v1/events", {})
    if events.get("p95") is not None:
        rows.append(report.Target("event batch p95 in the class run", "< 200 ms",
                                  _ms(events["p95"]), events["p95"] < 200, WHY_EVENTS))
    return rows


WHY_MEMORY = ("teachers' passwords use scrypt at N=2^14, r=8, p=5 (16 MB for each check), "
              "checked one at a time, and `kit serve` has glibc unmap blocks of 1 MB and more "
              "when freed (tests/teach/test_signin_memory.py), so a sign-in adds 16 MB for "
              "as long as it runs.")
WHY_ONE_CORE = "CPU: on one core every request queues behind the others (see the rows above)."
WHY_EVENTS = ("each batch is validated and judged in its request's thread, then appended "
              "by the event writer with the batches waiting beside it in one transaction "
              "(kit/events.py); under a CPU-bound server the wait for the interpreter lock "
              "dominates.")
# Shares profiled in-process (py-spy over the WSGI app, the bench's data folder); they say
# where a request's time goes, the run's own numbers say how much there is.
WHAT_IT_DOES = {
    "lesson": "the page is rendered once per lesson and language and filled in per request "
              "(kit/web/learn/player_page.py); what is left is gzip of ~12 KB, filling the "
              "page, four one-row queries and Flask's request and response (~0.5 ms in one "
              "process); in the server, waitress's threads hand the interpreter lock to each "
              "other ~60 times a page (perf stat), which costs more than the page's own Python",
    "progress": "the session cookie (verified once per value), the learner, one query, JSON",
    "answers": "the JSON body, the session cookie, the learner, the pack's folder (one query; "
               "the parsed quiz is cached per installed folder), JSON",
}


def _why_slow(key, run, bare):
    kit_ms, bare_ms = cpu_ms(run), cpu_ms(bare)
    if kit_ms is None or bare_ms is None:
        return f"no requests answered in the run ({WHAT_IT_DOES[key]})."
    return (f"server CPU, {kit_ms:.2f} ms a request against {bare_ms:.2f} ms for the bare app "
            f"with the same requests (both single processes: waitress threads share one "
            f"interpreter): {WHAT_IT_DOES[key]}.")


def sweep_series(results):
    """{route: [(tablets, p95 ms), ...]} from the sweep."""
    series = {}
    for count, run in sorted(results["sweep"].items(), key=lambda kv: int(kv[0])):
        for route in PLOT_ROUTES:
            row = run["rows"].get(route)
            series.setdefault(route, []).append((int(count), row["p95"] if row else None))
    return series


def markdown(results, rows):
    """The class-load section of docs/performance.md."""
    c, one = results["class"], results["one_core"]
    sat = results["saturate"]
    lines = [
        "## Class load", "",
        report.machine_line(results["machine"], "bench/run class-load"), "",
        report.targets_markdown(rows), "",
        f"### {c['tablets']} tablets, think time {results['args']['think']:g} s "
        f"({results['args']['seconds']:g} s measured)", "",
        report.routes_markdown(c["rows"]), "",
        f"Server: RSS peak {c['server']['rss_peak_mb']} MB, steady {c['server']['rss_steady_mb']} MB,"
        f" CPU {c['server']['cpu_pct']} % of one core; load generator CPU "
        f"{c['generator_cpu_pct']} %.", "",
        f"### Saturation: {results['args']['tablets']} connections, no think time", "",
        "| target | req/s | p50 ms | p95 ms | p99 ms | errors | server RSS peak | server CPU | CPU ms/request | generator CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key in ("lesson", "progress", "answers", "bare", "bare_post"):
        r = sat.get(key)
        if r is None:
            continue
        lines.append(f"| {key} | {r['rps']} | {r['p50']} | {r['p95']} | {r['p99']} | "
                     f"{r['errors']} | {r['server']['rss_peak_mb']} MB | "
                     f"{r['server']['cpu_pct']} % | {cpu_ms(r) or 0:.2f} | "
                     f"{r['generator_cpu_pct']} % |")
    lines += ["", f"### One core (kit on CPU 0, generator on CPU 1), {one['tablets']} tablets", "",
              report.routes_markdown(one["rows"]), "",
              f"Server: RSS peak {one['server']['rss_peak_mb']} MB, CPU {one['server']['cpu_pct']} %.",
              "", "### p95 against tablets", "",
              "![p95 latency against tablets](../bench/results/class-load-p95.svg)", "",
              "| tablets | req/s | p95 all ms | p95 lesson ms | p95 events ms | errors | RSS peak MB | CPU % |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for count, run in sorted(results["sweep"].items(), key=lambda kv: int(kv[0])):
        a, rws = run["rows"]["ALL"], run["rows"]
        lines.append(f"| {count} | {a['rps']} | {a['p95']} | {rws.get(LESSON, {}).get('p95')} | "
                     f"{rws.get('POST /api/v1/events', {}).get('p95')} | {a['errors']} | "
                     f"{run['server']['rss_peak_mb']} | {run['server']['cpu_pct']} |")
    return "\n".join(lines)


def publish(results, write_doc=True):
    """Print the targets; save JSON and the plot; rewrite the doc section when asked."""
    rows = targets(results)
    print("\nclass load targets:")
    report.print_targets(rows)
    svg = svgplot.line_chart("p95 latency against tablets", "tablets", "p95 latency (ms)",
                             sweep_series(results), hline=(150, "target 150 ms"))
    if write_doc:
        report.save_json("class-load", _strip(results))
        PLOT.write_text(svg)
        report.update_section("class-load", markdown(results, rows))
    return rows


def _strip(results):
    """Drop per-status maps to keep the saved JSON small."""
    import copy

    out = copy.deepcopy(results)
    for run in [out["class"], out["one_core"], *out["sweep"].values()]:
        for row in run["rows"].values():
            row.pop("statuses", None)
    return out


__all__ = ["publish", "targets", "stats"]
