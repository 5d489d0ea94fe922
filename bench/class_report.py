"""Judge the class-load results against the issue's targets; print, save and document them."""

from . import report, stats, svgplot

LESSON = "GET /lesson/<pack>/<lesson>"
PLOT = report.RESULTS / "class-load-p95.svg"
PLOT_ROUTES = ("ALL", LESSON, "POST /api/v1/events", "POST /api/v1/answers")


def _ms(value):
    return "–" if value is None else f"{value:.0f} ms"


def targets(results):
    """Return the Target rows for the class-load bench."""
    sat, bare = results["saturate"], results["saturate"]["bare"]
    rows = []
    for key, name in (("lesson", "lesson page"), ("progress", "learner API GET /api/v1/progress"),
                      ("answers", "learner API POST /api/v1/answers")):
        run = sat[key]
        ratio = run["rps"] / bare["rps"] if bare["rps"] else 0
        rows.append(report.Target(
            f"{name}: req/s vs bare Flask", ">= 0.6x",
            f"{run['rps']:.0f} vs {bare['rps']:.0f} req/s = {ratio:.2f}x", ratio >= 0.6,
            _why_slow(key)))
        rows.append(report.Target(f"{name}: p95 at {results['args']['tablets']} connections",
                                  "< 150 ms", _ms(run["p95"]),
                                  run["p95"] is not None and run["p95"] < 150, _why_slow(key)))
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


WHY_MEMORY = ("every picture-password sign-in runs werkzeug's default scrypt "
              "(scrypt:32768:8:1): measured here, one check grows a process's peak RSS by 32 MB "
              "and takes 0.1-0.5 s of CPU, and 8 threads can run several at once. The 36 "
              "possible picture pairs get no strength from a slow hash (the per-learner rate "
              "limit is what protects them): a cheap salted hash would fix memory and CPU.")
WHY_ONE_CORE = ("CPU: each request costs the kit 8-23 ms of Python (see the lesson page and "
                "API rows) and each picture sign-in 0.1-0.5 s of scrypt; on one core they "
                "queue behind each other.")
WHY_EVENTS = ("each batch runs in one BEGIN IMMEDIATE transaction, serialised with every "
              "other write; under a CPU-bound server the wait for the GIL dominates.")


def _why_slow(key):
    return {
        "lesson": "profiled in-process, one lesson page costs ~23 ms of CPU: ~15 SQL queries "
                  "built by peewee (assigned_lessons runs one Lesson query per assignment, "
                  "current_learner two, get_lesson two), ~30 % of the time; the Jinja "
                  "template with ~67 gettext calls through Flask-Babel, ~30 %; a database "
                  "connect/close per request. Caching the class's assigned lessons and the "
                  "rendered lesson per pack version would bring it near the bare stack.",
        "progress": "profiled in-process, ~8 ms per request: the session's learner and "
                    "classroom, the progress rows, peewee query building, JSON; all under "
                    "one GIL shared by the 8 threads.",
        "answers": "profiled in-process, ~12 ms per check: load_quiz reads the pack row "
                   "through peewee (~1 ms) on every call before judging; caching the "
                   "installed quiz per pack version would fix it.",
    }[key]


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
        "| target | req/s | p50 ms | p95 ms | p99 ms | errors | server RSS peak | server CPU | generator CPU |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for key in ("lesson", "progress", "answers", "bare"):
        r = sat[key]
        lines.append(f"| {key} | {r['rps']} | {r['p50']} | {r['p95']} | {r['p99']} | "
                     f"{r['errors']} | {r['server']['rss_peak_mb']} MB | "
                     f"{r['server']['cpu_pct']} % | {r['generator_cpu_pct']} % |")
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
