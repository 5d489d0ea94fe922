"""Questions a child who cannot read can hear (issue 18): a speaker button on the question
and on each choice plays just that part of its spoken clip; right and wrong come with an
icon and a short sound as well as words; the sign-in's "wrong pictures" has a picture.

The mini pack's q1 was spoken by tools/make_media (tests/fixtures/packs/mini/.../q1.vtt)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_check, describe, wait_true

pytestmark = pytest.mark.browser
# Runs before the page's scripts: every oscillator started is recorded with its pitch.
TONES = "window.__tones = []; const start = OscillatorNode.prototype.start;" \
    "OscillatorNode.prototype.start = function (...a) { window.__tones.push(this.frequency.value); return start.apply(this, a); };"  # fmt: skip


def played_part(page, button):
    """Tap a speaker button; return (start, end) of what its clip played."""
    button.click()
    wait_true(page, "!document.getElementById('heard-q1').paused")
    start = page.evaluate("document.getElementById('heard-q1').currentTime")
    wait_true(page, "document.getElementById('heard-q1').paused", timeout=10)
    return start, page.evaluate("document.getElementById('heard-q1').currentTime")


def test_question_and_choices_can_be_heard_and_feedback_sounds(served, context_360):
    server, ids = served
    context_360.add_init_script(TONES)
    page = context_360.new_page()
    page.goto(f"{server.url}/class/{ids['class']}")
    page.get_by_role("button", name="Ada").click()
    page.get_by_role("link", name=re.compile("Counting mangoes")).click()
    page.goto(page.url.split("?")[0] + "?step=2")
    step = page.locator("#step-2")
    start, end = played_part(page, step.get_by_role("button", name="Listen to the question"))
    assert start < 0.4 and 2.5 <= end < 2.8, (start, end)  # the prompt: 0 to 2.528 s
    start, end = played_part(page, step.get_by_role("button", name="Listen: Three"))
    assert 4.2 <= start < 4.5 and 5.05 <= end < 5.4, (start, end)  # choice b: 4.217 to 5.079 s
    assert not (violations := axe_check(page)), describe(violations)

    step.get_by_label("Two").check()
    step.get_by_role("button", name="Check").click()
    feedback = step.locator(".feedback")
    expect(feedback).to_have_text("Not yet. Try again. Count again.")
    icon = feedback.evaluate("e => getComputedStyle(e, '::before').backgroundImage")
    assert icon.endswith('/static/learn/wrong.svg")'), icon
    wait_true(page, "window.__tones.length === 2")
    assert page.evaluate("window.__tones") == [330, 247]  # falling: not yet

    step.get_by_label("Three").check()
    step.get_by_role("button", name="Check").click()
    expect(feedback).to_have_text(re.compile("^Right!"))
    icon = feedback.evaluate("e => getComputedStyle(e, '::before').backgroundImage")
    assert icon.endswith('/static/learn/right.svg")'), icon
    wait_true(page, "window.__tones.length === 4")
    assert page.evaluate("window.__tones")[2:] == [660, 880]  # rising: right
    # Questions without a spoken clip have no speaker button.
    assert page.locator("#step-3 button.say").count() == 0


def test_wrong_pictures_message_has_a_picture(served, context_360):
    server, ids = served
    page = context_360.new_page()
    page.goto(f"{server.url}/class/{ids['class']}")
    page.get_by_role("button", name="Ben").click()
    page.locator("label[for=pic-star]").click()
    page.locator("label[for=pic-tree]").click()
    page.get_by_role("button", name="Go").click()
    alert = page.get_by_role("alert")
    expect(alert).to_have_text("Those are not your pictures. Try again.")
    picture = alert.locator("img")
    assert picture.get_attribute("src").endswith("/learn/wrong.svg")
    assert picture.evaluate("i => i.complete && i.naturalWidth > 0 && i.getBoundingClientRect().width >= 32")
