"""The class progress grid at full size, 30 learners by 10 lessons: a symbol and a colour per
status (it reads in black and white and for colour-blind eyes), the words in the legend,
on hover, on tap and with "Show words", and still accessible."""

import datetime as dt
import json
import re
import shutil
import uuid

import pytest
from playwright.sync_api import expect

from tests.conftest import FIXTURE_PACKS, KitServer, run_kit

from .conftest import axe_check, block_outside, describe, new_context
from .teach_setup import add_accounts, shot, sign_in

pytestmark = pytest.mark.browser
STATUSES = ("not_started", "in_progress", "completed", "mastered", "needs_help")
WORDS = {
    "not_started": "Not started",
    "in_progress": "In progress",
    "completed": "Finished, not mastered",
    "mastered": "Mastered",
    "needs_help": "Needs help",
}
RIGHT_FIRST_TIME = {"q1": "b", "q2": ["a", "c"], "q3": "3", "q4": "mango"}


def ten_lesson_pack(tmp_path):
    """The mini pack with eight more short lessons: ten in all."""
    source = tmp_path / "ten"
    shutil.copytree(FIXTURE_PACKS / "mini", source)
    ids = ["01-count", "02-shapes"]
    for n in range(3, 11):
        lesson = f"{n:02d}-more"
        shutil.copytree(source / "lessons" / "02-shapes", source / "lessons" / lesson)
        md = source / "lessons" / lesson / "lesson.md"
        md.write_text(md.read_text().replace("title: Shapes", f"title: Shapes {n}"))
        ids.append(lesson)
    yaml = (source / "pack.yaml").read_text()
    (source / "pack.yaml").write_text(
        yaml.replace("id: mini", "id: ten").replace(
            "lessons: [01-count, 02-shapes]", f"lessons: [{', '.join(ids)}]"
        )
    )
    out = tmp_path / "ten.kitpack"
    return source, out, ids


def _event(kind, lesson, payload=None):
    return {
        "uuid": str(uuid.uuid4()),
        "kind": kind,
        "pack_id": "ten",
        "lesson_id": lesson,
        "device_time": dt.datetime.now(dt.UTC).isoformat(),
        "boot_id": "grid",
        "mono_ms": 1,
        "payload": payload or {},
    }


def _work(status, lesson):
    """The events that leave a lesson in `status` (only 01-count has a quiz to master)."""
    if status == "not_started":
        return []
    events = [_event("lesson_opened", lesson)]
    if status == "needs_help":
        events.append(_event("help_requested", lesson))
    if status in ("completed", "mastered"):
        if lesson == "01-count":
            answers = dict(RIGHT_FIRST_TIME)
            if status == "completed":  # two of four wrong at the first try: 50 %, not mastered
                answers.update(q1="a", q3="9")
            events += [
                _event("answer", lesson, {"question_id": q, "response": r, "attempt": 1})
                for q, r in answers.items()
            ]
            events.append(_event("quiz_finished", lesson, {"attempt": 1}))
        events.append(_event("lesson_completed", lesson))
    return events


@pytest.fixture(scope="module")
def big_class(tmp_path_factory):
    """30 learners, 10 lessons, every status somewhere: a served kit and the class id."""
    from kit.assignments import assign
    from kit.datafolder import open_data
    from kit.db import database
    from kit.events import record
    from kit.roster import add_learner, create_class

    tmp = tmp_path_factory.mktemp("grid")
    source, archive, lessons = ten_lesson_pack(tmp)
    data = tmp / "data"
    run_kit(data, "init", "--site", "Truck 3")
    run_kit(data, "pack", "build", source, "-o", archive)
    run_kit(data, "pack", "import", archive)
    add_accounts(data)
    open_data(data)
    try:
        room = create_class("Morning class")
        assign(room.id, "ten")
        for i in range(30):
            learner = add_learner(room.id, name=f"Learner {i + 1:02d}")
            batch = []
            for j, lesson in enumerate(lessons):
                status = (
                    STATUSES[(i + j) % 5]
                    if lesson == "01-count"
                    else [s for s in STATUSES if s != "mastered"][(i + j) % 4]
                )
                batch += _work(status, lesson)
            if batch:
                record(batch, learner.id)
    finally:
        database.close()
    server = KitServer(data).start()
    yield server, room.id
    server.stop()


@pytest.fixture
def laptop(browser):
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    context.outside_requests = block_outside(context)
    context.set_default_timeout(10000)
    yield context
    outside = list(context.outside_requests)
    context.close()
    assert not outside, outside


def test_the_grid_reads_at_a_glance_with_symbols_and_colours(big_class, laptop, tmp_path):
    server, class_id = big_class
    page = laptop.new_page()
    sign_in(page, server.url)
    page.goto(server.url + f"/teach/classes/{class_id}")
    grid = page.locator("#grid")
    expect(grid).to_have_class(re.compile(r"\bcompact\b"))
    expect(grid.locator("tbody tr")).to_have_count(30)
    expect(grid.locator("td.cell")).to_have_count(300)
    found = page.evaluate("""() => {
        const out = {};
        for (const td of document.querySelectorAll('#grid td.cell')) {
          const s = td.dataset.status;
          (out[s] = out[s] || new Set()).add(JSON.stringify([td.querySelector('.sym').textContent,
            getComputedStyle(td).backgroundColor, td.title]));
        }
        return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v]]));
    }""")
    assert set(found) == set(STATUSES), "every status is on this grid"
    looks = {status: tuple(json.loads(v[0])) for status, v in found.items()}
    assert all(len(v) == 1 for v in found.values()), "one look per status"
    assert len({sym for sym, _bg, _title in looks.values()}) == 5, "in black and white: 5 symbols"
    assert len({bg for _sym, bg, _title in looks.values()}) == 5, "in colour: 5 colours"
    assert {status: title for status, (_s, _b, title) in looks.items()} == WORDS, "words on hover"
    legend = page.locator("#legend li")
    expect(legend).to_have_count(5)
    for status, (sym, _bg, _title) in looks.items():
        expect(
            page.locator("#legend li")
            .filter(has_text=re.compile(rf"^\W*{re.escape(WORDS[status])}$"))
            .locator(".sym")
        ).to_have_text(sym)
    # At a glance: ten lessons side by side on a laptop, rows a finger high, no sideways scroll.
    scroll = page.evaluate(
        "(() => { const b = document.querySelector('#grid').parentNode;"
        " return [b.scrollWidth, b.clientWidth]; })()"
    )
    assert scroll[0] <= scroll[1], f"the grid scrolls sideways on a laptop: {scroll}"
    cell = grid.locator("td.cell").first.bounding_box()
    assert 44 <= cell["height"] <= 60 and 44 <= cell["width"] <= 100, cell
    violations = axe_check(page)
    assert not violations, describe(violations)
    shot(page, "teacher-grid", tmp_path)

    first = grid.locator("td.cell").first  # tap a square: its words appear
    word = first.locator(".word")
    assert word.bounding_box()["width"] <= 1
    first.click()
    assert word.bounding_box()["width"] > 20
    show = page.get_by_role("button", name="Show words")
    show.click()
    expect(show).to_have_attribute("aria-pressed", "true")
    expect(grid).not_to_have_class(re.compile(r"\bcompact\b"))
    assert grid.locator("td.cell .word").nth(5).bounding_box()["width"] > 20


def test_the_grid_keeps_working_without_javascript(big_class, browser):
    server, class_id = big_class
    context = new_context(browser, 360, 640, java_script_enabled=False)
    try:
        page = context.new_page()
        sign_in(page, server.url)
        page.goto(server.url + f"/teach/classes/{class_id}")
        first = page.locator("#grid td.cell").first
        expect(first.locator(".sym")).to_be_visible()
        expect(first.locator(".word")).to_be_visible()  # symbol and words, side by side
        expect(page.get_by_role("button", name="Show words")).to_be_hidden()
    finally:
        context.close()
