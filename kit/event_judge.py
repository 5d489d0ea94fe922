"""The server's judgement on a batch: lessons must exist, answers are marked by the pack.

A tablet's own "correct" is never trusted: kit.packs.quiz marks every answer here,
before the write transaction starts, so the database lock is held only for the append.
"""

from .db import database
from .errors import KitError, NotFound
from .event_schema import BadEvent
from .packs.lessons import load_quiz, quiz_facts
from .packs.quiz import mark_answer


def _installed_lessons(keys):
    """Return the set of (pack_id, lesson_id) among `keys` that are installed."""
    packs = sorted({pack for pack, _lesson in keys})
    lessons = sorted({lesson for _pack, lesson in keys})
    # Only the named lessons come back (usually one row): each row fetched is a release
    # and a retake of the interpreter lock.
    cursor = database.execute_sql(
        "SELECT p.pack_id, l.lesson_id FROM lesson l JOIN pack p ON p.id = l.pack_id"
        f" WHERE p.pack_id IN ({','.join('?' * len(packs))})"
        f" AND l.lesson_id IN ({','.join('?' * len(lessons))})",
        packs + lessons,
    )
    return {row for row in cursor if row in keys}


def lesson_facts(batch):
    """Check every event names an installed lesson; return quiz facts per lesson.

    Returns {(pack_id, lesson_id): (question ids in order, min_score)} for the lessons
    that have a quiz_finished event in the batch.
    """
    keys = {(event["pack_id"], event["lesson_id"]) for event in batch}
    installed = _installed_lessons(keys)
    facts = {}
    for index, event in enumerate(batch):
        key = (event["pack_id"], event["lesson_id"])
        if key not in installed:
            raise BadEvent(
                f"event {index}: no lesson {key[1]!r} in pack {key[0]!r} on this kit",
                index=index,
                field="lesson_id",
            )
        if event["kind"] == "quiz_finished" and key not in facts:
            facts[key] = _quiz_facts(index, *key)
    return facts


def _quiz_facts(index, pack_id, lesson_id):
    facts = quiz_facts(pack_id, lesson_id)  # the quiz alone: rendering the lesson is the player's job
    if facts is None:
        raise BadEvent(f"event {index}: lesson {lesson_id!r} has no quiz", index=index, field="kind")
    return facts


def judge_answers(batch):
    """Set payload.correct on every answer event from the pack's own answer key."""
    quizzes = {}  # each lesson's quiz is looked up once per batch
    for index, event in enumerate(batch):
        if event["kind"] != "answer":
            continue
        payload = event["payload"]
        key = (event["pack_id"], event["lesson_id"])
        try:
            if key not in quizzes:
                quizzes[key] = load_quiz(*key)
            result = mark_answer(quizzes[key], *key, payload["question_id"], payload["response"])
        except NotFound as exc:
            raise BadEvent(
                f"event {index}: {exc.message}", index=index, field="payload.question_id"
            ) from None
        except KitError as exc:
            raise BadEvent(f"event {index}: {exc.message}", index=index, field="payload.response") from None
        payload["correct"] = bool(result["correct"])
