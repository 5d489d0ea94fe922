"""What learners see, step by step, on a 360x640 tablet: the pictures in the teacher's guide.

With KIT_SCREENSHOTS=1 the pictures are written to docs/img/ (see teach_setup.shot).
"""

import pytest
from playwright.sync_api import expect

from .conftest import new_context
from .teach_setup import shot

pytestmark = pytest.mark.browser


def test_learner_journey_screenshots(browser, served, tmp_path):
    server, _ids = served
    context = new_context(browser, 360, 640)
    page = context.new_page()
    try:
        page.goto(server.url + "/")
        expect(page.get_by_role("link", name="Class A")).to_be_visible()
        shot(page, "learner-classes", tmp_path)
        page.get_by_role("link", name="Class A").click()
        expect(page.get_by_role("button", name="Ben")).to_be_visible()
        shot(page, "learner-names", tmp_path)
        page.get_by_role("button", name="Ben").click()
        expect(page.get_by_text("Tap your two pictures")).to_be_visible()
        page.locator("label[for=pic-sun]").click()
        page.locator("label[for=pic-moon]").click()
        shot(page, "learner-pictures", tmp_path)
        page.get_by_role("button", name="Go").click()
        expect(page.get_by_role("link", name="Counting mangoes")).to_be_visible()
        shot(page, "learner-lessons", tmp_path)
        page.get_by_role("link", name="Counting mangoes").click()
        expect(page.get_by_role("heading", name="Count", exact=True)).to_be_visible()
        shot(page, "learner-lesson", tmp_path)
        for _ in range(2):
            page.locator("section.step:not([hidden])").get_by_role("link", name="Next").click()
        step = page.locator("section.step:not([hidden])")
        step.get_by_label("Two").check()
        step.get_by_role("button", name="Check").click()
        expect(step.locator(".feedback")).to_contain_text("Not yet. Try again.")
        shot(page, "learner-quiz-feedback", tmp_path)
    finally:
        context.close()
