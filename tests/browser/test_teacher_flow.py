"""A teacher on a phone sets up a class from a CSV (one bad line), assigns a lesson, and
watches the live grid change while a learner works on a tablet in another context."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import KitServer

from .conftest import new_context
from .learn_setup import count_events
from .teach_setup import TEACHER, add_accounts, shot, sign_in
from .test_learner_flow import answer_quiz

pytestmark = pytest.mark.browser

ROSTER = "name,avatar,colour\nAda,cat,blue\nEsi,unicorn,red\nKofi,dog,green\n"


@pytest.fixture
def served(installed_kit):
    add_accounts(installed_kit)
    server = KitServer(installed_kit).start()
    yield server
    server.stop()


@pytest.fixture
def phone(browser):
    context = new_context(browser, width=412, height=915)
    yield context
    outside = list(context.outside_requests)
    context.close()
    assert not outside, outside


def grid_cell(page, learner):
    """The words of the learner's first cell (beside its symbol; grid.js keeps both current)."""
    return page.locator("#grid tr", has_text=learner).locator("td").first.locator(".word")


def set_up_class(page, url, tmp_path):
    """Sign in (after one wrong password), add a class, import the roster, assign a lesson."""
    page.goto(url + "/teach/login")
    page.get_by_label("User name").fill(TEACHER[0])
    page.get_by_label("Password").fill("not-my-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_have_text("Wrong user name or password.")
    shot(page, "teacher-sign-in", tmp_path)
    sign_in(page, url)
    page.get_by_label("Class name").fill("Morning class")
    page.get_by_role("button", name="Add class").click()
    expect(page.get_by_role("heading", name="Roster of Morning class")).to_be_visible()
    csv = tmp_path / "roster.csv"
    csv.write_text(ROSTER, encoding="utf-8")
    page.get_by_label("CSV file", exact=True).set_input_files(str(csv))
    page.get_by_role("button", name="Preview the import").click()
    expect(page.locator("#import-errors")).to_have_text(
        re.compile(r"Line 3: avatar 'unicorn' is not one of: cat, dog")
    )
    expect(page.locator("#import-counts")).to_have_text("2 to add, 0 to update, 0 unchanged.")
    shot(page, "teacher-import-preview", tmp_path)
    page.get_by_role("button", name="Import 2 learners").click()
    expect(page.get_by_role("status").first).to_have_text("Imported: 2 added, 0 updated.")
    expect(page.get_by_role("alert")).to_have_text("Lines not imported: 3.")
    rows = page.locator("table tbody th")
    expect(rows).to_have_text(["Ada", "Kofi"])
    shot(page, "teacher-roster", tmp_path)
    page.get_by_role("link", name="Assign lessons").first.click()
    page.get_by_label("Pack or lesson").select_option(label="Counting mangoes")
    page.get_by_label("Due date (optional)").fill("2030-06-30")
    shot(page, "teacher-assign", tmp_path)
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("heading", name="Morning class")).to_be_visible()


def test_teacher_sets_up_a_class_and_watches_a_learner_finish(served, phone, context_360, tmp_path):
    teacher = phone.new_page()
    set_up_class(teacher, served.url, tmp_path)
    expect(grid_cell(teacher, "Ada")).to_have_text("Not started")
    expect(teacher.locator("#grid tbody tr")).to_have_count(2)
    assert count_events(served.data_dir) == 0
    teacher.evaluate("window.sameDocument = true")

    tablet = context_360.new_page()
    tablet.goto(served.url + "/")
    tablet.get_by_role("link", name="Morning class").click()
    tablet.get_by_role("button", name="Ada").click()
    tablet.get_by_role("link", name=re.compile("Counting mangoes")).click()
    tablet.locator("#step-0").get_by_role("link", name="Next").click()
    expect(grid_cell(teacher, "Ada")).to_have_text("In progress", timeout=15000)

    tablet.get_by_role("button", name="I need help").click()
    expect(grid_cell(teacher, "Ada")).to_have_text("Needs help", timeout=15000)
    expect(grid_cell(teacher, "Kofi")).to_have_text("Not started")
    expect(teacher.locator("#help-list li")).to_have_text("Ada in Counting mangoes Dismiss")
    expect(teacher.locator("#no-help")).to_be_hidden()
    shot(teacher, "teacher-grid-help", tmp_path)

    tablet.goto(served.url + "/lesson/mini/01-count?step=2")
    answer_quiz(tablet)
    expect(tablet.locator(".result .score")).to_contain_text("You mastered this lesson", timeout=15000)
    expect(grid_cell(teacher, "Ada")).to_have_text("Needs help", timeout=15000)
    assert teacher.evaluate("window.sameDocument") is True  # updated in place, never reloaded

    teacher.get_by_role("button", name="Dismiss").click()  # the form grid.js drew
    expect(grid_cell(teacher, "Ada")).to_have_text("Mastered")
    expect(teacher.locator("#no-help")).to_have_text("Nobody has asked for help.")
    shot(teacher, "teacher-grid-mastered", tmp_path)
    assert count_events(served.data_dir, kind="help_dismissed") == 1
