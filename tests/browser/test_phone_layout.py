"""Every learner and teacher page, in every language, on a 360x640 phone: nothing overflows
sideways, every control is at least 44 x 44 CSS px, and nothing the page asks for is
missing (the favicon included)."""

import re

import pytest

from kit.web.i18n import LANGUAGES
from tests.conftest import KitServer

from .conftest import axe_check, describe, new_context
from .learn_setup import seed_class
from .teach_setup import ADMIN, add_accounts
from .test_teacher_pages import _seed_work
from .test_teacher_pages import pages as teacher_pages

pytestmark = pytest.mark.browser
MIN_TARGET = 44
LOCALES = {"en": "en-GB", "fr": "fr-FR", "sw": "sw-KE", "bn": "bn-BD", "wo": "wo-SN"}

# What a finger can tap: links, buttons, fields, disclosure summaries (a skip link is off
# the screen until a keyboard focuses it, and is left out). A checkbox or radio
# button is tapped through its label (the whole label is the target), so its label is measured.
MEASURE = """() => {
  const seen = [];
  const visible = el => {
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.visibility !== 'hidden' && style.display !== 'none' && box.width > 0 &&
      box.height > 0 && box.right > 0 && box.bottom > 0 && !el.closest('[hidden]');
  };
  const name = el => (el.getAttribute('aria-label') || el.textContent || el.value || el.name ||
                      el.outerHTML).trim().replace(/\\s+/g, ' ').slice(0, 50);
  for (const el of document.querySelectorAll(
      'a[href], button, select, textarea, summary, input:not([type=hidden])')) {
    let target = el;
    if (el.type === 'checkbox' || el.type === 'radio') {
      target = el.closest('label') || (el.id && document.querySelector(`label[for="${el.id}"]`)) || el;
    }
    if (!visible(target)) { continue; }
    const box = target.getBoundingClientRect();
    seen.push({tag: el.tagName.toLowerCase(), name: name(target),
               width: Math.round(box.width * 10) / 10, height: Math.round(box.height * 10) / 10});
  }
  return seen;
}"""

OVERFLOW = """() => {
  const wide = document.documentElement.scrollWidth;
  // A scroll box may scroll when what it holds is wider than the phone, never for a
  // stowaway (a visually hidden header that escaped it).
  const boxes = [...document.querySelectorAll('.scroll')].filter(box => {
    const inner = box.firstElementChild ? box.firstElementChild.getBoundingClientRect().width : 0;
    return box.scrollWidth > box.clientWidth + 1 && inner <= box.clientWidth + 1;
  }).map(box => box.innerHTML.slice(0, 80));
  return {wide, boxes};
}"""


@pytest.fixture(scope="module")
def kit(tmp_path_factory, mini_pack_file):
    """One kit: mini pack, accounts, Class A with work and sessions (as the teacher pages)."""
    from tests.conftest import run_kit

    data = tmp_path_factory.mktemp("phone") / "data"
    run_kit(data, "init", "--site", "Truck 3", "--location", "Mopti")
    run_kit(data, "pack", "import", mini_pack_file)
    add_accounts(data)
    ids = seed_class(data)
    _seed_work(data, ids)
    _seed_from_afar(data, ids)
    server = KitServer(data).start()
    server.ids = ids
    yield server
    server.stop()


def _seed_from_afar(data, ids):
    """What a remote teacher sent, as the agent applies it: the from-afar table then has rows."""
    from kit import from_afar
    from kit.datafolder import open_data
    from kit.db import database, write
    from kit.models import Classroom, Learner

    open_data(data)
    try:
        room = Classroom.get_by_id(ids["class"]).uuid
        ada = Learner.get_by_id(ids["ada"]).uuid
        base = {"class": room, "learner": "", "pack": "", "lesson": "", "due": "", "text": ""}
        changes = [
            {"kind": "assign", "pack": "mini", "lesson": "02-shapes", "due": "2026-03-31"},
            {"kind": "note", "learner": ada, "text": "Ada"},
            {"kind": "flag", "learner": ada, "text": "Ada"},
            {"kind": "install_pack", "pack": "mini"},
        ]
        with write():
            for seq, change in enumerate(changes, 1):
                made = {"id": f"change-{seq}", "seq": seq, "author": "Ada", "made_at": ""}
                from_afar.apply(base | made | change, via="online")
    finally:
        database.close()


def learner_pages(ids):
    steps = [f"/lesson/mini/01-count?step={n}" for n in range(7)]  # 2 pages, 4 questions, result
    return [
        "/",
        f"/class/{ids['class']}",
        f"/signin/{ids['ben']}",
        "@ada",
        "/lessons",
        *steps,
        "/lesson/mini/02-shapes",
        "/lesson/mini/no-such-lesson",
        "/no-such-page",
    ]


class Walk:
    """Visit pages in one phone context; collect every problem instead of stopping at one."""

    def __init__(self, context, url, lang):
        self.page = context.new_page()
        self.url, self.lang, self.problems, self.failed = url, lang, [], []
        self.page.on("response", self._response)

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.failed.append(f"{response.status} {response.url}")

    def visit(self, path, status=200):
        response = self.page.goto(self.url + path)
        self.page.wait_for_load_state("load")
        where = f"[{self.lang}] {path}"
        if response.status != status:
            self.problems.append(f"{where}: HTTP {response.status}, not {status}")
        if self.page.locator("html").get_attribute("lang") != self.lang:
            self.problems.append(f"{where}: not in {self.lang}")
        overflow = self.page.evaluate(OVERFLOW)
        if overflow["wide"] > 360:
            self.problems.append(f"{where}: {overflow['wide']} px wide on a 360 px screen")
        for box in overflow["boxes"]:
            self.problems.append(f"{where}: a scroll box scrolls for nothing: {box}")
        for target in self.page.evaluate(MEASURE):
            if target["width"] < MIN_TARGET or target["height"] < MIN_TARGET:
                self.problems.append(
                    f"{where}: {target['tag']} {target['name']!r} is "
                    f"{target['width']} x {target['height']} px"
                )
        icon = self.page.evaluate("""async () => {
            const link = document.querySelector('link[rel=icon]');
            return link ? (await fetch(link.href)).status : 'no icon link'; }""")
        if icon != 200:
            self.problems.append(f"{where}: favicon: {icon}")

    def check(self):
        problems = self.problems + [f"[{self.lang}] failed to load: {f}" for f in self.failed]
        assert not problems, "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_learner_page_fits_a_phone_with_big_targets(kit, browser, lang):
    context = new_context(browser, 360, 640, locale=LOCALES[lang])
    try:
        walk = Walk(context, kit.url, lang)
        for path in learner_pages(kit.ids):
            if path == "@ada":  # sign in as a child does, by tapping the name
                walk.page.goto(kit.url + f"/class/{kit.ids['class']}")
                walk.page.get_by_role("button", name="Ada").click()
                walk.page.wait_for_url(re.compile(r"/lessons$"))
                continue
            walk.visit(path, 404 if "no-such" in path else 200)
        walk.check()
        assert not context.outside_requests
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_teacher_page_fits_a_phone_with_big_targets(kit, browser, lang):
    context = new_context(browser, 360, 640, locale=LOCALES[lang])
    try:
        walk = Walk(context, kit.url, lang)
        walk.visit("/teach/login")
        walk.page.locator("#username").fill(ADMIN[0])
        walk.page.locator("#password").fill(ADMIN[1])
        walk.page.locator("form.card button[type=submit]").click()
        walk.page.wait_for_url(re.compile(r"/(teach|admin)/$"))
        for path, _shot in teacher_pages(kit.ids):
            walk.visit(path)
        walk.visit(f"/teach/classes/{kit.ids['class']}/from-afar")  # what came from afar, in a table
        walk.visit(f"/teach/classes/{kit.ids['class']}/certificates")
        walk.visit("/admin/sync/")  # an admin page the sync package plugs in
        walk.visit("/teach/no-such-page", 404)
        walk.check()
        assert not context.outside_requests
    finally:
        context.close()


def test_the_favicon_is_where_browsers_look_unasked(kit, browser):
    context = new_context(browser)
    try:
        response = context.request.get(kit.url + "/favicon.ico")
        assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
        assert response.body().startswith(b"<svg")
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_error_pages_on_a_phone_are_translated_accessible_and_lead_back(kit, browser, lang):
    """A child whose lesson was taken away lands on a page in their language with one big
    button back to their lessons; a teacher's lost page leads back to the classes."""
    context = new_context(browser, 360, 640, locale=LOCALES[lang])
    words = {
        "en": ("We cannot find this page", "My lessons", "Page not found", "Classes"),
        "fr": ("Nous ne trouvons pas cette page", "Mes leçons", "Page introuvable", "Classes"),
        "sw": ("Hatuwezi kupata ukurasa huu", "Masomo yangu", "Ukurasa haupatikani", "Madarasa"),
        "bn": ("আমরা এই পৃষ্ঠাটি খুঁজে পাচ্ছি না", "আমার পাঠ", "পৃষ্ঠা পাওয়া যায়নি", "ক্লাস"),
        "wo": ("Gisuñu xët wii", "Samay njàng", "Gisuñu xët wi", "Kalaas yi"),
    }
    child_title, child_button, teacher_title, teacher_button = words[lang]
    try:
        page = context.new_page()
        page.goto(kit.url + f"/class/{kit.ids['class']}")
        page.get_by_role("button", name="Ada").click()
        page.wait_for_url(re.compile(r"/lessons$"))
        response = page.goto(kit.url + "/lesson/mini/taken-away")
        assert response.status == 404
        assert page.get_by_role("heading", level=1).inner_text() == child_title
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        button = page.get_by_role("link", name=child_button)
        box = button.bounding_box()
        assert box["width"] >= 280 and box["height"] >= MIN_TARGET  # the page's whole width
        violations = axe_check(page)
        assert not violations, describe(violations)
        button.click()
        page.wait_for_url(kit.url + "/lessons")

        response = page.goto(kit.url + "/teach/no-such-page")
        assert response.status == 404
        assert page.get_by_role("heading", level=1).inner_text() == teacher_title
        violations = axe_check(page)
        assert not violations, describe(violations)
        page.locator("main").get_by_role("link", name=teacher_button).click()
        page.wait_for_url(re.compile(r"/teach/"))
    finally:
        context.close()
