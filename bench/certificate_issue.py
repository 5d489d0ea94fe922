"""What certificates add to the event writer: a finished final quiz in a course (the pass
rule is checked in the write transaction) and the batch that issues the certificate (the
rule met: Ed25519 signature, event and row), against the same batch in the same pack
without a course (the baseline, nothing checked). Each learner posts one batch: its
answers and quiz_finished. Seconds are medians of `record()` over --learners learners,
in one process, after one warm-up batch each way.

Run: .venv/bin/python -m bench.certificate_issue
"""

import argparse
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import yaml

from kit.datafolder import open_data
from kit.db import database
from kit.events import record
from kit.identity import create_identity
from kit.packs.archive import build
from kit.packs.install import import_pack
from kit.roster import add_learner, create_class

from . import report

ROOT = Path(__file__).resolve().parents[1]
COURSE = ROOT / "content_packs" / "teaching-with-tablets"
FINAL = "06-final"


def _plain_copy(work):
    """The course pack without its course: same lessons and quizzes, another id."""
    folder = work / "plain"
    shutil.copytree(COURSE, folder)
    meta = yaml.safe_load((folder / "pack.yaml").read_text())
    meta["id"] = "plain-tablets"
    del meta["course"]
    (folder / "pack.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True))
    quiz = folder / "lessons" / FINAL / "quiz.yaml"
    data = yaml.safe_load(quiz.read_text())
    del data["final"]
    quiz.write_text(yaml.safe_dump(data, allow_unicode=True))
    return folder


def _event(kind, pack, payload):
    return {
        "uuid": str(uuid.uuid4()),
        "kind": kind,
        "pack_id": pack,
        "lesson_id": FINAL,
        "device_time": "2026-12-07T05:00:00Z",
        "boot_id": "bench",
        "mono_ms": 1,
        "payload": payload,
    }


def _batch(pack, questions):
    answers = [
        _event("answer", pack, {"question_id": qid, "response": response, "attempt": 1})
        for qid, response in questions
    ]
    return answers + [_event("quiz_finished", pack, {"attempt": 1})]


def _right_answers():
    quiz = yaml.safe_load((COURSE / "lessons" / FINAL / "quiz.yaml").read_text())
    out = []
    for q in quiz["questions"]:
        if q["type"] == "numeric":
            out.append((q["id"], q["answer"]))
        else:
            out.append((q["id"], next(c["id"] for c in q["choices"] if c.get("correct"))))
    return out


def _master_earlier_lessons(learner, pack):
    """Mark the course's other lessons mastered, so the final's batch meets the rule."""
    database.execute_sql(
        "INSERT INTO lesson_progress (learner_id, pack_id, lesson_id, status, page, attempts, seconds,"
        " needs_help, last_seq) SELECT ?, ?, l.lesson_id, 'mastered', 0, 1, 0, 0, 0 FROM lesson l"
        " JOIN pack p ON p.id = l.pack_id WHERE p.pack_id = ? AND l.lesson_id != ?",
        (learner, pack, pack, FINAL),
    )


def _time(pack, learners, questions):
    seconds = []
    for learner in learners:
        started = time.perf_counter()
        record(_batch(pack, questions), learner)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def measure(count):
    with tempfile.TemporaryDirectory(prefix="kit-cert-bench-") as folder:
        work = Path(folder)
        config = open_data(work / "data")
        create_identity("Bench", "Here")
        for source in (COURSE, _plain_copy(work)):
            import_pack(
                build(source, work / f"{source.name}.kitpack") and work / f"{source.name}.kitpack", config
            )
        room = create_class("Bench class")
        groups = {
            name: [add_learner(room.id, name=f"{name} {i}").id for i in range(count + 1)]
            for name in ("plain", "checked", "issued")
        }
        for learner in groups["issued"]:
            _master_earlier_lessons(learner, COURSE.name)
        questions = _right_answers()
        result = {"learners": count, "machine": report.machine()}
        for name, pack in (("plain", "plain-tablets"), ("checked", COURSE.name), ("issued", COURSE.name)):
            first, rest = groups[name][0], groups[name][1:]
            record(_batch(pack, questions), first)  # warm-up: caches, prepared statements
            result[f"{name}_ms"] = round(_time(pack, rest, questions) * 1000, 3)
        issued = database.execute_sql("SELECT COUNT(*) FROM certificate").fetchone()[0]
        assert issued == count + 1, f"expected {count + 1} certificates, found {issued}"
        database.close()
    result["checked_ratio"] = round(result["checked_ms"] / result["plain_ms"], 2)
    result["issued_ratio"] = round(result["issued_ms"] / result["plain_ms"], 2)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=200)
    args = parser.parse_args()
    print(measure(args.learners))


if __name__ == "__main__":
    main()
