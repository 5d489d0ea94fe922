"""Read-along for children who cannot read yet (issue 18): the narration lights the
sentence being read, and tapping a sentence or a marked word plays just that part.

The mini pack's narration (tests/fixtures/packs/mini/lessons/01-count) was made by
tools/make_media with its cues; "two," is marked as a word (3.4 s to 3.9 s)."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_check, describe, wait_true
from .teach_setup import shot

pytestmark = pytest.mark.browser
LIT = """() => { const a = document.getElementById('narration'), lit = document.querySelector('.readalong .cue.now');
  return [a.currentTime, a.paused, lit ? [+lit.dataset.start, +lit.dataset.end] : null]; }"""
# The light after one more tick, run in the same task as the clock is read: it must match
# the clock exactly, whatever the machine's load (the page's own 50 ms ticker may run late).
LIT_NOW = """() => { const a = document.getElementById('narration');
  a.dispatchEvent(new Event('timeupdate'));
  const lit = document.querySelector('.readalong .cue.now');
  return [a.currentTime, a.paused, lit ? [+lit.dataset.start, +lit.dataset.end] : null]; }"""


def play_through(page, probe):
    """Play the narration from the start, sampling `probe` every 50 ms until it stops."""
    page.locator("#narration").evaluate("a => { a.currentTime = 0; a.play(); }")
    samples = []
    for _ in range(200):  # at most ~10 s: the clip lasts 4.8 s
        samples.append(page.evaluate(probe))
        if samples[-1][1]:
            return samples
        page.wait_for_timeout(50)
    raise AssertionError("the narration did not stop")


def open_lesson(page, server, ids):
    page.goto(f"{server.url}/class/{ids['class']}")
    page.get_by_role("button", name="Ada").click()
    page.get_by_role("link", name=re.compile("Counting mangoes")).click()
    return page.locator("#step-0 .readalong")


def test_the_highlight_follows_the_narration(served, context_360, tmp_path):
    server, ids = served
    page = context_360.new_page()
    box = open_lesson(page, server, ids)
    expect(box.locator(".cue .said")).to_have_text(["Let us count the mangoes.", "One, two, three."])
    assert box.locator(".cue.now").count() == 0  # nothing lit before it plays
    # The page lights each sentence by itself as it is read: maybe a tick late on a loaded
    # machine, never ahead of the voice.
    seen = set()
    for now, _paused, lit in play_through(page, LIT):
        if lit is not None:
            assert lit[0] <= now, (now, lit)
            seen.add(lit[0])
    assert seen == {0.0, 2.656}, seen
    # And a tick always lights the sentence the voice is in, exactly.
    for now, _paused, lit in play_through(page, LIT_NOW):
        if lit is not None:
            assert lit[0] <= now < lit[1], (now, lit)
    # Moving the audio moves the light.
    page.locator("#narration").evaluate("a => { a.pause(); a.currentTime = 3.0; }")
    wait_true(
        page, "(document.querySelector('.readalong .cue.now .said') || {}).textContent === 'One, two, three.'"
    )
    shot(page, "learner-read-along", tmp_path)
    page.locator("#narration").evaluate("a => { a.currentTime = 1.0; }")
    wait_true(
        page,
        "(document.querySelector('.readalong .cue.now .said') || {}).textContent === 'Let us count the mangoes.'",
    )
    assert not (violations := axe_check(page)), describe(violations)


def test_tapping_a_sentence_or_a_marked_word_plays_only_it(served, context_360):
    server, ids = served
    page = context_360.new_page()
    box = open_lesson(page, server, ids)
    box.get_by_role("button", name="Listen to sentence 2").click()
    wait_true(page, "!document.getElementById('narration').paused")
    assert 2.6 <= page.evaluate("document.getElementById('narration').currentTime") < 3.2
    wait_true(page, "document.getElementById('narration').paused", timeout=10)
    now, _paused, _lit = page.evaluate(LIT)
    assert 4.8 <= now < 5.1, now  # stopped at the sentence's end (the clip's own end is 4.83 s)

    box.get_by_role("button", name="two,").click()  # the word the author marked
    wait_true(page, "!document.getElementById('narration').paused")
    start = page.evaluate("document.getElementById('narration').currentTime")
    wait_true(page, "document.getElementById('narration').paused", timeout=10)
    end = page.evaluate("document.getElementById('narration').currentTime")
    assert 3.35 <= start < 3.8 and 3.85 <= end < 4.2, (start, end)

    box.get_by_text("Let us count the mangoes.").click()  # a finger on the words themselves
    wait_true(page, "!document.getElementById('narration').paused")
    wait_true(page, "document.getElementById('narration').paused", timeout=10)
    assert 2.2 <= page.evaluate("document.getElementById('narration').currentTime") < 2.6
