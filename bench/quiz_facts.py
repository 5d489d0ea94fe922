"""What scoring a finished quiz costs the event judge: the quiz facts alone (question ids
and mastery rule, kit.packs.lessons.quiz_facts) against rendering the whole lesson to read
them (get_lesson, what kit/event_judge.py did before), per lesson of the sample packs.

Cold: every cache emptied before each lesson (a kit just started, or a pack just
installed, whose learners post quiz results queued offline before anyone opens the
lesson page). Warm: the same lesson asked again. Seconds are medians over --rounds.
Run: .venv/bin/python -m bench.quiz_facts
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from kit.datafolder import open_data
from kit.db import database
from kit.packs import lessons
from kit.packs.archive import build
from kit.packs.install import import_pack

from . import report

ROOT = Path(__file__).resolve().parents[1]
PACKS = ("numeracy", "first-steps")


def _install(work):
    config = open_data(work / "data")
    keys = []
    for name in PACKS:
        out = work / f"{name}.kitpack"
        manifest = build(ROOT / "content_packs" / name, out)
        import_pack(out, config)
        keys += [(manifest["id"], lesson["id"]) for lesson in manifest["lessons"] if lesson.get("quiz")]
    return keys


def _time(keys, ask, cold):
    """Median seconds of one ask per lesson, caches emptied first when `cold`."""
    seconds = []
    for key in keys:
        lessons.forget_cache()
        if not cold:
            ask(*key)
        started = time.perf_counter()
        ask(*key)
        seconds.append(time.perf_counter() - started)
    return seconds


def measure(rounds):
    with tempfile.TemporaryDirectory(prefix="kit-quiz-facts-") as folder:
        keys = _install(Path(folder))
        _time(keys, lessons.get_lesson, cold=True)  # imports markdown-it and YAML once, for both
        result = {"lessons": len(keys), "rounds": rounds, "machine": report.machine()}
        for label, ask in (("render", lessons.get_lesson), ("facts", lessons.quiz_facts)):
            for cold in (True, False):
                runs = [s for _ in range(rounds) for s in _time(keys, ask, cold)]
                result[f"{label}_{'cold' if cold else 'warm'}_s"] = statistics.median(runs)
        database.close()
    result["cold_ratio"] = result["render_cold_s"] / result["facts_cold_s"]
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    result = measure(args.rounds)
    print(
        f"{result['lessons']} lessons with a quiz, {result['rounds']} rounds. "
        + report.machine_line(result["machine"], "python -m bench.quiz_facts")
    )
    print("| per lesson | cold (caches empty) | warm |\n| --- | --- | --- |")
    for label, name in (("render", "render the lesson (before)"), ("facts", "quiz facts (now)")):
        print(
            f"| {name} | {result[label + '_cold_s'] * 1000:.2f} ms | {result[label + '_warm_s'] * 1e6:.1f} µs |"
        )
    print(f"cold: quiz facts take 1/{result['cold_ratio']:.1f} of rendering")


if __name__ == "__main__":
    main()
