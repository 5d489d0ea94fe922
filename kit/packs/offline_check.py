"""What a tablet needs to judge an answer while the kit is out of reach, without the answer.

A page carries, per question, a salt and the SHA-256 of each accepted answer in a
canonical form (salt + newline + answer). The tablet hashes what the child chose the
same way and compares: it can say right or wrong at once, but reading the page source
gives hashes, not answers. (A determined reader could hash each choice of a multiple-
choice question: the kit still judges and records every answer itself, so this decides
only what the child is told while the kit is away.) Questions whose accepted answers
cannot be listed (a numeric answer with a fractional tolerance) get no check: the tablet
then waits for the kit, as before.
"""

import hashlib

from .quiz import normalise_text

MAX_WHOLE_VALUES = 21  # a whole-number answer with a tolerance: list at most this many values


def answer_hash(salt, canonical):
    return hashlib.sha256(f"{salt}\n{canonical}".encode()).hexdigest()


def canonical_number(value):
    """A number as the tablet writes it: up to 6 decimals, no trailing zeros ("12", "2.5")."""
    text = f"{round(float(value), 6):.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def accepted(question):
    """Return (canonical accepted answers, whole numbers only) or None when they cannot be listed."""
    kind = question["type"]
    if kind == "single":
        return [next(c["id"] for c in question["choices"] if c.get("correct"))], False
    if kind == "multiple":
        return [",".join(sorted(c["id"] for c in question["choices"] if c.get("correct")))], False
    if kind == "text":
        return sorted({normalise_text(a) for a in question["answers"]}), False
    answer, tolerance = question["answer"], question.get("tolerance", 0)
    if not tolerance:
        return [canonical_number(answer)], False
    whole = float(answer).is_integer() and float(tolerance).is_integer()
    if not whole or 2 * tolerance + 1 > MAX_WHOLE_VALUES:
        return None
    low, high = int(answer - tolerance), int(answer + tolerance)
    return [canonical_number(n) for n in range(low, high + 1)], True


def offline_check(question, salt):
    """Return {"salt", "hashes", "whole"} for the page, or None when it cannot judge alone."""
    found = accepted(question)
    if found is None:
        return None
    answers, whole = found
    return {"salt": salt, "hashes": sorted(answer_hash(salt, a) for a in answers), "whole": whole}


def question_salt(folder, installed_at, lesson_id, question_id):
    """A salt per installed question: the same on every page render, different per install."""
    seed = f"{folder}\n{installed_at}\n{lesson_id}\n{question_id}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]
