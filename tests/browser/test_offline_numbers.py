"""Numeric answers with a fractional tolerance are judged on the tablet while the kit is
down (issue 18): the page's grid of salted cell hashes (kit/packs/offline_check.py), read
from the typed digits by player.js, gives the kit's own verdict, and the answers arrive once."""

import json
import re
import shutil
import sqlite3

import pytest
from playwright.sync_api import expect

from kit.packs.numbers import cell, cell_start, typed_number
from tests.conftest import FIXTURE_PACKS, ROOT, KitServer, run_kit

from .conftest import wait_true
from .learn_setup import seed_class
from .test_learner_offline import answer, queued_uuids, stored

pytestmark = pytest.mark.browser

QUIZ = """questions:
  - {id: side, type: numeric, prompt: "How long is the side in cm?", answer: 2.5, tolerance: 0.5}
  - {id: share, type: numeric, prompt: "What part is shaded?", answer: 0.3, tolerance: 0.1}
  - {id: fall, type: numeric, prompt: "About how fast?", answer: 9.81, tolerance: 0.5}
"""


@pytest.fixture
def served_numbers(initialised, tmp_path):
    """A real `kit serve` over the mini pack whose lesson 02-shapes asks three numeric
    questions with fractional tolerances: 2.5 ± 0.5, 0.3 ± 0.1 and 9.81 ± 0.5."""
    from kit.packs.archive import build

    folder = tmp_path / "mini"
    shutil.copytree(FIXTURE_PACKS / "mini", folder)
    (folder / "lessons/02-shapes/quiz.yaml").write_text(QUIZ, encoding="utf-8")
    build(folder, tmp_path / "mini.kitpack")
    run_kit(initialised, "pack", "import", tmp_path / "mini.kitpack")
    ids = seed_class(initialised)
    server = KitServer(initialised).start()
    yield server, ids
    server.stop()


def test_fractional_tolerances_are_judged_on_the_tablet_while_the_kit_is_down(served_numbers, context_360):
    server, ids = served_numbers
    page = context_360.new_page()
    page.goto(f"{server.url}/class/{ids['class']}")
    page.get_by_role("button", name="Ada").click()
    page.goto(f"{server.url}/lesson/mini/02-shapes?step=1")
    expect(page.locator("#save-status")).to_have_text("Saved")
    html = page.content()
    assert 'data-places="1"' in html and "2.5" not in html and "9.81" not in html  # hashes, not answers

    server.stop()
    side, share, fall = page.locator("#step-1"), page.locator("#step-2"), page.locator("#step-3")
    for typed, said in (("3.01", "Not yet. Try again."), ("2,0", "Right!"), ("3", "Right!")):  # ends included
        answer(side, fill=typed)
        expect(side.locator(".feedback")).to_have_text(said)
    side.get_by_role("link", name="Next").click()
    answer(share, fill="0.4")  # 0.4 - 0.3 > 0.1 in floating point; the kit now agrees it is right
    expect(share.locator(".feedback")).to_have_text("Right!")
    share.get_by_role("link", name="Next").click()
    answer(fall, fill="10")  # a coarse grid (9.31 to 10.31 in tenths): its middle is judged here
    expect(fall.locator(".feedback")).to_have_text("Right!")
    answer(fall, fill="10.35")  # ... its end cells wait for the kit
    expect(fall.locator(".feedback")).to_have_text("Waiting for the kit to check…")
    expect(page.locator("#save-status")).to_have_text("Waiting for the kit…")
    first = queued_uuids(page)
    kinds = page.evaluate("JSON.parse(localStorage.getItem('kit.queue') || '[]').map(i => i.e.kind)")
    assert kinds.count("answer") == 6, kinds

    server.start()  # same port: the waiting answer gets the kit's verdict, the queue drains
    expect(fall.locator(".feedback")).to_have_text(re.compile("^Not yet"), timeout=20000)
    wait_true(page, "window.kitLearn && window.kitLearn.queued() === 0", timeout=40)
    assert stored(server.data_dir, first) == {uuid: 1 for uuid in first}
    with sqlite3.connect(server.data_dir / "kit.db") as conn:
        judged = conn.execute(
            "SELECT json_extract(payload, '$.question_id'), json_extract(payload, '$.response'),"
            " json_extract(payload, '$.correct') FROM event WHERE kind = 'answer' AND learner_id = ?",
            (ids["ada"],),
        ).fetchall()
    assert sorted(judged) == [
        ("fall", "10", 1),
        ("fall", "10.35", 0),
        ("share", "0.4", 1),
        ("side", "2,0", 1),
        ("side", "3", 1),
        ("side", "3.01", 0),
    ]


TYPED = ["0", "-0", "-0.05", "2.5", "2.50", "+2.5", ".5", "5.", "007.25", "-1234.5678", "1234567.891",
         "0.0000001", "-0.0000001", "99999999999999", "123456789012345678", "1e3", "১২", "1.2.3", "", "-", "."]  # fmt: skip


def test_the_tablet_finds_the_same_grid_cell_as_the_kit(context_360):
    """player.js's numberCell, run in Chromium, against kit.packs.numbers for many typed numbers."""
    source = (ROOT / "kit/static/learn/player.js").read_text(encoding="utf-8")
    start = source.index("  function numberCell(")
    body = source[start : source.index("\n  }\n", start) + 4]
    page = context_360.new_page()
    cases = [(typed, places) for typed in TYPED for places in (-2, 0, 1, 3, 7)]
    got = page.evaluate(f"cases => {{ {body}; return cases.map(c => numberCell(c[0], c[1])); }}", cases)
    for (typed, places), tablet in zip(cases, got, strict=True):
        value = typed_number(typed)
        if tablet is None:  # the tablet leaves it to the kit: only what it cannot read exactly
            assert (
                value is None
                or not re.fullmatch(r"[+-]?[0-9]*\.?[0-9]*", typed)
                or abs(cell(value, places)) >= 10**15
            )
            continue
        k = cell(value, places)
        assert tablet == {"k": str(k), "exact": cell_start(k, places) == value}, (
            typed,
            places,
            json.dumps(tablet),
        )
