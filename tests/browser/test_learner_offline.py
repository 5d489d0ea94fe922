"""The kit stops while a learner answers: events wait in the tablet, then arrive once each."""

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


def test_events_queued_while_the_kit_is_down_arrive_exactly_once(served, context_360):
    server, ids = served
    page = context_360.new_page()
    page.goto(f"{server.url}/class/{ids['class']}")
    page.get_by_role("button", name="Ada").click()
    page.get_by_role("link", name=re.compile("Counting mangoes")).click()
    page.goto(page.url.split("?")[0] + "?step=2")  # the first question
    expect(page.locator("#save-status")).to_have_text("Saved")

    server.stop()
    step = page.locator("#step-2")
    step.get_by_label("Three").check()
    step.get_by_role("button", name="Check").click()
    expect(page.locator("#save-status")).to_have_text("Waiting for the kit…")
    expect(step.locator(".feedback")).to_have_text("Waiting for the kit to check…")
    first = queued_uuids(page)
    assert len(first) == 1

    server.start()  # same port: the page's retries find it again
    expect(step.locator(".feedback")).to_have_text(re.compile("^Right!"), timeout=20000)
    expect(page.locator("#save-status")).to_have_text("Saved", timeout=40000)

    server.stop()
    step.get_by_role("link", name="Next").click()
    later = page.locator("#step-3")
    later.get_by_label("Mango").check()
    later.get_by_role("button", name="Check").click()
    expect(page.locator("#save-status")).to_have_text("Waiting for the kit…")
    second = queued_uuids(page)
    assert len(second) == 2  # page_viewed and the answer
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
    assert answers == [("q1", 1), ("q2", 0)]
