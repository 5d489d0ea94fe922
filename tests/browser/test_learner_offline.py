"""The kit stops while a learner answers: the tablet still says right or wrong (from the
page's salted hashes, issue 18), the events wait in the tablet, then arrive once each."""

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from .conftest import wait_true

pytestmark = pytest.mark.browser


def stored(data_dir, uuids):
    """Return {uuid: times stored} for the given event UUIDs."""
    with sqlite3.connect(data_dir / "kit.db") as conn:
        rows = conn.execute(
            f"SELECT uuid, COUNT(*) FROM event WHERE uuid IN ({','.join('?' * len(uuids))}) GROUP BY uuid",
            uuids,
        ).fetchall()
    return dict(rows)


def queued_uuids(page):
    return page.evaluate("JSON.parse(localStorage.getItem('kit.queue') || '[]').map(i => i.e.uuid)")


def answer(step, fill=None, check=()):
    for label in check:
        step.get_by_label(label, exact=True).check()
    if fill is not None:
        step.locator("input.answer").fill(fill)
    step.get_by_role("button", name="Check").click()


def test_answers_are_judged_on_the_tablet_while_the_kit_is_down_and_arrive_once(served, context_360):
    server, ids = served
    page = context_360.new_page()
    page.goto(f"{server.url}/class/{ids['class']}")
    page.get_by_role("button", name="Ada").click()
    page.get_by_role("link", name=re.compile("Counting mangoes")).click()
    page.goto(page.url.split("?")[0] + "?step=2")  # the first question
    expect(page.locator("#save-status")).to_have_text("Saved")

    server.stop()
    step = page.locator("#step-2")
    answer(step, check=["Two"])
    expect(step.locator(".feedback")).to_have_text("Not yet. Try again.")  # judged here, no kit
    expect(step.locator("details.hint")).to_have_attribute("open", "")
    answer(step, check=["Three"])
    expect(step.locator(".feedback")).to_have_text("Right!")
    expect(page.locator("#save-status")).to_have_text("Waiting for the kit…")
    first = queued_uuids(page)
    assert len(first) == 2

    step.get_by_role("link", name="Next").click()
    answer(page.locator("#step-3"), check=["Mango", "Banana"])
    expect(page.locator("#step-3 .feedback")).to_have_text("Right!")
    page.locator("#step-3").get_by_role("link", name="Next").click()
    answer(page.locator("#step-4"), fill="3,0")
    expect(page.locator("#step-4 .feedback")).to_have_text("Right!")
    page.locator("#step-4").get_by_role("link", name="Next").click()
    answer(page.locator("#step-5"), fill="  A   MÁNGO ")  # case, accents and spaces do not count
    expect(page.locator("#step-5 .feedback")).to_have_text("Right!")
    answer(page.locator("#step-5"), fill="papaya")
    expect(page.locator("#step-5 .feedback")).to_have_text("Not yet. Try again.")

    server.start()  # same port: the page's retries find it again, and the kit's words follow
    expect(step.locator(".feedback")).to_have_text(re.compile("^Right!.+"), timeout=20000)
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=40000)

    server.stop()
    page.locator("#step-5").get_by_role("button", name="Finish").click()  # quiz_finished, lesson_completed
    second = queued_uuids(page)
    assert second and not set(second) & set(first)
    page.close()  # the tab is closed while the kit is down

    server.start()
    page = context_360.new_page()
    page.goto(server.url + "/lessons")
    wait_true(page, "window.kitLearn && window.kitLearn.queued() === 0", timeout=20)
    counts = stored(server.data_dir, first + second)
    assert counts == {uuid: 1 for uuid in first + second}
    with sqlite3.connect(server.data_dir / "kit.db") as conn:
        answers = conn.execute(
            "SELECT json_extract(payload, '$.question_id'), json_extract(payload, '$.correct')"
            " FROM event WHERE kind = 'answer' AND learner_id = ? ORDER BY seq",
            (ids["ada"],),
        ).fetchall()
    # The kit's own judgement, stored once per answer, agrees with what the tablet said (in
    # whichever order the retries and the queue delivered them).
    assert sorted(answers) == [("q1", 0), ("q1", 1), ("q2", 1), ("q3", 1), ("q4", 0), ("q4", 1)]
