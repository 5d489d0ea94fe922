"""A deaf learner with "sign language first" (issue 18): each page's sign video first and
large, again / slow (0.5x) / repeat, a clip fetched only when its page shows, and a signed
word of the text opening its clip from the pack's sign dictionary.

The clips are ffmpeg test patterns (tests/packs/sign_pack.py), not signing."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_check, describe, wait_true
from .learn_setup import sign_in_sign_first
from .teach_setup import shot

pytestmark = pytest.mark.browser


def clip_requests(page):
    """The sign clips the page has fetched so far, by file name."""
    found = []
    page.on("request", lambda r: found.append(r.url.rsplit("/", 1)[-1]) if r.url.endswith(".webm") else None)
    return found


def test_sign_first_learner_sees_each_pages_sign_video_first(served_signs, context_360, tmp_path):
    server, ids = served_signs
    page = context_360.new_page()
    fetched = clip_requests(page)
    page.goto(f"{server.url}/class/{ids['class']}")
    page.get_by_role("button", name="Ada").click()
    toggle = page.get_by_role("button", name="Sign language first")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()  # the learner's own picture button
    expect(page.get_by_role("button", name="Sign language first")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("link", name=re.compile("Counting mangoes")).click()

    first = page.locator("#step-0")
    # The sign video comes before the text, full width, and starts by itself (muted).
    order = first.evaluate(
        "s => [...s.querySelectorAll('figure.sign-first, .page')].map(e => e.className.split(' ')[0])"
    )
    assert order == ["media", "page"]
    video = first.locator("figure.sign-first video")
    assert video.bounding_box()["width"] >= 300
    wait_true(page, "document.querySelector('#step-0 video').currentTime > 0.2")
    assert fetched and set(fetched) == {"page1-sign.webm"}, fetched  # page 2's clip not yet
    shot(page, "learner-sign-first", tmp_path)

    first.get_by_role("button", name="Slow").click()
    expect(first.get_by_role("button", name="Slow")).to_have_attribute("aria-pressed", "true")
    assert video.evaluate("v => v.playbackRate") == 0.5
    first.get_by_role("button", name="Repeat").click()
    assert video.evaluate("v => v.loop") is True
    first.get_by_role("button", name="Again").click()
    wait_true(page, "(v => !v.paused && v.playbackRate === 0.5)(document.querySelector('#step-0 video'))")
    # At half speed, 1 s of page time plays about half a second of the clip.
    t0 = video.evaluate("v => { v.currentTime = 0; return performance.now(); }")
    page.wait_for_timeout(1000)
    played, elapsed = video.evaluate("v => [v.currentTime, performance.now()]")
    assert 0.2 < played < 0.75 * (elapsed - t0) / 1000, (played, elapsed - t0)
    first.get_by_role("button", name="Slow").click()
    assert video.evaluate("v => v.playbackRate") == 1

    first.get_by_role("link", name="Next").click()
    second = page.locator("#step-1")
    wait_true(page, "document.querySelector('#step-1 video').currentTime > 0.2")
    assert "page2-sign.webm" in fetched
    assert video.evaluate("v => v.paused")  # the page left behind stops

    # A signed word of the text opens its clip in place; Escape closes it and returns focus.
    second.get_by_role("link", name="three").click()
    dialog = page.get_by_role("dialog", name="The sign for: three")
    expect(dialog).to_be_visible()
    wait_true(page, "document.querySelector('#sign-pop video').currentTime > 0.1")
    assert page.evaluate("document.querySelector('#sign-pop video').src").endswith("/signs/three.webm")
    assert not (violations := axe_check(page)), describe(violations)
    shot(page, "learner-sign-word", tmp_path)
    dialog.get_by_role("button", name="Slow").click()
    assert page.evaluate("document.querySelector('#sign-pop video').playbackRate") == 0.5
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent") == "three"
    second.get_by_role("link", name="three").click()
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()


def test_other_learners_see_the_text_first_and_no_clip_is_fetched(served_signs, context_360):
    server, ids = served_signs
    page = context_360.new_page()
    fetched = clip_requests(page)
    page.goto(f"{server.url}/class/{ids['class']}")
    page.get_by_role("button", name="Ada").click()
    page.get_by_role("link", name=re.compile("Counting mangoes")).click()
    first = page.locator("#step-0")
    order = first.evaluate(
        "s => [...s.querySelectorAll('figure.sign, .page')].map(e => e.className.split(' ')[0])"
    )
    assert order == ["page", "media"]
    page.wait_for_timeout(500)
    assert fetched == []  # nothing plays by itself; the clip waits for its play button
    assert not (violations := axe_check(page)), describe(violations)
    first.locator("figure.sign").get_by_role("button", name="Play the video").click()
    wait_true(page, "document.querySelector('#step-0 figure.sign video').currentTime > 0.1")
    assert fetched == ["page1-sign.webm"]


def test_without_javascript_a_signed_word_is_a_link_to_its_clip(served_signs, browser):
    from .conftest import new_context

    server, ids = served_signs
    context = new_context(browser, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{server.url}/class/{ids['class']}")
        page.get_by_role("button", name="Ada").click()
        page.goto(server.url + "/lesson/mini/01-count?step=1")
        href = page.get_by_role("link", name="three").get_attribute("href")
        assert href == "/media/mini/1.0.0/signs/three.webm"
        assert page.request.get(server.url + href).headers["content-type"] == "video/webm"
    finally:
        context.close()


def _in_the_data(data_dir, call):
    """Run `call()` on the kit's database from the test, as the teacher's page would."""
    from kit.datafolder import open_data
    from kit.db import database

    open_data(data_dir)
    try:
        return call()
    finally:
        database.close()


def test_a_sign_first_learner_follows_a_live_class_signed(served_signs, context_360, initialised):
    """The live page loads what the lesson uses (sign.js): each page the teacher moves to
    starts its sign clip for a sign-first learner, and a signed word opens its clip."""
    from kit.live import classes

    server, ids = served_signs
    page = context_360.new_page()
    sign_in_sign_first(page, server, ids)
    live = _in_the_data(initialised, lambda: classes.start(ids["class"], "mini", "01-count"))
    page.wait_for_url(re.compile(r"/live$"), timeout=15000)  # watch.js brings the tablet
    scripts = page.eval_on_selector_all("script[src]", "els => els.map(e => e.src.split('/').pop())")
    assert scripts == ["learn.js", "live.js", "sign.js", "speak.js"], scripts  # as the lesson page
    wait_true(page, "document.querySelector('#step-0 figure.sign-first video').currentTime > 0.2")
    expect(page.locator("#step-0").get_by_role("button", name="Slow")).to_be_visible()

    _in_the_data(initialised, lambda: classes.move(live.id, live.rev, 1))
    wait_true(page, "document.querySelector('#step-1 figure.sign-first video').currentTime > 0.2", timeout=15)
    assert page.evaluate("document.querySelector('#step-0 video').paused")
    page.locator("#step-1").get_by_role("link", name="three").click()
    expect(page.get_by_role("dialog", name="The sign for: three")).to_be_visible()
    assert not (violations := axe_check(page)), describe(violations)
