"""A child who reads only Kiswahili, or only Bangla, signs in and works through a lesson
on a 360 px tablet: every word of the kit they meet is in their language, from the class
list to the score."""

import re

import pytest
from playwright.sync_api import expect

from kit.packs.archive import build
from tests.conftest import KitServer, run_kit
from tests.content.samples import PACKS_DIR

from .conftest import new_context
from .learn_setup import seed_class
from .test_learner_pages import Weigher

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def kit(tmp_path_factory, mini_pack_file):
    """The mini pack and the Kiswahili first-steps; Class A (Ada, Ben with sun+moon)."""
    from kit.assignments import assign
    from kit.datafolder import open_data
    from kit.db import database

    data = tmp_path_factory.mktemp("own-language") / "data"
    swahili = tmp_path_factory.mktemp("packs") / "first-steps-sw.kitpack"
    build(PACKS_DIR / "first-steps-sw", swahili)
    run_kit(data, "init", "--site", "Truck 3")
    run_kit(data, "pack", "import", mini_pack_file)
    run_kit(data, "pack", "import", swahili)
    ids = seed_class(data)
    open_data(data)
    try:
        assign(ids["class"], "first-steps-sw", "01-touch")
    finally:
        database.close()
    server = KitServer(data).start()
    server.ids = ids
    yield server
    server.stop()


def step(page):
    return page.locator("section.step:not([hidden])")


def sign_in_with_pictures(page, url, pictures, go, weigher):
    """Ben's way in: his class, his name, his two pictures by their words, then Go; each
    page weighed on the way."""
    page.goto(url + "/")
    weigher.check("classes")
    page.get_by_role("link", name="Class A").click()
    page.wait_for_url(re.compile(r"/class/\d+$"))
    weigher.check("names")
    page.get_by_role("button", name="Ben").click()
    page.wait_for_url(re.compile(r"/signin/\d+$"))
    weigher.check("pictures")
    for word in pictures:
        page.get_by_text(word, exact=True).click()
    page.get_by_role("button", name=go).click()
    page.wait_for_url(re.compile(r"/lessons$"))
    page.wait_for_load_state("networkidle")  # the scripts it loads after "load" are its own
    weigher.check("lessons")


def test_a_child_who_reads_kiswahili_works_through_a_kiswahili_lesson(kit, browser):
    context = new_context(browser, 360, 640, locale="sw-KE")
    try:
        page = context.new_page()
        weigher = Weigher(page)  # every page within the HTML/CSS/JS budget, in Kiswahili too
        page.goto(kit.url + "/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Chagua darasa lako")
        sign_in_with_pictures(page, kit.url, ["Jua", "Mwezi"], "Nenda", weigher)
        expect(page.get_by_role("heading", level=1)).to_have_text("Masomo yangu")
        page.get_by_role("link", name=re.compile("Kugusa skrini")).click()
        page.wait_for_load_state("load")
        weigher.check("player")
        for _ in range(3):  # the three pages
            step(page).get_by_role("link", name="Endelea").click()
        step(page).get_by_label("Sukuma skrini kwa nguvu kwa mkono wote").check()
        step(page).get_by_role("button", name="Angalia").click()
        expect(step(page).locator(".feedback")).to_contain_text("Bado. Jaribu tena.")
        step(page).get_by_label("Gusa skrini kwa kidole kimoja na ukiinue mara moja").check()
        step(page).get_by_role("button", name="Angalia").click()
        expect(step(page).locator(".feedback")).to_contain_text("Sahihi!")
        step(page).get_by_role("link", name="Endelea").click()
        step(page).get_by_label("Mikono safi").check()
        step(page).get_by_label("Mikono mikavu").check()
        step(page).get_by_role("button", name="Angalia").click()
        expect(step(page).locator(".feedback")).to_contain_text("Sahihi!")
        step(page).get_by_role("link", name="Endelea").click()
        step(page).locator("input[type=text]").fill("Gusa")
        step(page).get_by_role("button", name="Angalia").click()
        expect(step(page).locator(".feedback")).to_contain_text("Ndiyo, kugusa!")
        step(page).get_by_role("link", name="Endelea").click()
        step(page).locator("input.answer").fill("2")
        step(page).get_by_role("button", name="Angalia").click()
        expect(step(page).locator(".feedback")).to_contain_text("Sahihi!")
        step(page).get_by_role("button", name="Maliza").click()
        expect(page.locator(".result .score p")).to_have_text(
            ["Alama zako: 75%", "Jaribio la kwanza: 3 kati ya 4 sahihi", "Umelimudu somo hili."],
            timeout=15000,
        )
    finally:
        context.close()


def test_a_child_who_reads_bangla_works_through_a_lesson_in_bangla(kit, browser):
    context = new_context(browser, 360, 640, locale="bn-BD")
    try:
        page = context.new_page()
        weigher = Weigher(page)  # Bangla takes 3 bytes a letter: still within the budget
        sign_in_with_pictures(page, kit.url, ["সূর্য", "চাঁদ"], "চলো", weigher)
        expect(page.get_by_role("heading", level=1)).to_have_text("আমার পাঠ")
        expect(page.locator(".lesson-card").first).to_contain_text("শুরু হয়নি")
        page.get_by_role("link", name=re.compile("Counting mangoes")).click()
        page.wait_for_load_state("load")
        weigher.check("player")
        expect(page.locator("#step-0")).to_have_attribute("aria-label", "পৃষ্ঠা ১, মোট ২")
        for _ in range(2):
            step(page).get_by_role("link", name="পরেরটি").click()
        step(page).get_by_label("Two").check()
        step(page).get_by_role("button", name="যাচাই করো").click()
        expect(step(page).locator(".feedback")).to_contain_text("এখনো হয়নি। আবার চেষ্টা করো।")
        expect(step(page).locator("details.hint summary")).to_have_text("ইঙ্গিত")
        step(page).get_by_label("Three").check()
        step(page).get_by_role("button", name="যাচাই করো").click()
        expect(step(page).locator(".feedback")).to_contain_text("ঠিক!")
        for answer in (("Mango", "Banana"), "3", "mango"):
            step(page).get_by_role("link", name="পরেরটি").click()
            if isinstance(answer, tuple):
                for label in answer:
                    step(page).get_by_label(label).check()
            else:
                step(page).locator("input.answer").fill(answer)
            step(page).get_by_role("button", name="যাচাই করো").click()
            expect(step(page).locator(".feedback")).to_contain_text("ঠিক!")
        step(page).get_by_role("button", name="শেষ করো").click()
        expect(page.locator(".result .score p")).to_have_text(
            ["তোমার স্কোর: ৭৫%", "প্রথম চেষ্টা: ৪-এর মধ্যে ৩টি ঠিক", "তুমি এই পাঠটি আয়ত্ত করেছ।"], timeout=15000
        )
        assert page.evaluate("document.fonts.check('16px \"Kit Bengali\"', 'ঠিক')")
    finally:
        context.close()
