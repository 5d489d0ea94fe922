"""Live class: 60 tablets follow a teacher on a real `kit serve`, while other learners work.

Phases, each on a fresh copy of the same prepared data folder:
  alone    ordinary learners (another class, lessons at their own pace) alone:
           per-route p95;
  live     the same ordinary learners, plus a live class: a teacher moves 30 times
           and asks 5 questions to the room while 60 tablets follow (bench.live_room):
           propagation from tap to tablet (p50/p95/max), tablets left behind,
           answers counted per second, server CPU and memory, ordinary routes' p95;
and both again with the kit in one worker pinned to CPU 0 (the clients on CPU 1).

The ordinary routes' p95 is a few milliseconds, and the same kit alone moved from 11.5 to
24.4 ms between two runs: one phase each could not tell a 20 % change from the machine's
mood. So each configuration runs `--rounds` rounds, alone and live in turn, in the
order alone-live-live-alone (drift in the machine's load falls on both alike), and the
targets compare all the rounds' samples pooled; each round's p95 is reported beside them.
Run: bench/run live  (--quick: a tiny smoke run, docs untouched).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from . import loadgen, report, stats, workdir
from .live_room import SHOWN
from .procmon import Monitor
from .servers import fresh_copy, kit_server

ROOT = Path(__file__).resolve().parent.parent
LESSON = ("numeracy", "01-counting")  # 3 pages, 5 questions (the 3rd and 4th have choices)


def template(tablets, ordinary):
    """Prepare (once per size) a kit: one class of `tablets` for the live class, one for the others."""
    folder, plan_file = (
        workdir.WORK / f"live-{tablets}-{ordinary}",
        workdir.WORK / f"live-plan-{tablets}-{ordinary}.json",
    )
    if plan_file.exists():
        return folder, json.loads(plan_file.read_text())
    workdir.WORK.mkdir(parents=True, exist_ok=True)
    total = tablets + ordinary
    out = subprocess.run(
        [sys.executable, "-m", "bench.prepare", "--data", str(folder), "--learners", str(total)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    plan = json.loads(out.stdout)
    merged = subprocess.run(
        [sys.executable, "-m", "bench.live_class", "--merge", str(folder), "--tablets", str(tablets)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    plan.update(json.loads(merged.stdout))
    plan_file.write_text(json.dumps(plan))
    return folder, plan


def merge(folder, tablets):
    """Put the first `tablets` learners in one class (the live class), the rest in another."""
    from kit.datafolder import open_data
    from kit.models import Classroom, Learner
    from kit.packs.lessons import get_lesson

    open_data(folder)
    rooms = list(Classroom.select().where(Classroom.name.startswith("Bench class")).order_by(Classroom.id))
    learners = list(Learner.select().where(Learner.classroom.in_(rooms)).order_by(Learner.id))
    live, rest = learners[:tablets], learners[tablets:]
    Learner.update(classroom=rooms[0]).where(Learner.id.in_([l.id for l in live])).execute()
    Learner.update(classroom=rooms[-1]).where(Learner.id.in_([l.id for l in rest])).execute()
    view = get_lesson(*LESSON)
    pages = len(view.pages)
    choice_steps = [pages + i for i, q in enumerate(view.questions) if q["type"] in ("single", "multiple")]
    return {
        "live_class": rooms[0].id,
        "learners": [l.id for l in live],
        "ordinary": {
            "classes": [{"id": rooms[-1].id, "name": rooms[-1].name, "learners": [l.id for l in rest]}]
        },
        "lesson": "/".join(LESSON),
        "last_step": pages + len(view.questions),
        "question_steps": choice_steps,
    }


def ordinary_plan(plan):
    path = workdir.WORK / "live-ordinary-plan.json"
    path.write_text(
        json.dumps({**plan["ordinary"], "teacher": plan["teacher"], "pictures": plan["pictures"]})
    )
    return path


def spawn_ordinary(kit, plan, count, seconds, name, cpus=None, warmup=3.0):
    """Start the `count` learners of another class, playing lessons as in class load for
    `warmup` then `seconds` (one load generator process; results under workdir `name`)."""
    return loadgen.spawn(
        1,
        count,
        str(workdir.WORK / name),
        cpus=cpus,
        url=kit.url,
        plan=str(ordinary_plan(plan)),
        warmup=warmup,
        duration=seconds,
        mode="class",
        think=1.0,
        teachers=0,
    )


def run_phase(folder, plan, args, live, kit_cpus=None, gen_cpus=None, workers=None):
    """One fresh kit: ordinary learners for the phase's length, with or without the live class."""
    data = fresh_copy(folder, workdir.WORK / "data")
    seconds = args.moves * args.gap_s + args.questions * (args.window_s + 1) + args.lead_in_s
    load = report.machine()["loadavg_before"]
    with kit_server(data, workers=workers, cpus=kit_cpus, log=str(workdir.WORK / "live-serve.log")) as kit:
        monitor = Monitor(kit.pid).start()
        handles, outs = spawn_ordinary(
            kit, plan, args.ordinary, seconds, "live-ordinary", gen_cpus, warmup=args.warmup_s
        )
        room = None
        if live:
            out = workdir.WORK / "live-room.json"
            argv = [
                sys.executable,
                "-m",
                "bench.live_room",
                "--url",
                kit.url,
                "--plan",
                str(workdir.WORK / "live-room-plan.json"),
                "--out",
                str(out),
                "--tablets",
                str(args.tablets),
                "--moves",
                str(args.moves),
                "--questions",
                str(args.questions),
                "--gap-s",
                str(args.gap_s),
                "--window-s",
                str(args.window_s),
            ]
            (workdir.WORK / "live-room-plan.json").write_text(
                json.dumps({**plan, "teacher_login": plan["teacher"]})
            )
            if gen_cpus:
                argv = ["taskset", "-c", gen_cpus, *argv]
            subprocess.run(argv, check=True, cwd=ROOT, timeout=seconds + 180)
            room = json.loads(out.read_text())
        results = loadgen.collect(handles, outs, timeout=seconds + 120)
        use = monitor.stop()
    records = stats.merge([r["records"] for r in results])
    return {"records": records, "seconds": seconds, "server": use, "room": room, "load": load}


def run_rounds(folder, plan, args, **where):
    """`args.rounds` rounds of alone and live, in the order alone-live-live-alone-…;
    return both phases with their rounds' samples pooled."""
    runs = {False: [], True: []}
    for r in range(args.rounds):
        for live in (False, True) if r % 2 == 0 else (True, False):
            runs[live].append(run_phase(folder, plan, args, live=live, **where))
    return pooled(runs[False]), pooled(runs[True])


def pooled(rounds):
    """One phase's rounds as one: ordinary samples pooled, each round's p95 kept beside."""
    seconds = sum(r["seconds"] for r in rounds)
    out = {
        "ordinary": stats.summarise(stats.merge([r["records"] for r in rounds]), seconds),
        "rounds": [
            {
                "p95": {k: v["p95"] for k, v in stats.summarise(r["records"], r["seconds"]).items()},
                "load": r["load"],
            }
            for r in rounds
        ],
        "server": {
            "cpu_pct": round(sum(r["server"]["cpu_pct"] for r in rounds) / len(rounds), 1),
            "process_rss_peak_mb": max(r["server"]["process_rss_peak_mb"] for r in rounds),
            "pss_peak_mb": max(r["server"]["pss_peak_mb"] for r in rounds),
        },
    }
    if rounds[0]["room"] is not None:
        out["summary"] = summarise_rooms([r["room"] for r in rounds])
    return out


def _answer_rate(room):
    """Answers counted per second of answering: one question's answers come within a few
    seconds of each other, so gaps over 3 s separate the questions."""
    ok = sorted(t for t, status in room["answers"] if status == 200)
    if len(ok) < 2:
        return None
    bursts, start, last = [], ok[0], ok[0]
    for t in ok[1:]:
        if t - last > 3:
            bursts.append((start, last))
            start = t
        last = t
    bursts.append((start, last))
    return len(ok) / sum(max(0.5, b - a) for a, b in bursts)


def summarise_rooms(rooms):
    """Several rounds' rooms as one: tap-to-tablet times pooled, tablets left behind
    summed, answers per second averaged over the rounds (each round's clock is its own)."""
    prop = [ms for room in rooms for ms in room["propagation_ms"]]
    rates = [r for r in map(_answer_rate, rooms) if r is not None]
    records = stats.merge([room["records"] for room in rooms])
    polls, shown = records.get("GET /api/v1/live (poll)", {}), records.get(SHOWN, {})
    return {
        "p50": stats.percentile(prop, 50),
        "p95": stats.percentile(prop, 95),
        "max": max(prop) if prop else None,
        "samples": len(prop),
        "rounds": len(rooms),
        "moves": sum(room["moves"] for room in rooms),
        "tablets": rooms[0]["tablets"],
        "left_behind": sum(room["left_behind"] for room in rooms),
        "answers": sum(1 for room in rooms for _t, s in room["answers"] if s == 200),
        "answers_refused": sum(1 for room in rooms for _t, s in room["answers"] if s != 200),
        "answers_per_s": round(sum(rates) / len(rates), 1) if rates else None,
        "polls": polls.get("statuses", {}),
        "poll_p95": stats.percentile(polls.get("ms", []), 95),
        "shown": shown.get("statuses", {}),
        "shown_p95": stats.percentile(shown.get("ms", []), 95),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a tiny smoke run; docs untouched")
    parser.add_argument("--merge", help=argparse.SUPPRESS)
    parser.add_argument("--tablets", type=int, default=60)
    parser.add_argument("--ordinary", type=int, default=10)
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--gap-s", type=float, default=1.5)
    parser.add_argument("--window-s", type=float, default=4.0)
    parser.add_argument(
        "--lead-in-s", type=float, default=10.0, help="the other learners' time beyond the room's own"
    )
    parser.add_argument("--warmup-s", type=float, default=3.0, help="the other learners' ramp-up")
    parser.add_argument(
        "--rounds", type=int, default=2, help="rounds of alone and live per configuration (pooled)"
    )
    args = parser.parse_args(argv)
    if args.merge:
        print(json.dumps(merge(args.merge, args.tablets)))
        return None
    if args.quick:  # a smoke: the other learners' lead-in and ramp-up cut too (19 s a phase to 9 s)
        args.tablets, args.ordinary, args.moves, args.questions, args.gap_s, args.window_s = (
            6,
            3,
            3,
            1,
            1.0,
            2.0,
        )
        args.lead_in_s, args.warmup_s, args.rounds = 2.0, 1.0, 1
    info = report.machine()
    folder, plan = template(args.tablets, args.ordinary)
    started = time.monotonic()
    results = {"machine": info, "args": vars(args)}
    results["baseline"], results["live"] = run_rounds(folder, plan, args)
    cpus = os.sched_getaffinity(0)
    if len(cpus) > 1 and not args.quick:
        pinned = {"kit_cpus": "0", "gen_cpus": "1", "workers": 1}
        results["baseline_one_core"], results["one_core"] = run_rounds(folder, plan, args, **pinned)
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    from .live_report import markdown, targets

    report.print_targets(targets(results))
    if not args.quick:
        report.save_json("live", results)
        report.update_section("live", markdown(results, info))
    return results


if __name__ == "__main__":
    main()
