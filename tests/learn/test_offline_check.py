"""Offline judging (issue 18): the lesson page carries salted hashes of the accepted
answers, never the answers, so the tablet can say right or wrong while the kit is away."""

import re
from decimal import Decimal

import pytest

from kit.errors import PackError
from kit.packs.numbers import bounds, cell, cell_start, typed_number
from kit.packs.offline_check import accepted, answer_hash, grid, offline_check
from kit.packs.quiz import BadAnswer, judge, validate_quiz

from .test_pages import sign_in


def forms(html):
    """{question id: (type, salt, hashes)} of the quiz forms in a lesson page."""
    found = {}
    for tag in re.findall(r'<form class="question"[^>]*>', html):
        qid = re.search(r'data-qid="([^"]+)"', tag)[1]
        salt = re.search(r'data-salt="([^"]+)"', tag)
        hashes = re.search(r'data-hashes="([^"]+)"', tag)
        found[qid] = (salt and salt[1], hashes[1].split() if hashes else [])
    return found


def test_the_page_holds_hashes_that_match_only_the_right_answers(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    html = client.get("/lesson/mini/01-count?step=2").get_data(as_text=True)
    page = forms(html)
    assert set(page) == {"q1", "q2", "q3", "q4"}
    salts = {salt for salt, _ in page.values()}
    assert len(salts) == 4 and all(re.fullmatch(r"[0-9a-f]{16}", s) for s in salts)
    right = {"q1": ["b"], "q2": ["a,c"], "q3": ["=3"], "q4": ["a mango", "mango"]}
    wrong = {
        "q1": ["a"],
        "q2": ["a", "a,b,c", "c"],
        "q3": ["2", "3", "=2", "?3"],
        "q4": ["papaya", "a  mango"],
    }
    for qid, (salt, hashes) in page.items():
        assert sorted(hashes) == sorted(answer_hash(salt, a) for a in right[qid])
        assert not {answer_hash(salt, a) for a in wrong[qid]} & set(hashes)
    # Nothing in the page says which choice is right, and the text answers are not in it.
    assert "correct" not in html and "a mango" not in html.lower()
    assert client.get("/lesson/mini/01-count?step=2").get_data(as_text=True).count(salts.pop()) == 1


def tablet_verdict(places, tokens, typed):
    """What player.js's judgeHere says for a typed number, given the page's grid (None: wait)."""
    value = typed_number(typed)
    k = cell(value, places)
    exact = cell_start(k, places) == value
    if f"?{k}" in tokens:
        return None
    return str(k) in tokens or (exact and f"={k}" in tokens)


def test_which_answers_a_tablet_can_judge_alone():
    numeric = {"id": "n", "type": "numeric", "answer": 12}
    assert accepted(numeric) == (["=12"], 0)
    assert accepted({**numeric, "tolerance": 2}) == (["10", "11", "12", "13", "=14"], 0)
    # A fractional tolerance is a grid as fine as the pack's numbers, its ends on cell edges.
    assert accepted({**numeric, "answer": 2.5, "tolerance": 0.5}) == (
        [str(k) for k in range(20, 30)] + ["=30"],
        1,
    )
    assert accepted({**numeric, "answer": 0.3, "tolerance": 0.1}) == (["2", "3", "=4"], 1)
    assert accepted({**numeric, "answer": -1.5, "tolerance": 0.5}) == (
        [str(k) for k in range(-20, -10)] + ["=-10"],
        1,
    )
    assert accepted({**numeric, "answer": 1e-7}) == (["=1"], 7)
    # Too many cells: a coarser grid, whose end cells say "ask the kit".
    assert accepted({**numeric, "answer": 9.81, "tolerance": 0.5}) == (
        ["?93"] + [str(k) for k in range(94, 103)] + ["?103"],
        1,
    )
    assert accepted({**numeric, "answer": 1000, "tolerance": 500}) == (
        [str(k) for k in range(5, 15)] + ["=15"],
        -2,
    )
    assert accepted({**numeric, "tolerance": 11}) == (["?0", "1", "?2"], -1)  # 1 to 23: tens
    check = offline_check({**numeric, "tolerance": 0.5}, "s")
    tokens = [str(k) for k in range(115, 125)] + ["=125"]  # 11.5 to 12.5 in tenths
    assert check == {"salt": "s", "hashes": sorted(answer_hash("s", t) for t in tokens), "places": 1}
    text = {"id": "t", "type": "text", "answers": ["Le Bâton", "le  baton", 7]}
    assert accepted(text) == (["7", "le baton"], None)


RANGES = [(3, 0), (12, 2), (12, 11), (2.5, 0.5), (2.5, 0.25), (0.3, 0.1), (-1.5, 0.5), (9.81, 0.5), (1000, 500),
          (0.1 + 0.2, 0), (0.05, 0.05), (7, 0.001), (1e-7, 2e-8)]  # fmt: skip
TYPED = ["0", "-0", "3", "3.0", "2.9999999", "3.0000001", "10", "9.999", "14", "14.0001", "1", "23", "24",
         "2", "2,0", "2.25", "2.75", "2.7500001", "2.2499999", "3", "3.01", "0.2", "0.4", "0.40000000000000001",
         "0.1", "0.41", "-1", "-2", "-2.0001", "-0.9999", "9.31", "9.35", "9.3", "9.4", "10.31", "10.35", "10.4",
         "499", "500", "1500", "1500.5", "0.30000000000000004", "0.3", "0", "0.1", "0.10001", "6.999", "7.001",
         "7.0011", "0.00000008", "0.00000012", "0.000000121", ".5", "5.", "+3", " 12 "]  # fmt: skip


@pytest.mark.parametrize("answer, tolerance", RANGES)
def test_the_tablet_never_disagrees_with_the_kit(answer, tolerance):
    """Every typed number the grid judges gets the kit's own verdict; the rest wait."""
    question = {"id": "n", "type": "numeric", "answer": answer, "tolerance": tolerance}
    places, tokens = grid(answer, tolerance)
    low, high = bounds(answer, tolerance)
    for typed in TYPED + [str(low), str(high), str(low - Decimal("1e-9")), str(high + Decimal("1e-9"))]:
        said, (kit, _) = tablet_verdict(places, tokens, typed), judge(question, typed)
        assert said is None or said == kit, (typed, said, kit)
        if not any(t.startswith("?") for t in tokens):
            assert said == kit, (typed, said, kit)  # a grid as fine as the pack's numbers: all judged


@pytest.mark.parametrize(
    "answer, tolerance, typed, right",
    [
        (0.3, 0.1, "0.4", True),  # 0.4 - 0.3 is 0.10000000000000003 in floating point
        (0.3, 0.1, "0,2", True),
        (0.3, 0.1, "0.40000000000000001", False),
        (2.5, 0.25, "2.75", True),
        (
            2.5,
            0.25,
            "2.7500000000000000000000000000001",
            False,
        ),  # beyond a float's and a 28-digit context's digits
        (3, 0, "3.0000001", False),
        (3, 0, "3.000", True),
        (3, 0, "nan", False),
        (3, 0, "-inf", False),
        (3, 0, "1e999999999", False),
        (1000, 500, "1_500", True),  # as float() read it before
    ],
)
def test_numeric_answers_are_judged_in_exact_decimals(answer, tolerance, typed, right):
    question = {"id": "n", "type": "numeric", "answer": answer, "tolerance": tolerance}
    assert judge(question, typed) == (right, "")


@pytest.mark.parametrize("typed", ["", "three", "1.5.5", "1,5,5", "0x10", None, [1]])
def test_a_numeric_answer_that_is_not_a_number_is_refused(typed):
    with pytest.raises(BadAnswer, match="answer to n must be a number"):
        judge({"id": "n", "type": "numeric", "answer": 3}, typed)


@pytest.mark.parametrize(
    "field, value", [("answer", float("inf")), ("answer", float("nan")), ("tolerance", float("inf"))]
)
def test_a_pack_with_an_endless_numeric_answer_is_refused(field, value):
    question = {"id": "n", "type": "numeric", "prompt": "?", "answer": 3, field: value}
    with pytest.raises(PackError, match="number"):
        validate_quiz({"questions": [question]}, "quiz.yaml")
