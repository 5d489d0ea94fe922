"""Every learner page through the accessibility tree, as TalkBack reads it (issue 18):
every control has a name, things come in a sensible order, the feedback and "Saved" are
live regions, and a lesson can be done with the keyboard alone. axe-core runs as well.

Playwright's aria snapshot is Chromium's accessibility tree written as YAML."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import axe_check, describe, wait_true

pytestmark = pytest.mark.browser
CONTROLS = ("button", "link", "radio", "checkbox", "textbox", "combobox", "slider", "img", "dialog")
UNNAMED = re.compile(rf"^\s*- '?({'|'.join(CONTROLS)})(?: \[[^\]]*\])?:?\s*'?$", re.MULTILINE)


def scripted(page, selector):
    """Wait until player.js has shown the controls it shows (speaker, sign buttons): the
    tree is read as the child gets it, not while the deferred script is still loading."""
    wait_true(page, f"!!document.querySelector({selector!r})")


def tree(page, name):
    """The page's accessibility tree; fail if a control has no name or axe finds a problem."""
    snapshot = page.locator("body").aria_snapshot()
    assert not UNNAMED.findall(snapshot), f"{name}: unnamed controls in\n{snapshot}"
    assert not (violations := axe_check(page)), f"{name}: {describe(violations)}"
    return snapshot


def in_order(snapshot, *lines):
    """Assert each line (a regex) is found in the snapshot after the one before it."""
    at = 0
    for line in lines:
        found = re.compile(line, re.MULTILINE).search(snapshot, at)
        assert found, f"{line!r} not found after position {at} in\n{snapshot}"
        at = found.end()


def tab_names(page, count):
    """Press Tab `count` times from the top; return each focused element's role and name."""
    page.evaluate("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    names = []
    for _ in range(count):
        page.keyboard.press("Tab")
        names.append(
            page.evaluate("""() => { const e = document.activeElement, r = e.getBoundingClientRect();
                const label = e.labels && e.labels[0] ? e.labels[0].textContent : '';
                return [e.tagName.toLowerCase(), (e.getAttribute('aria-label') || label || e.textContent).trim()
                    .replace(/\\s+/g, ' '), r.width > 0 && r.height > 0]; }""")
        )
    assert all(visible for *_, visible in names), f"focus went to something hidden: {names}"
    return [(tag, name) for tag, name, _ in names]


def test_sign_in_and_lessons_read_in_order(served, context_360):
    server, ids = served
    page = context_360.new_page()
    page.goto(server.url + "/")
    in_order(
        tree(page, "classes"),
        r'link "Skip to the main part"',
        r'heading "Choose your class"',
        r'link "Class A"',
    )
    page.get_by_role("link", name="Class A").click()
    in_order(tree(page, "names"), r'heading "Tap your name"', r'button "Ada"', r'button "Ben"')
    page.get_by_role("button", name="Ben").click()
    page.locator("label[for=pic-star]").click()
    page.locator("label[for=pic-tree]").click()
    page.get_by_role("button", name="Go").click()
    in_order(
        tree(page, "wrong pictures"),
        r'group "Tap your two pictures"',
        r"alert: Those are not your pictures. Try again.",
        r'checkbox "Sun"',
        r'button "Go"',
    )
    page.locator("label[for=pic-sun]").click()
    page.locator("label[for=pic-moon]").click()
    page.get_by_role("button", name="Go").click()
    in_order(
        tree(page, "lessons"),
        r'button "Not Ben\? Switch"',
        r'heading "My lessons"',
        r'link "Counting mangoes',
        r'button "Sign language first"',
        r"contentinfo:\n\s*- status",  # "Saved" is announced from here
    )


def test_a_lesson_by_keyboard_alone_with_feedback_and_saved_announced(served, context_360):
    server, ids = served
    page = context_360.new_page()
    page.goto(f"{server.url}/class/{ids['class']}")
    page.get_by_role("button", name="Ada").click()
    page.get_by_role("link", name=re.compile("Counting mangoes")).click()
    scripted(page, "#step-0 .readalong button.say:not([hidden])")
    in_order(
        tree(page, "player"),
        r'link "Skip to the lesson"',
        r'link "My lessons"',
        r'heading "Counting mangoes"',
        r'region "Page 1 of 2"',
        r'heading "Count"',
        r'img "Three orange mangoes in a row"',
        r'figure "Listen"',
        r'button "Listen to sentence 1"',
        r"text: Let us count the mangoes.",
        r'figure "Watch"',
        r'button "Play the video"',
        r'navigation "Lesson steps"',
        r'link "Next"',
        r'button "I need help"',
        r"contentinfo:\n\s*- status",
    )
    order = tab_names(page, 9)
    assert order[:3] == [("a", "Skip to the lesson"), ("a", "My lessons"), ("button", "Not Ada? Switch")]
    assert ("button", "Listen to sentence 1") in order and ("button", "two,") in order
    assert order.index(("button", "Listen to sentence 1")) < order.index(("button", "two,"))

    # Next, by keyboard: the new step takes the focus, so a screen reader reads it from its start.
    page.locator("#step-0").get_by_role("link", name="Next").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "step-1"
    page.goto(page.url.split("?")[0] + "?step=2")
    expect(page.locator("#save-status")).to_have_text("Saved")
    scripted(page, "#step-2 button.say:not([hidden])")
    in_order(
        tree(page, "question"),
        r'region "Question 1 of 4"',
        r'group "How many mangoes are in the picture\?"',
        r'button "Listen to the question"',
        r'radio "Two"',
        r'radio "Three"',
        r'button "Check"',
        r"- status\n",  # the feedback's live region, there (empty) before any answer
        r'navigation "Lesson steps"',
        r"contentinfo:\n\s*- status: Saved",
    )
    # Answer with the keyboard: into the radio group, arrow to "Three", Space, then Check.
    page.get_by_role("radio", name="Two").focus()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "b"
    page.keyboard.press("Space")
    page.get_by_role("button", name="Check").focus()
    page.keyboard.press("Enter")
    step = page.locator("#step-2")
    expect(step.get_by_role("status")).to_have_text(re.compile("^Right!"))
    wait_true(page, "document.getElementById('save-status').textContent === 'Saved'")
    in_order(
        tree(page, "feedback"),
        r'radio "Three" \[checked\]',
        r"status: Right!",
        r"contentinfo:\n\s*- status: Saved",
    )


def test_sign_first_page_and_dictionary_by_keyboard(served_signs, context_360):
    server, ids = served_signs
    page = context_360.new_page()
    page.goto(f"{server.url}/class/{ids['class']}")
    page.get_by_role("button", name="Ada").click()
    page.get_by_role("button", name="Sign language first").focus()
    page.keyboard.press("Enter")
    in_order(tree(page, "lessons, sign first"), r'button "Sign language first" \[pressed\]')
    page.get_by_role("link", name=re.compile("Counting mangoes")).click()
    scripted(page, "#step-0 .sign-buttons:not([hidden])")
    in_order(
        tree(page, "sign first"),
        r'region "Page 1 of 2"',
        r'figure "Sign language"',
        r'button "Again"',
        r'button "Slow"',
        r'button "Repeat"',
        r'heading "Count"',
    )
    page.get_by_role("button", name="Slow").first.focus()
    page.keyboard.press("Enter")
    in_order(tree(page, "slow"), r'button "Slow" \[pressed\]')
    page.goto(page.url.split("?")[0] + "?step=1")
    page.get_by_role("link", name="three").focus()
    page.keyboard.press("Enter")
    in_order(tree(page, "dictionary"), r'dialog "The sign for: three"', r'button "Again"', r'button "Close"')
    assert page.evaluate("document.activeElement.id") == "sign-pop-h"  # read from its title
    inside = []
    for key in ["Tab"] * 7 + ["Shift+Tab"] * 7:  # a modal dialog: the focus stays in it
        page.keyboard.press(key)
        inside.append(page.evaluate("document.getElementById('sign-pop').contains(document.activeElement)"))
    assert all(inside), inside
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.textContent") == "three"
