"""A pack's course is checked at build and at import: a course that names missing lessons
or sets a rule no learner could meet is refused with the problem named, and changes nothing."""

import pytest
import yaml

from kit.errors import PackError
from kit.packs.archive import build
from kit.packs.course import passed, path
from kit.packs.source import read_pack
from tests.packs.helpers import manifest_for, write_archive

from .helpers import COURSE, course_pack


def test_a_course_builds_into_the_manifest_normalised(tmp_path):
    manifest = build(course_pack(tmp_path / "src"), tmp_path / "c.kitpack")
    assert manifest["course"] == {
        "certificate_title": "Certificate in counting and shapes",
        "credit_hours": 1.5,
        "ordered": True,
        "lessons": ["01-count", "02-shapes"],
        "final": "02-shapes",
        "pass": {"lessons": "mastered", "final_min_score": 1.0, "final_attempts": 2},
    }


def test_a_pack_without_a_course_has_none_in_its_manifest(tmp_path):
    manifest = build(course_pack(tmp_path / "src", course=None, final=None), tmp_path / "c.kitpack")
    assert "course" not in manifest


BAD = {
    "missing lesson": (
        {**COURSE, "lessons": ["01-count", "09-nowhere", "02-shapes"]},
        "02-shapes",
        "course: lesson '09-nowhere' is not a lesson of this pack",
    ),
    "lesson twice": (
        {**COURSE, "lessons": ["01-count", "01-count", "02-shapes"]},
        "02-shapes",
        "listed twice",
    ),
    "no final": (COURSE, None, "no final assessment; mark one lesson's quiz `final: true`"),
    "two finals": (COURSE, "both", "only one final assessment is allowed"),
    "final outside the course": (
        {**COURSE, "lessons": ["01-count"], "ordered": False},
        "02-shapes",
        "lesson '02-shapes' has a final quiz but is not in the course",
    ),
    "ordered, final not last": (
        {**COURSE, "lessons": ["02-shapes", "01-count"]},
        "02-shapes",
        "an ordered course ends with its final assessment",
    ),
    "score above 100 %": (
        {**COURSE, "pass": {"final_min_score": 1.2}},
        "02-shapes",
        "`final_min_score` must be a number above 0 and at most 1",
    ),
    "score of zero": ({**COURSE, "pass": {"final_min_score": 0}}, "02-shapes", "above 0"),
    "no attempts": (
        {**COURSE, "pass": {"final_attempts": 0}},
        "02-shapes",
        "`final_attempts` must be a whole number of 1 or more",
    ),
    "unknown lesson rule": ({**COURSE, "pass": {"lessons": "opened"}}, "02-shapes", "mastered or completed"),
    "no certificate title": (
        {k: v for k, v in COURSE.items() if k != "certificate_title"},
        "02-shapes",
        "`certificate_title` is required",
    ),
    "negative hours": ({**COURSE, "credit_hours": -2}, "02-shapes", "`credit_hours` is required, a number"),
    "unknown key": ({**COURSE, "diploma": True}, "02-shapes", "unknown key `diploma`"),
    "not a mapping": ("yes", "02-shapes", "`course` must be a mapping"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_build_refuses_an_impossible_or_broken_course(tmp_path, case):
    course, final, message = BAD[case]
    folder = course_pack(tmp_path / "src", course=course, final=None if final == "both" else final)
    if final == "both":
        for lesson in ("01-count", "02-shapes"):
            quiz = folder / "lessons" / lesson / "quiz.yaml"
            quiz.write_text("final: true\n" + quiz.read_text())
    with pytest.raises(PackError, match=message.replace("(", r"\(").replace("`", "`")) as info:
        build(folder, tmp_path / "c.kitpack")
    assert "pack.yaml: course" in str(info.value) or "pack.yaml: `course`" in str(info.value)
    assert not (tmp_path / "c.kitpack").exists()


def test_mastery_of_a_lesson_without_a_quiz_is_refused_as_impossible(tmp_path):
    folder = course_pack(tmp_path / "src")
    (folder / "lessons" / "01-count" / "quiz.yaml").unlink()
    with pytest.raises(PackError, match="lesson '01-count' has no quiz and can never be mastered"):
        read_pack(folder)
    meta = yaml.safe_load((folder / "pack.yaml").read_text())
    meta["course"]["pass"]["lessons"] = "completed"
    (folder / "pack.yaml").write_text(yaml.safe_dump(meta))
    assert read_pack(folder).meta["course"]["pass"]["lessons"] == "completed"


def test_a_final_quiz_without_a_course_is_refused(tmp_path):
    with pytest.raises(PackError, match="quiz.yaml: `final: true` marks a course's final assessment"):
        read_pack(course_pack(tmp_path / "src", course=None))


def test_final_must_be_true_or_false(tmp_path):
    folder = course_pack(tmp_path / "src", final=None)
    quiz = folder / "lessons" / "02-shapes" / "quiz.yaml"
    quiz.write_text("final: maybe\n" + quiz.read_text())
    with pytest.raises(PackError, match="`final` must be true or false"):
        read_pack(folder)


def test_import_refuses_a_hand_made_archive_with_a_broken_course(tmp_path, kit, installed_kit):
    """The archive's pack.yaml is checked again on import, whatever its manifest says."""
    folder = course_pack(tmp_path / "src", pack_id="broken-course")
    meta = yaml.safe_load((folder / "pack.yaml").read_text())
    meta["course"]["lessons"] = ["01-count", "07-gone", "02-shapes"]
    files = {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }
    files["pack.yaml"] = yaml.safe_dump(meta).encode()
    manifest = manifest_for(files, id="broken-course", course=COURSE)  # a manifest that looks fine
    result = kit("pack", "import", write_archive(tmp_path / "bad.kitpack", files, manifest), check=False)
    assert result.returncode != 0
    assert "pack.yaml: course: lesson '07-gone' is not a lesson of this pack" in result.stderr
    assert "broken-course" not in kit("pack", "list").stdout


def _course(**rule):
    return {
        "lessons": ["a", "b", "final"],
        "final": "final",
        "ordered": True,
        "pass": {"lessons": "mastered", "final_min_score": 0.7, "final_attempts": None, **rule},
    }


def test_pass_rule_needs_every_lesson_mastered_and_the_final_at_its_score():
    course = _course()
    assert passed(course, {"a": "mastered", "b": "mastered"}, {1: 0.7}) == 0.7
    assert passed(course, {"a": "mastered", "b": "completed"}, {1: 0.9}) is None
    assert passed(course, {"a": "mastered", "b": "mastered"}, {1: 0.69}) is None
    assert passed(course, {"a": "mastered", "b": "mastered"}, {}) is None
    assert passed(course, {"a": "mastered", "b": "mastered"}, {1: 0.5, 2: 0.8, 3: 0.75}) == 0.8


def test_pass_rule_counts_only_the_allowed_attempts():
    course = _course(final_attempts=2)
    done = {"a": "mastered", "b": "mastered"}
    assert passed(course, done, {1: 0.2, 2: 0.4, 3: 1.0}) is None
    assert passed(course, done, {1: 0.2, 2: 0.7}) == 0.7


def test_completed_lessons_count_when_the_rule_says_so():
    course = _course(lessons="completed")
    assert passed(course, {"a": "completed", "b": "mastered"}, {1: 1.0}) == 1.0
    assert passed(course, {"a": "in_progress", "b": "mastered"}, {1: 1.0}) is None


def test_path_is_done_next_then_locked_when_ordered_and_open_when_not():
    course = _course()
    assert path(course, {"a": "mastered"}, {}) == [("a", "done"), ("b", "next"), ("final", "locked")]
    assert path(course, {"a": "mastered", "b": "mastered"}, {1: 0.5}) == [
        ("a", "done"),
        ("b", "done"),
        ("final", "next"),
    ]
    assert path(course, {"a": "mastered", "b": "mastered"}, {1: 0.9}) == [
        ("a", "done"),
        ("b", "done"),
        ("final", "done"),
    ]
    free = {**course, "ordered": False}
    assert path(free, {"b": "mastered"}, {}) == [("a", "next"), ("b", "done"), ("final", "open")]
