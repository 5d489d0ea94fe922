"""The issue's "done when", in real Chromium against a real hub and a real kit: a remote teacher assigns a
lesson and writes a note on the hub; the kit syncs; the learner sees both; the local teacher sees what came
down; the hub shows it delivered and seen. Also takes the pictures in the guides (KIT_SCREENSHOTS=1)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_context
from tests.browser.teach_setup import shot
from tests.conftest import KitServer

from .conftest import make_kit, sign_in_browser

pytestmark = pytest.mark.browser


def test_a_note_and_a_lesson_from_the_hub_reach_the_learner_and_come_back_seen(
    sqlite_hub, tmp_path, browser, mini_pack_file
):
    hub = sqlite_hub
    kit = make_kit(tmp_path, "Truck 1", hub)
    kit("pack", "import", mini_pack_file)
    kit.add_events(3, kind="answer")
    kit.add_events(1, kind="help_requested", learner_name="Kofi")
    kit("users", "add", "boss", "--role", "admin", "--password-stdin", input="boss-password-1\n")
    kit("users", "add", "amina", "--role", "teacher", "--password-stdin", input="amina-password-2\n")
    kit("sync", "now")
    hub.kit("users", "add", "juma", "--role", "remote-teacher", "--password-stdin", input="correct horse\n")
    hub.kit("users", "scope", "juma", "--kit", "Truck 1", "--class", "Morning class")
    server = KitServer(kit.data_dir, env=kit.env).start()
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in_browser(page, hub, "juma")
        page.wait_for_selector("h1:has-text('My classes')")
        expect(page.get_by_role("link", name="Kits")).to_have_count(0)  # a manager's page, not theirs
        page.get_by_role("link", name="Morning class").click()
        expect(page.locator(".asof")).to_contain_text("As of the kit's last sync")
        expect(page.get_by_text("Kofi — asked for help")).to_be_visible()
        page.fill("input[name=pack]", "mini")
        page.fill("input[name=lesson]", "02-shapes")
        page.fill("input[name=due]", "2026-03-31")
        page.get_by_role("button", name="Assign", exact=True).click()
        page.select_option("select[name=learner]", label="Ama")
        page.fill("textarea[name=text]", "Well done on counting — try Shapes next")
        page.get_by_role("button", name="Send the note").click()
        expect(page.locator("table.sent tbody tr")).to_have_count(2)
        expect(page.locator("table.sent")).to_contain_text("waiting for the kit's next sync")

        assert "2 change(s) from the hub applied" in kit("sync", "now").stdout

        tablet = new_context(browser, 360, 640).new_page()
        tablet.goto(server.url + "/")
        tablet.get_by_role("link", name="Morning class").click()
        tablet.get_by_role("button", name="Ama").click()
        notes = tablet.locator("section.from-teacher")
        expect(notes).to_contain_text("From your teacher")
        expect(notes).to_contain_text("Well done on counting — try Shapes next")
        expect(tablet.get_by_role("link", name="Shapes")).to_be_visible()
        shot(tablet, "learner-note", tmp_path)
        tablet.context.close()

        # Its own context: cookies ignore the port, so the kit's session would replace the hub's.
        kit_context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="en-GB")
        teacher = kit_context.new_page()
        teacher.goto(server.url + "/teach/login")
        teacher.get_by_label("User name").fill("amina")
        teacher.get_by_label("Password").fill("amina-password-2")
        teacher.get_by_role("button", name="Sign in").click()
        teacher.get_by_role("link", name="Morning class").first.click()
        teacher.get_by_role("link", name="From the remote teacher").click()
        table = teacher.locator("table.from-afar")
        expect(table).to_contain_text("mini / 02-shapes")
        expect(table).to_contain_text("Well done on counting")
        expect(table.locator("tr", has_text="Well done on counting")).to_contain_text("delivered · seen")
        shot(teacher, "teacher-from-afar", tmp_path)
        kit_context.close()

        kit("sync", "now")  # carries "applied" and "seen" up as events
        page.reload()
        rows = page.locator("table.sent tbody tr")
        expect(rows.filter(has_text="Well done on counting")).to_contain_text("seen by the learner")
        expect(rows.filter(has_text="02-shapes")).to_contain_text("delivered")
        shot(page, "hub-remote-class", tmp_path)
    finally:
        context.close()
        server.stop()
