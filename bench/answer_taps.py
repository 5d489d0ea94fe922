"""What a tap on a quiz answer costs the event writer as taps pile up in one attempt.

A child may tap the same question again and again. Each tap is stored as an answer event,
judged first try or not against the answers already stored in that lesson attempt. This
times `record()` of one tap (thread CPU, median over --taps taps) for learners who have
tapped 0 and --before times already, in one process: the ratio says whether a tap's cost
grows with the taps before it (it should not).

Run: .venv/bin/python -m bench.answer_taps
"""

import argparse
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from kit.datafolder import open_data
from kit.db import database
from kit.demo import SAMPLE_PACKS
from kit.events import record
from kit.identity import create_identity
from kit.packs.archive import build
from kit.packs.install import import_pack
from kit.roster import add_learner, create_class

from . import report

PACK, LESSON, QUESTION = "first-steps", "01-touch", "how-to-tap"


def _tap(response):
    return {
        "uuid": str(uuid.uuid4()),
        "kind": "answer",
        "pack_id": PACK,
        "lesson_id": LESSON,
        "device_time": "2026-12-07T05:00:00Z",
        "boot_id": "bench",
        "mono_ms": 1,
        "payload": {"question_id": QUESTION, "response": response, "attempt": 1},
    }


def _cost(learner, taps):
    """Median CPU (ms) of recording one tap, over `taps` taps: the process's CPU, which
    counts the writer thread's storing too (taps are recorded one after the other)."""
    spent = []
    for index in range(taps):
        started = time.process_time()
        record([_tap("ab"[index % 2])], learner)
        spent.append(time.process_time() - started)
    return statistics.median(spent) * 1000


def measure(before, taps):
    with tempfile.TemporaryDirectory(prefix="kit-taps-bench-") as folder:
        work = Path(folder)
        config = open_data(work / "data")
        create_identity("Bench", "Here")
        source = SAMPLE_PACKS / PACK
        archive = work / f"{PACK}.kitpack"
        build(source, archive)
        import_pack(archive, config)
        room = create_class("Bench class")
        fresh, busy = (add_learner(room.id, name=name).id for name in ("Fresh", "Busy"))
        for index in range(before):
            record([_tap("ab"[index % 2])], busy)
        result = {"before": before, "taps": taps, "machine": report.machine()}
        for name, learner in (("fresh", fresh), ("busy", busy)):
            result[f"{name}_cpu_ms"] = round(_cost(learner, taps), 3)
        database.close()
    result["busy_vs_fresh"] = round(result["busy_cpu_ms"] / result["fresh_cpu_ms"], 2)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=int, default=2000)
    parser.add_argument("--taps", type=int, default=300)
    args = parser.parse_args()
    print(measure(args.before, args.taps))


if __name__ == "__main__":
    main()
