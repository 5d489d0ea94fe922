"""What a tablet needs to judge an answer while the kit is out of reach, without the answer.

A page carries, per question, a salt and the SHA-256 of each accepted answer in a
canonical form (salt + newline + answer). The tablet hashes what the child chose the
same way and compares: it can say right or wrong at once, but reading the page source
gives hashes, not answers. (A determined reader could hash each choice of a multiple-
choice question, or each grid cell below: the kit still judges and records every answer
itself, so this decides only what the child is told while the kit is away.)

A numeric answer is a range, answer ± tolerance, so its hashes name cells of a decimal
grid instead: cell k holds the numbers from k × 10^-places up to the next cell. The grid
is as fine as the pack's numbers (2.5 ± 0.25: hundredths), so the range's ends fall on
cell edges and every typed number is judged exactly; a range of more than MAX_CELLS cells
takes a coarser grid, whose two end cells are marked "ask the kit" (a number typed there
waits for the kit, as before). The tablet finds the cell from the typed digits, not in
floating point (player.js, numberCell), so both sides agree to the last digit. Tokens:
"k" the whole cell is right, "=k" only its first number (the range's top end), "?k" part
of it is right: the kit decides.
"""

import hashlib

from .numbers import bounds, cell, cell_start, decimal_places, pack_number
from .quiz import normalise_text

MAX_CELLS = 20  # a numeric range covers at most this many cells (so at most 22 hashes)


def answer_hash(salt, canonical):
    return hashlib.sha256(f"{salt}\n{canonical}".encode()).hexdigest()


def grid(answer, tolerance):
    """Return (places, tokens): the grid for answer ± tolerance and the cells it marks."""
    low, high = bounds(answer, tolerance)
    places = max(decimal_places(pack_number(answer)), decimal_places(pack_number(tolerance)))
    while high - low > cell_start(MAX_CELLS, places):  # too many cells: ten times wider
        places -= 1
    tokens = []
    for k in range(cell(low, places), cell(high, places) + 1):
        start, end = cell_start(k, places), cell_start(k + 1, places)
        if start >= low and end <= high:
            tokens.append(str(k))
        elif start == high:
            tokens.append(f"={k}")
        else:
            tokens.append(f"?{k}")
    return places, tokens


def accepted(question):
    """Return (canonical accepted answers or grid tokens, grid places or None)."""
    kind = question["type"]
    if kind == "single":
        return [next(c["id"] for c in question["choices"] if c.get("correct"))], None
    if kind == "multiple":
        return [",".join(sorted(c["id"] for c in question["choices"] if c.get("correct")))], None
    if kind == "text":
        return sorted({normalise_text(a) for a in question["answers"]}), None
    places, tokens = grid(question["answer"], question.get("tolerance", 0))
    return tokens, places


def offline_check(question, salt):
    """Return {"salt", "hashes", "places"} for the page ("places": the numeric grid's, else None)."""
    answers, places = accepted(question)
    return {"salt": salt, "hashes": sorted(answer_hash(salt, a) for a in answers), "places": places}


def question_salt(folder, installed_at, lesson_id, question_id):
    """A salt per installed question: the same on every page render, different per install."""
    seed = f"{folder}\n{installed_at}\n{lesson_id}\n{question_id}"
    return hashlib.sha256(seed.encode()).hexdigest()[:16]
