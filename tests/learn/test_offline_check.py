"""Offline judging (issue 18): the lesson page carries salted hashes of the accepted
answers, never the answers, so the tablet can say right or wrong while the kit is away."""

import re

import pytest

from kit.packs.offline_check import accepted, answer_hash, canonical_number, offline_check

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
    right = {"q1": ["b"], "q2": ["a,c"], "q3": ["3"], "q4": ["a mango", "mango"]}
    wrong = {"q1": ["a"], "q2": ["a", "a,b,c", "c"], "q3": ["2", "3.5"], "q4": ["papaya", "a  mango"]}
    for qid, (salt, hashes) in page.items():
        assert sorted(hashes) == sorted(answer_hash(salt, a) for a in right[qid])
        assert not {answer_hash(salt, a) for a in wrong[qid]} & set(hashes)
    # Nothing in the page says which choice is right, and the text answers are not in it.
    assert "correct" not in html and "a mango" not in html.lower()
    assert client.get("/lesson/mini/01-count?step=2").get_data(as_text=True).count(salts.pop()) == 1


@pytest.mark.parametrize(
    "value, text",
    [(12, "12"), (12.0, "12"), (2.5, "2.5"), (0.1 + 0.2, "0.3"), (-0.0, "0"), (1 / 3, "0.333333")],
)
def test_numbers_are_written_one_way_on_both_sides(value, text):
    assert canonical_number(value) == text


def test_which_answers_a_tablet_can_judge_alone():
    numeric = {"id": "n", "type": "numeric", "answer": 12}
    assert accepted(numeric) == (["12"], False)
    assert accepted({**numeric, "tolerance": 2}) == (["10", "11", "12", "13", "14"], True)
    assert accepted({**numeric, "tolerance": 0.5}) is None  # 11.7 is right: no list can hold it
    assert accepted({**numeric, "tolerance": 11}) is None  # 23 values: too many to list
    assert offline_check({**numeric, "tolerance": 0.5}, "s") is None
    text = {"id": "t", "type": "text", "answers": ["Le Bâton", "le  baton", 7]}
    assert accepted(text) == (["7", "le baton"], False)
