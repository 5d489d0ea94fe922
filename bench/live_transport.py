"""Which transport for a live class: short polling against the kit's long poll.

The same `kit serve` (as shipped: one worker per CPU) serves 10 learners of another class
playing lessons at their own pace, in three phases on fresh copies of one data folder:
  alone  the 10 learners only: their p95 without a live class;
  short  + 60 tablets following a teacher by short polling: holding off
         (KIT_LIVE_HOLD_S=0), GET /api/v1/live every 700 ms with If-None-Match;
  long   + the 60 tablets as static/learn/live.js asks: `wait=1`, each ask held until
         the teacher moves (kit.live.hold: 32 held asks a worker, in threads of their
         own), asked again at once after a held answer.
In each live phase the teacher moves `--moves` times, `--gap-s` apart (no questions: this
is about the page reaching the tablets). Reported per phase: propagation from tap to
tablet p50/p95/max, requests the tablets made, the kit's CPU and memory, the load
average before it, and the other learners' p95 per route.
Run: python -m bench.live_transport  (bench/run live-transport; --quick: a smoke run,
docs untouched).
"""

import argparse
import json
import subprocess
import sys
import time

from . import live_class, loadgen, report, stats, workdir
from .procmon import Monitor, load_now
from .servers import PY, KitServer, fresh_copy

PHASES = {  # --phases names: (label, transport, the kit's settings)
    "alone": ("alone", None, {}),
    "short": ("short poll", "short", {"KIT_LIVE_HOLD_S": "0"}),
    "long": ("long poll (as shipped)", "long", {}),
}
ORDINARY = ("GET /lesson/<pack>/<lesson>", "POST /api/v1/events", "POST /api/v1/answers")


def run_phase(folder, plan, args, transport, env):
    data = fresh_copy(folder, workdir.WORK / "data")
    seconds = args.moves * args.gap_s + args.lead_in_s  # the room signs in, then leads
    load = load_now()
    with KitServer(data, env=env, log=str(workdir.WORK / "transport-serve.log")) as kit:
        monitor = Monitor(kit.pid).start()
        handles, outs = live_class.spawn_ordinary(kit, plan, args.ordinary, seconds, "transport-ordinary")
        room = None
        if transport:
            room_plan = workdir.WORK / "transport-room-plan.json"
            room_plan.write_text(json.dumps({**plan, "teacher_login": plan["teacher"]}))
            out = workdir.WORK / "transport-room.json"
            argv = [PY, "-m", "bench.live_room", "--url", kit.url, "--plan", str(room_plan)]
            argv += ["--out", str(out), "--tablets", str(args.tablets), "--moves", str(args.moves)]
            argv += ["--questions", "0", "--gap-s", str(args.gap_s), "--transport", transport]
            subprocess.run(argv, check=True, cwd=live_class.ROOT, timeout=seconds + 180)
            room = json.loads(out.read_text())
        results = loadgen.collect(handles, outs, timeout=seconds + 120)
        use = monitor.stop()
    merged = stats.merge([r["records"] for r in results])
    out = {"ordinary": stats.summarise(merged, seconds), "server": use, "load_before": load}
    out["load_after"] = load_now()
    if room:
        polls = room["records"].get("GET /api/v1/live (poll)", {})
        prop = room["propagation_ms"]
        out["room"] = {
            "p50": stats.percentile(prop, 50),
            "p95": stats.percentile(prop, 95),
            "max": max(prop) if prop else None,
            "samples": len(prop),
            "left_behind": room["left_behind"],
            "tablets": room["tablets"],
            "polls": polls.get("statuses", {}),
            "poll_count": len(polls.get("ms", [])),
            "seconds": room["lead_s"],
        }
    return out


def markdown(results, info):
    a = results["args"]
    lines = [
        "### Live class transport (`python -m bench.live_transport`)",
        "",
        report.machine_line(
            info,
            f"python -m bench.live_transport --tablets {a['tablets']} --moves {a['moves']} --gap-s {a['gap_s']}"
            f" --phases {a['phases']} --rounds {a['rounds']}",
        ),
        "",
        f"{a['tablets']} tablets follow a teacher who moves {a['moves']} times ({a['gap_s']} s apart) while"
        f" {a['ordinary']} learners of another class play lessons; `kit serve` as shipped (one worker per CPU),"
        " short poll with holding off (`KIT_LIVE_HOLD_S=0`).",
        "",
        "| phase | propagation p50 / p95 / max ms | left behind | tablets' requests (a second, while the teacher led) | kit CPU | largest worker RSS | load before → after |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    for name, r in results["phases"].items():
        use = r["server"]
        if "room" in r:
            room = r["room"]
            rate = round(room["poll_count"] / room["seconds"], 1) if room["seconds"] else None
            cells = (
                f"{room['p50']} / {room['p95']} / {room['max']}",
                f"{room['left_behind']} of {room['tablets']}",
                f"{room['poll_count']} ({rate})",
            )
        else:
            cells = ("–", "–", "–")
        lines.append(
            f"| {name} | {' | '.join(cells)} | {use['cpu_pct']} % | {use['process_rss_peak_mb']} MB |"
            f" {r['load_before']} → {r['load_after']} |"
        )
    lines += ["", "Other learners' p95 (ms) per phase.", ""]
    names = list(results["phases"])
    lines += ["| route | " + " | ".join(names) + " |", "| --- |" + " ---: |" * len(names)]
    for route in ORDINARY:
        cells = [results["phases"][n]["ordinary"].get(route, {}).get("p95") for n in names]
        lines.append(f"| `{route}` | " + " | ".join("–" if c is None else f"{c:.1f}" for c in cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run; docs untouched")
    parser.add_argument("--tablets", type=int, default=60)
    parser.add_argument("--ordinary", type=int, default=10)
    parser.add_argument("--moves", type=int, default=20)
    parser.add_argument("--gap-s", type=float, default=1.5)
    parser.add_argument("--phases", default=",".join(PHASES), help="which, in order: " + ", ".join(PHASES))
    parser.add_argument("--rounds", type=int, default=1, help="run the phases this many times, interleaved")
    parser.add_argument(
        "--lead-in-s", type=float, default=12.0, help="the other learners' time beyond the moves' own"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.tablets, args.ordinary, args.moves, args.gap_s, args.lead_in_s = 6, 3, 3, 1.0, 4.0
    info = report.machine()
    folder, plan = live_class.template(args.tablets, args.ordinary)
    started = time.monotonic()
    results = {"machine": info, "args": vars(args), "phases": {}}
    for round_no in range(1, args.rounds + 1):  # rounds interleave the phases: load drifts alike
        for key in args.phases.split(","):
            label, transport, env = PHASES[key]
            name = label if args.rounds == 1 else f"{label} (round {round_no})"
            results["phases"][name] = run_phase(folder, plan, args, transport, env)
            print(name, json.dumps(results["phases"][name].get("room")), file=sys.stderr)
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    text = markdown(results, info)
    print(text)
    if not args.quick:
        report.save_json("live-transport", results)
        report.update_section("live-transport", text)
    return results


if __name__ == "__main__":
    main()
