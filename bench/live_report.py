"""Targets and the docs/performance.md section of `bench/run live` (bench.live_class)."""

from . import report

# The ordinary learner routes whose latency the live class must not spoil.
ORDINARY = ("GET /lesson/<pack>/<lesson>", "POST /api/v1/events", "POST /api/v1/answers")

MEMORY_MB = 80


BASELINE = {"live": "baseline", "one_core": "baseline_one_core"}


def _ratio(results, phase, route):
    base = results[BASELINE[phase]]["ordinary"].get(route, {}).get("p95")
    during = results[phase]["ordinary"].get(route, {}).get("p95")
    return (during / base if base and during else None), base, during


def _why_slower(results, base, during):
    """What the run itself says about an ordinary route that slowed: by how much, and how
    busy the machine was before it (not a guess at the cause)."""
    if base is None or during is None:
        return "not measured in one of the two phases"
    load = results.get("machine", {}).get("loadavg_before", "?")
    return (
        f"{during - base:+.1f} ms at p95 over {base:.1f} ms alone; the live class shares the one "
        f"event writer with this route (tablets' joins, page-shown events and answers; presence once per 4 s per worker); load average before "
        f"the run {load}"
    )


def targets(results):
    """The issue's targets, each measured in this run."""
    out = []
    for phase, goal in (("live", 1000), ("one_core", 1500)):
        if phase not in results:
            continue
        s = results[phase]["summary"]
        where = "one core" if phase == "one_core" else "kit as shipped"
        out.append(
            report.Target(
                f"propagation p95, {where}",
                f"< {goal} ms",
                f"{s['p95']} ms (p50 {s['p50']}, max {s['max']}; {s['samples']} tablet-moves)",
                None if s["p95"] is None else s["p95"] < goal,
            )
        )
        out.append(
            report.Target(
                f"tablets left behind, {where}",
                "0",
                f"{s['left_behind']} of {s['tablets']}",
                s["left_behind"] == 0,
            )
        )
        for route in ORDINARY:
            ratio, base, during = _ratio(results, phase, route)
            out.append(
                report.Target(
                    f"ordinary `{route}` p95, {where}",
                    "≤ +20 %",
                    "not measured"
                    if ratio is None
                    else f"{during:.1f} ms vs {base:.1f} ms alone ({(ratio - 1) * 100:+.0f} %)",
                    None if ratio is None else ratio <= 1.2,
                    why=_why_slower(results, base, during),
                )
            )
        use = results[phase]["server"]
        out.append(
            report.Target(
                f"largest worker's memory, {where}",
                f"< {MEMORY_MB} MB",
                f"{use['process_rss_peak_mb']} MB",
                use["process_rss_peak_mb"] < MEMORY_MB,
            )
        )
    return out


def markdown(results, info):
    """The section between the bench:live markers."""
    a = results["args"]
    lines = [
        "### Live class (`bench/run live`)",
        "",
        report.machine_line(info, "bench/run live " + _flags(a)),
        "",
        f"{a['tablets']} tablets follow a live class on numeracy/01-counting while {a['ordinary']} other learners"
        f" play lessons at their own pace; the teacher moves {a['moves']} times ({a['gap_s']} s apart) and"
        f" asks {a['questions']} questions to the room (each open {a['window_s']} s). Tablets ask"
        " `GET /api/v1/live?wait=1` with If-None-Match, which the kit holds until the teacher moves, and post a"
        " `live_page_shown` event within 3 s of each new page, as static/learn/live.js does (asks' p95 includes"
        " the time they were held).",
        "",
        report.targets_markdown(targets(results)),
        "",
        "| phase | propagation p50 / p95 / max ms | left behind | answers counted | answers/s | asks (200 / 304) | ask p95 ms | page-shown batches (p95 ms) | server CPU | largest worker RSS | all workers PSS |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for phase, label in (("live", "kit as shipped"), ("one_core", "one core (1 worker)")):
        if phase not in results:
            continue
        s, use = results[phase]["summary"], results[phase]["server"]
        polls = s["polls"]
        lines.append(
            f"| {label} | {s['p50']} / {s['p95']} / {s['max']} | {s['left_behind']} of {s['tablets']} |"
            f" {s['answers']} | {s['answers_per_s']} | {polls.get('200', 0)} / {polls.get('304', 0)} |"
            f" {s['poll_p95']} | {sum(s['shown'].values())} ({s['shown_p95']}) | {use['cpu_pct']} % | {use['process_rss_peak_mb']} MB | {use['pss_peak_mb']} MB |"
        )
    lines += ["", "Ordinary learners' routes (p95 ms): alone, then during the live class.", ""]
    lines += ["| route | alone | live class | one core |", "| --- | ---: | ---: | ---: |"]
    for route in ORDINARY:
        cells = [
            results[p]["ordinary"].get(route, {}).get("p95")
            for p in ("baseline", "live", "one_core")
            if p in results
        ]
        lines.append(f"| `{route}` | " + " | ".join("–" if c is None else f"{c:.1f}" for c in cells) + " |")
    return "\n".join(lines)


def _flags(args):
    return " ".join(
        f"--{name.replace('_', '-')} {args[name]}"
        for name in ("tablets", "ordinary", "moves", "questions", "gap_s", "window_s")
    )
