"""Scoring a finished quiz needs the quiz's question ids and mastery rule, nothing more:
the event judge reads them from the quiz and never renders the lesson's pages."""

from kit.event_judge import lesson_facts
from kit.event_schema import validate_batch
from kit.packs import lessons

from .conftest import make_event


def test_quiz_facts_are_the_question_ids_and_the_nearest_mastery_rule(ids):
    assert lessons.quiz_facts("mini", "01-count") == (("q1", "q2", "q3", "q4"), 0.75)  # the pack's rule
    assert lessons.quiz_facts("mini", "02-shapes")[1] == 1.0  # the quiz's own rule beats the pack's
    assert lessons.quiz_facts("mini", "02-shapes")[1] == lessons.get_lesson("mini", "02-shapes").min_score


def test_the_event_judge_scores_a_finished_quiz_without_rendering_the_lesson(ids):
    lessons.forget_cache()
    batch = validate_batch(
        [
            make_event("quiz_finished", {"attempt": 1}),
            make_event("quiz_finished", {"attempt": 1}, lesson="02-shapes"),
        ],
        500,
    )
    facts = lesson_facts(batch)
    assert lessons._render.cache_info().currsize == 0 and lessons._lesson_view.cache_info().currsize == 0
    question_ids, min_score = facts[("mini", "01-count")]
    assert (list(question_ids), min_score) == (["q1", "q2", "q3", "q4"], 0.75)
    assert facts[("mini", "02-shapes")][1] == 1.0
