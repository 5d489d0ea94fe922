"""A note written at the hub is heard on the tablet: real hub, real kit server, real Chromium playing
the clip espeak-ng made on the kit; a language with no voice shows the note without the button."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import axe_check, describe, new_context, wait_true
from tests.conftest import KitServer

from .conftest import make_kit
from .test_downstream import make_changes

pytestmark = pytest.mark.browser
AUDIO = "document.querySelector('.teacher-note audio')"


def _open_lessons(tablet, server):
    tablet.goto(server.url + "/")
    tablet.get_by_role("link", name="Morning class").click()
    tablet.get_by_role("button", name="Ama").click()
    notes = tablet.locator("section.from-teacher")
    expect(notes).to_contain_text("Well done on counting — try Shapes next")
    return notes


def test_a_note_from_the_hub_has_a_speaker_button_that_reads_it_aloud(sqlite_hub, tmp_path, browser):
    hub = sqlite_hub
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(2)
    kit("sync", "now")
    make_changes(hub, kit, ("note", {"text": "Well done on counting — try Shapes next"}))
    assert "1 change(s) from the hub applied" in kit("sync", "now").stdout
    server = KitServer(kit.data_dir, env=kit.env).start()
    try:
        tablet = new_context(browser, 360, 640, locale="en-GB").new_page()
        notes = _open_lessons(tablet, server)
        button = notes.get_by_role("button", name="Listen to the note")
        expect(button).to_be_visible()  # speak.js showed it: without JavaScript it stays hidden
        assert tablet.evaluate(
            f"{AUDIO}.paused && {AUDIO}.readyState === 0"
        )  # nothing fetched before the tap
        button.click()
        wait_true(tablet, f"!{AUDIO}.paused && {AUDIO}.currentTime > 0.2")
        wait_true(tablet, f"{AUDIO}.ended", timeout=20)  # the whole note, to its end
        duration = tablet.evaluate(f"{AUDIO}.duration")
        assert 2 < duration < 10, duration
        assert not (violations := axe_check(tablet)), describe(violations)
        tablet.context.close()

        wolof = new_context(browser, 360, 640, locale="wo").new_page()
        notes = _open_lessons(wolof, server)
        expect(notes.locator("button")).to_have_count(0)  # espeak-ng has no Wolof voice: read, not heard
        wolof.context.close()
    finally:
        server.stop()
