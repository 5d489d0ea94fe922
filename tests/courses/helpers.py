"""A course pack for tests: the mini pack with a course (01-count, then the final 02-shapes)."""

import shutil
from pathlib import Path

import yaml

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "packs" / "mini"
COURSE = {
    "certificate_title": "Certificate in counting and shapes",
    "credit_hours": 1.5,
    "ordered": True,
    "pass": {"lessons": "mastered", "final_min_score": 1, "final_attempts": 2},
}
# Right first-try answers to the mini pack's quizzes.
RIGHT = {
    "01-count": {"q1": "b", "q2": ["a", "c"], "q3": 3, "q4": "mango"},
    "02-shapes": {"q1": "a"},
}
WRONG = {"01-count": {"q1": "a", "q3": 4}, "02-shapes": {"q1": "b"}}


def course_pack(folder, course=COURSE, final="02-shapes", pack_id="mini"):
    """Copy the mini pack to `folder` with `course` in pack.yaml and `final` marked final."""
    shutil.copytree(MINI, folder)
    meta = yaml.safe_load((folder / "pack.yaml").read_text())
    meta["id"] = pack_id
    if course is not None:
        meta["course"] = course
    (folder / "pack.yaml").write_text(yaml.safe_dump(meta, allow_unicode=True))
    if final:
        quiz = folder / "lessons" / final / "quiz.yaml"
        quiz.write_text("final: true\n" + quiz.read_text())
    return folder
