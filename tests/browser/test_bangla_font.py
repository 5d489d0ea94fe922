"""The Bangla web font: a page with Bangla text fetches it and draws the script with it;
a page without any never fetches it, so the other languages' pages weigh what they did."""

import re

import pytest

from tests.conftest import KitServer, run_kit

from .conftest import new_context
from .learn_setup import seed_class
from .teach_setup import ADMIN, add_accounts
from .test_phone_layout import LOCALES

pytestmark = pytest.mark.browser
FONT = "/static/fonts/noto-sans-bengali.woff2"
WORD = "সূর্য"
# Width of a Bangla word drawn with the kit's font, and with no web font at all (the
# system's fallback: on a machine without a Bangla font, empty boxes).
WIDTHS = """async (word) => {
  await document.fonts.ready;
  const span = (family) => {
    const el = document.createElement('span');
    el.style.fontFamily = family; el.style.fontSize = '32px'; el.textContent = word;
    document.body.appendChild(el); const width = el.getBoundingClientRect().width; el.remove();
    return width;
  };
  return {kit: span('"Kit Bengali"'), none: span('monospace')};
}"""


@pytest.fixture(scope="module")
def kit(tmp_path_factory, mini_pack_file):
    """A kit with the mini pack and Class A (Ada, Ben), served on loopback."""
    data = tmp_path_factory.mktemp("font") / "data"
    run_kit(data, "init", "--site", "Truck 3")
    run_kit(data, "pack", "import", mini_pack_file)
    ids = seed_class(data)
    server = KitServer(data).start()
    server.ids = ids
    yield server
    server.stop()


def walk(kit, browser, lang):
    """Sign in as Ada in `lang` and open her lessons and a lesson; return (page, font responses)."""
    context = new_context(browser, 360, 640, locale=LOCALES[lang])
    fetched = []
    context.on("response", lambda r: fetched.append((r.status, r.headers)) if FONT in r.url else None)
    page = context.new_page()
    page.goto(kit.url + "/")
    page.goto(kit.url + f"/class/{kit.ids['class']}")
    page.get_by_role("button", name="Ada").click()
    page.wait_for_url(re.compile(r"/lessons$"))
    page.goto(kit.url + "/lesson/mini/01-count?step=2")
    page.evaluate("document.fonts.ready.then(() => true)")
    return context, page, fetched


@pytest.mark.parametrize("lang", ["en", "fr", "sw", "wo"])
def test_pages_without_bangla_never_fetch_the_font(kit, browser, lang):
    context, page, fetched = walk(kit, browser, lang)
    try:
        assert page.locator("html").get_attribute("lang") == lang
        assert fetched == []
    finally:
        context.close()


def test_bangla_pages_fetch_the_font_and_draw_the_script_with_it(kit, browser):
    context, page, fetched = walk(kit, browser, "bn")
    try:
        assert page.locator("html").get_attribute("lang") == "bn"
        # Static files are revalidated (ETag): later pages get it from the browser's cache.
        assert fetched and {status for status, _ in fetched} <= {200, 304}
        assert fetched[0][1]["content-type"] == "font/woff2"
        assert page.evaluate("document.fonts.check('16px \"Kit Bengali\"', 'সূর্য')")
        widths = page.evaluate(WIDTHS, WORD)
        assert widths["kit"] > 0 and abs(widths["kit"] - widths["none"]) > 1, widths
    finally:
        context.close()


def test_teacher_pages_in_english_fetch_it_only_for_the_language_list(kit, browser):
    """The teacher's header lists "বাংলা" in its own script, so a signed-in teacher's page
    fetches the font (once, then revalidated); the sign-in page, without the list, does not."""
    add_accounts(kit.data_dir)
    context = new_context(browser, 360, 640, locale="en-GB")
    fetched = []
    context.on("response", lambda r: fetched.append(r.status) if FONT in r.url else None)
    try:
        page = context.new_page()
        page.goto(kit.url + "/teach/login")
        page.evaluate("document.fonts.ready.then(() => true)")
        assert fetched == []
        page.locator("#username").fill(ADMIN[0])
        page.locator("#password").fill(ADMIN[1])
        page.locator("form.card button[type=submit]").click()
        page.wait_for_url(re.compile(r"/(teach|admin)/$"))
        page.evaluate("document.fonts.ready.then(() => true)")
        assert page.locator("#lang-select option[value=bn]").inner_text() == "বাংলা"
        assert fetched and set(fetched) <= {200, 304}
    finally:
        context.close()
