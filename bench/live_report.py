"""Targets and the docs/performance.md section of `bench/run live` (bench.live_class)."""

from . import report

# The ordinary learner routes whose latency the live class must not spoil.
ORDINARY = ("GET /lesson/<pack>/<lesson>", "POST /api/v1/events", "POST /api/v1/answers")

MEMORY_MB = 80


BASELINE = {"live": "baseline", "one_core": "baseline_one_core"}
COLUMNS = {
    "baseline": "alone",
    "live": "live class",
    "baseline_one_core": "one core alone",
    "one_core": "one core live",
}


def _ratio(results, phase, route):
    base = results[BASELINE[phase]]["ordinary"].get(route, {}).get("p95")
    during = results[phase]["ordinary"].get(route, {}).get("p95")
    return (during / base if base and during else None), base, during


def _why_slower(results, phase, route):
    """What the run itself says about an ordinary route that slowed: each round's p95
    alone and live, so a reader sees whether the rounds agree (not a guess at the cause)."""
    rounds = {
        name: ", ".join(_ms(r["p95"].get(route)) for r in results[key]["rounds"])
        for name, key in (("alone", BASELINE[phase]), ("live", phase))
    }
    return (
        f"each round's p95 alone {rounds['alone']} ms, live {rounds['live']} ms; load average"
        f" before each round {'; '.join(r['load'] for r in results[phase]['rounds'])}"
    )


def _ms(value):
    return "–" if value is None else f"{value:.1f}"


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
                f"{s['p95']} ms (p50 {s['p50']}, max {s['max']}; {s['samples']} tablet-moves, rounds: {s['rounds']})",
                None if s["p95"] is None else s["p95"] < goal,
            )
        )
        out.append(
            report.Target(
                f"tablets left behind, {where}",
                "0",
                f"{s['left_behind']} of {s['tablets']} (all rounds)",
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
                    else f"{during:.1f} ms vs {base:.1f} ms alone ({(ratio - 1) * 100:+.0f} %;"
                    f" {results[phase]['ordinary'][route]['n']} and {results[BASELINE[phase]]['ordinary'][route]['n']} requests)",
                    None if ratio is None else ratio <= 1.2,
                    why=_why_slower(results, phase, route),
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
    lines += [
        "",
        f"Ordinary learners' routes, p95 ms over all {a['rounds']} rounds (each round's p95 in brackets):"
        " the same kit alone, then during the live class.",
        "",
    ]
    phases = [p for p in COLUMNS if p in results]
    lines += [
        "| route | " + " | ".join(COLUMNS[p] for p in phases) + " |",
        "| --- |" + " ---: |" * len(phases),
    ]
    for route in (*ORDINARY, "ALL"):
        cells = [_pooled_cell(results[p], route) for p in phases]
        name = "every ordinary route" if route == "ALL" else f"`{route}`"
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _pooled_cell(phase, route):
    rounds = ", ".join(_ms(r["p95"].get(route)) for r in phase["rounds"])
    return f"{_ms(phase['ordinary'].get(route, {}).get('p95'))} ({rounds})"


def _flags(args):
    return " ".join(
        f"--{name.replace('_', '-')} {args[name]}"
        for name in ("tablets", "ordinary", "moves", "questions", "gap_s", "window_s", "rounds")
    )
