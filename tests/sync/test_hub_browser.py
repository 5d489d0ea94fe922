"""A programme manager uses the hub's pages in a real Chromium: sign in, read kits, make an enrol code."""

import re

import pytest

from tests.browser.conftest import watch_csp

from .conftest import make_kit, sign_in_browser

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium(browser):
    """The run's shared Chromium (tests/conftest.py)."""
    return browser


@pytest.fixture
def truck(sqlite_hub, tmp_path):
    """Kit "Truck 2", enrolled at the hub, its five opened lessons synced."""
    kit = make_kit(tmp_path, "Truck 2", sqlite_hub)
    kit.add_events(5, kind="lesson_opened")
    kit("sync", "now")
    return kit


def test_manager_signs_in_reads_kits_and_makes_an_enrol_code(sqlite_hub, truck, tmp_path, chromium):
    hub, kit = sqlite_hub, truck
    context = watch_csp(chromium.new_context(viewport={"width": 1024, "height": 700}, locale="en-GB"))
    page = context.new_page()
    try:
        page.goto(hub.url + "/")
        assert page.url.startswith(hub.url + "/signin")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "correct horse")
        page.click("button:has-text('Sign in')")
        page.wait_for_selector("h1:has-text('Kits')")
        # the styles come from /static/hub.css: the page's policy allows no inline <style>
        assert (
            page.evaluate("getComputedStyle(document.querySelector('header')).backgroundColor")
            == "rgb(34, 51, 68)"
        )
        row = page.locator("tr", has_text="Truck 2")
        assert "5" in row.inner_text() and "active" in row.inner_text()
        page.click("text=Learners reached")
        assert page.locator("td", has_text="Site Truck 2").count() == 1
        page.click("text=Enrol a kit")
        page.fill("input[name=name]", "Truck 3")
        page.click("button:has-text('Make an enrol code')")
        code = page.inner_text("#code")
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", code)
        page.screenshot(path=str(tmp_path / "hub-enrol.png"))
        page.click("text=Kits")
        page.locator("tr", has_text="Truck 2").locator("button:has-text('Revoke')").click()
        page.wait_for_selector("text=Kit revoked")
        assert "revoked" in page.locator("tr", has_text="Truck 2").inner_text()
        assert context.csp_violations == []
    finally:
        context.close()
    failed = kit("sync", "now", check=False)
    assert "revoked" in failed.stdout


def test_every_hub_page_fits_a_phone(sqlite_hub, truck, chromium):
    """A manager in the field reads the hub on a 360 px phone: no page is wider than the
    screen (a wide table scrolls by itself)."""
    hub = sqlite_hub
    context = watch_csp(chromium.new_context(viewport={"width": 360, "height": 740}, locale="en-GB"))
    page = context.new_page()
    try:
        sign_in_browser(page, hub)
        wide = {}
        for path in (
            "/",
            "/classes",
            "/reports/learners",
            "/reports/hours",
            "/reports/completion",
            "/reports/certificates",
            "/programme",
            "/certificates",
            "/enroll",
            "/import",
            "/verify",
        ):
            page.goto(hub.url + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                wide[path] = width
        assert wide == {}
        assert context.csp_violations == []
    finally:
        context.close()
