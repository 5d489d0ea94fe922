"""The teacher-training course shipped in content_packs/, in English and French: it builds,
has at least five lessons and a final quiz, and the two languages ask the same things."""

import pytest

from kit.packs.source import read_pack
from tests.content.samples import PACKS_DIR

PACKS = ["teaching-with-tablets", "teaching-with-tablets-fr"]


@pytest.mark.parametrize("pack", PACKS)
def test_training_course_is_a_valid_course_with_five_lessons_and_a_final(pack):
    source = read_pack(PACKS_DIR / pack)
    course = source.meta["course"]
    assert len(course["lessons"]) >= 6 and course["ordered"] and course["final"] == "06-final"
    assert course["lessons"][:5] == [
        "01-prepare-kit",
        "02-sign-in",
        "03-run-session",
        "04-stuck-learner",
        "05-live-class",
    ]
    assert course["pass"] == {"lessons": "mastered", "final_min_score": 0.7, "final_attempts": 3}
    assert all(lesson.quiz for lesson in source.lessons)


def test_french_course_has_the_same_lessons_questions_and_answers():
    import yaml

    en, fr = (read_pack(PACKS_DIR / p) for p in PACKS)
    assert [l.id for l in en.lessons] == [l.id for l in fr.lessons]
    assert en.meta["language"] == "en" and fr.meta["language"] == "fr"
    for lesson_en, lesson_fr in zip(en.lessons, fr.lessons):
        quiz_en = yaml.safe_load((PACKS_DIR / PACKS[0] / lesson_en.quiz).read_text())
        quiz_fr = yaml.safe_load((PACKS_DIR / PACKS[1] / lesson_fr.quiz).read_text())
        keys = [
            (q["id"], q["type"], q.get("answer"), [c.get("correct", False) for c in q.get("choices", [])])
            for q in quiz_en["questions"]
        ]
        assert keys == [
            (q["id"], q["type"], q.get("answer"), [c.get("correct", False) for c in q.get("choices", [])])
            for q in quiz_fr["questions"]
        ]
        assert len(lesson_en.pages) == len(lesson_fr.pages)
