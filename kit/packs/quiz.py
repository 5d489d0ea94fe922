"""Quizzes: check a quiz.yaml, judge an answer, score an attempt, apply the mastery rule.

Answers are judged here, on the kit, never trusted from the tablet. This module works on
quiz data alone; finding an installed lesson's quiz is kit.packs.lessons' job.
"""

import math
import unicodedata

from ..errors import KitError, NotFound, PackError
from .numbers import typed_number, within


class BadAnswer(KitError):
    status = 422
    code = "bad_answer"


def validate_quiz(data, where):
    """Raise PackError naming the question and the problem unless `data` is a valid quiz."""
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list) or not data["questions"]:
        raise PackError(f"{where}: needs `questions:`, a list of at least one question")
    if "mastery" in data:
        validate_mastery(data["mastery"], where)
    seen = set()
    for number, question in enumerate(data["questions"], 1):
        label = f"{where}: question {number}"
        if not isinstance(question, dict):
            raise PackError(f"{label}: must be a mapping")
        qid = question.get("id")
        if not isinstance(qid, str) or not qid.strip() or qid in seen:
            raise PackError(f"{label}: needs a unique text `id`")
        seen.add(qid)
        if not isinstance(question.get("prompt"), str) or not question["prompt"].strip():
            raise PackError(f"{label} ({qid}): needs a `prompt`")
        kind = question.get("type")
        checks = {
            "single": _check_choices,
            "multiple": _check_choices,
            "numeric": _check_numeric,
            "text": _check_text,
        }
        if kind not in checks:
            raise PackError(f"{label} ({qid}): `type` must be single, multiple, numeric or text")
        checks[kind](question, f"{label} ({qid})")
        for key in ("hint",):
            if key in question and not isinstance(question[key], str):
                raise PackError(f"{label} ({qid}): `{key}` must be text")
        feedback = question.get("feedback", {})
        if (
            not isinstance(feedback, dict)
            or set(feedback) - {"correct", "incorrect"}
            or not all(isinstance(v, str) for v in feedback.values())
        ):
            raise PackError(f"{label} ({qid}): `feedback` may only hold `correct` and `incorrect` texts")


DEFAULT_MIN_SCORE = 0.8


def validate_mastery(value, where):
    """Return a pack's or quiz's `mastery:` as {"min_score": float}; PackError if it is not one."""
    if not isinstance(value, dict) or set(value) - {"min_score"}:
        raise PackError(f"{where}: `mastery` must be {{min_score: {DEFAULT_MIN_SCORE}}}")
    score = value.get("min_score", DEFAULT_MIN_SCORE)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 1:
        raise PackError(f"{where}: mastery `min_score` must be a number from 0 to 1")
    return {"min_score": float(score)}


def min_score(quiz, pack_mastery):
    """The score a quiz needs for mastery: its own rule, else its pack's, else the default."""
    rule = (quiz or {}).get("mastery", pack_mastery or {})
    return float(rule.get("min_score", DEFAULT_MIN_SCORE))


def _check_choices(question, label):
    choices = question.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        raise PackError(f"{label}: needs at least two `choices`")
    ids = [c.get("id") if isinstance(c, dict) else None for c in choices]
    if any(not isinstance(i, str) for i in ids) or len(set(ids)) != len(ids):
        raise PackError(f"{label}: every choice needs a unique text `id`")
    if any(not isinstance(c.get("text"), str) for c in choices):
        raise PackError(f"{label}: every choice needs a `text`")
    for choice in choices:
        if set(choice) - {"id", "text", "correct", "feedback"}:
            extra = ", ".join(sorted(set(choice) - {"id", "text", "correct", "feedback"}))
            raise PackError(
                f"{label}: choice {choice['id']} has unknown keys ({extra}); "
                "quote text holding a comma or a colon"
            )
        if not isinstance(choice.get("feedback", ""), str) or not isinstance(
            choice.get("correct", False), bool
        ):
            raise PackError(
                f"{label}: choice {choice['id']}: `feedback` must be text and `correct` true or false "
                '(quote text such as "Yes, three!")'
            )
    right = sum(1 for c in choices if c.get("correct") is True)
    if question["type"] == "single" and right != 1:
        raise PackError(f"{label}: a single-choice question needs exactly one correct choice")
    if question["type"] == "multiple" and right < 1:
        raise PackError(f"{label}: a multiple-choice question needs at least one correct choice")


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_numeric(question, label):
    answer = question.get("answer")
    if not _is_number(answer) or not math.isfinite(answer):
        raise PackError(f"{label}: a numeric question needs a number `answer`")
    tolerance = question.get("tolerance", 0)
    if not _is_number(tolerance) or not math.isfinite(tolerance) or tolerance < 0:
        raise PackError(f"{label}: `tolerance` must be a number of zero or more")


def _check_text(question, label):
    answers = question.get("answers")
    if not isinstance(answers, list) or not answers or not all(isinstance(a, (str, int)) for a in answers):
        raise PackError(f"{label}: a text question needs `answers`, a list of accepted answers")


def normalise_text(value):
    """Fold case, accents and spaces: "  Le  Bâton " matches "le baton".

    Tablets' keyboards make accents slow to type, and a quiz asks whether the learner
    knows the word, not whether they found the accent key.
    """
    decomposed = unicodedata.normalize("NFKD", str(value).casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(bare.split())


def public_question(question):
    """Return what a tablet may see of a question: never which answer is right."""
    public = {
        "id": question["id"],
        "type": question["type"],
        "prompt": question["prompt"],
        "hint": question.get("hint", ""),
    }
    if question["type"] in ("single", "multiple"):
        public["choices"] = [{"id": c["id"], "text": c["text"]} for c in question["choices"]]
    return public


def judge(question, response):
    """Return (correct, feedback) for a response; raise BadAnswer if it has the wrong shape."""
    kind = question["type"]
    if kind == "single":
        ids = {c["id"] for c in question["choices"]}
        if not isinstance(response, str) or response not in ids:
            raise BadAnswer(f"answer to {question['id']} must be one of the choice ids")
        choice = next(c for c in question["choices"] if c["id"] == response)
        return bool(choice.get("correct")), choice.get("feedback", "")
    if kind == "multiple":
        ids = {c["id"] for c in question["choices"]}
        if (
            not isinstance(response, list)
            or not response
            or not all(isinstance(item, str) for item in response)
            or not set(response) <= ids
        ):
            raise BadAnswer(f"answer to {question['id']} must be a list of choice ids")
        right = {c["id"] for c in question["choices"] if c.get("correct")}
        return set(response) == right, ""
    if kind == "numeric":
        value = typed_number(response)
        if value is None:
            raise BadAnswer(f"answer to {question['id']} must be a number")
        # In exact decimals (kit.packs.numbers): 0.4 is within 0.3 ± 0.1, as its author meant.
        return within(value, question["answer"], question.get("tolerance", 0)), ""
    if not isinstance(response, (str, int)) or len(str(response)) > 200:
        raise BadAnswer(f"answer to {question['id']} must be a short text")
    accepted = {normalise_text(a) for a in question["answers"]}
    return normalise_text(response) in accepted, ""


def mark_answer(quiz, pack_id, lesson_id, question_id, response):
    """Judge one answer against an already loaded quiz (a batch loads each quiz once)."""
    question = next((q for q in quiz["questions"] if q["id"] == question_id), None)
    if question is None:
        raise NotFound(f"lesson {pack_id}/{lesson_id} has no question {question_id!r}")
    correct, feedback = judge(question, response)
    general = question.get("feedback", {}).get("correct" if correct else "incorrect", "")
    return {
        "correct": correct,
        "feedback": feedback or general,
        "hint": "" if correct else question.get("hint", ""),
    }


def attempt_score(first_try_results):
    """Score an attempt: the fraction of its questions answered right at the first try."""
    results = list(first_try_results)
    return sum(1 for r in results if r) / len(results) if results else 0.0


def is_mastered(score, min_score):
    """The mastery rule: an attempt's score reaches the pack's (or quiz's) minimum."""
    return score is not None and score + 1e-9 >= min_score
