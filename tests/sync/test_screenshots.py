"""Pictures for docs/hub-operators-guide.md and docs/field-guide-sync.md, taken from real pages.

A kit with learners' work is enrolled and synced with a real hub; Chromium then shows the
hub's pages and the kit's sync page. With KIT_SCREENSHOTS=1 the pictures go to docs/img/.
"""

import pytest

from tests.browser.teach_setup import shot
from tests.conftest import KitServer

from .conftest import make_kit, sign_in_browser

pytestmark = pytest.mark.browser


def test_hub_and_kit_sync_pages_screenshots(sqlite_hub, tmp_path, browser):
    hub = sqlite_hub
    kit = make_kit(tmp_path, "Truck 2", hub)
    kit.add_events(40, kind="lesson_opened")
    kit.add_events(12, kind="lesson_completed", learner_name="Kofi")
    kit.add_events(30, kind="time_spent", payload={"seconds": 600})
    kit.add_events(20, kind="time_spent", learner_name="Kofi", payload={"seconds": 900})
    kit("sync", "now")
    kit.add_events(7, learner_name="Awa")  # waiting for the next sync, shown on the kit's page
    kit("users", "add", "boss", "--role", "admin", "--password-stdin", input="boss-password-1\n")
    server = KitServer(kit.data_dir, env=kit.env).start()
    context = browser.new_context(viewport={"width": 1024, "height": 700}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in_browser(page, hub)
        shot(page, "hub-kits", tmp_path)
        page.goto(hub.url + "/reports/hours")
        assert page.locator("td", has_text="Site Truck 2").count() >= 1
        shot(page, "hub-hours", tmp_path)
        page.goto(hub.url + "/enroll")
        page.fill("input[name=name]", "Truck 3")
        page.click("button:has-text('Make an enrol code')")
        page.wait_for_selector("#code")
        shot(page, "hub-enrol-code", tmp_path)

        page.goto(server.url + "/teach/login")
        page.get_by_label("User name").fill("boss")
        page.get_by_label("Password").fill("boss-password-1")
        page.get_by_role("button", name="Sign in").click()
        page.goto(server.url + "/admin/sync/")
        page.wait_for_selector("text=Events waiting")
        assert "Truck 2" in page.content()
        shot(page, "kit-sync-page", tmp_path)
    finally:
        context.close()
        server.stop()
