"""Pseudo-localisation: every string of every catalogue made 40 % longer and accented, then
the learner and teacher pages walked at 360 px in Chromium.

A kit is served from a copy of the sources whose Wolof catalogues (learn, teach, sync) are
replaced by the pseudo ones, so no test-only language reaches the product. A page fails if
a text overflows its box (what a longer translation would do) or if a word is still plain
ASCII (a string that no catalogue can translate: in a template, in Python or in the
JavaScript), unless it is data: names, the pack's own words, units, Babel's month names.
"""

import math
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from kit.web.i18n import LANGUAGES
from tests.conftest import ROOT, KitServer, run_kit, wait_http

from .conftest import new_context
from .learn_setup import seed_class
from .teach_setup import ADMIN, add_accounts
from .test_phone_layout import learner_pages
from .test_teacher_pages import _seed_work
from .test_teacher_pages import pages as teacher_pages

pytestmark = pytest.mark.browser
CODE = "wo"  # the language whose catalogues the copy replaces
ACCENTED = dict(
    zip(
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
        "áƀçđéƒĝĥíĵķĺɱñóþǫŕšţúṽŵẋýžÁƁÇĐÉƑĜĤÍĴĶĹṀÑÓÞǪŔŠŢÚṼŴẊÝŽ",
        strict=True,
    )
)
PLACEHOLDER = re.compile(r"(%\([a-z_]+\)s|%%)")
CATALOGUES = ["kit/translations/learn", "kit/translations/teach", "sync/translations"]
# Words shown that no catalogue should translate: unit symbols the kit prints after numbers.
UNITS = {"KB", "MB", "GB"}


def pseudo(text):
    """Accent every letter outside placeholders and add 40 % more characters of padding."""
    parts = PLACEHOLDER.split(text)
    accented = "".join(
        p if PLACEHOLDER.fullmatch(p) else "".join(ACCENTED.get(c, c) for c in p) for p in parts
    )
    extra = math.ceil(len(text) * 0.4)
    padding = " ".join("ẍ" * min(5, extra - i) for i in range(0, extra, 6))
    return f"[{accented} {padding}]"


def write_pseudo(pot, folder):
    """A compiled pseudo catalogue for every message of `pot`, as folder/CODE/LC_MESSAGES/messages.mo."""
    with open(pot, "rb") as handle:
        catalogue = read_po(handle, locale=CODE)
    for message in catalogue:
        if not message.id:
            continue
        if isinstance(message.id, str):
            message.string = pseudo(message.id)
        else:
            message.string = tuple(pseudo(message.id[-1]) for _ in range(catalogue.num_plurals))
    out = Path(folder) / CODE / "LC_MESSAGES"
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "messages.mo", "wb") as handle:
        write_mo(handle, catalogue)


class SourceCopyServer(KitServer):
    """`kit serve` run from a copy of the sources (its own cwd, first on sys.path)."""

    def __init__(self, data_dir, source):
        super().__init__(data_dir, env={"PYTHONPATH": str(source)})
        self.source = source

    def start(self):
        env = {**os.environ, "KIT_DATA": str(self.data_dir), **self.env}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "kit", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=env,
                cwd=self.source,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_http(self.url + "/healthz", process=self.process)
        return self


@pytest.fixture(scope="module")
def pseudo_kit(tmp_path_factory, mini_pack_file):
    source = tmp_path_factory.mktemp("pseudo-src")
    ignore = shutil.ignore_patterns("__pycache__", "*.mo")
    for package in ("kit", "sync"):
        shutil.copytree(ROOT / package, source / package, ignore=ignore)
    for folder in CATALOGUES:  # the other languages' .mo files, back
        for mo in (ROOT / folder).glob("*/LC_MESSAGES/messages.mo"):
            target = source / mo.relative_to(ROOT)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(mo, target)
        write_pseudo(ROOT / folder / "messages.pot", source / folder)
    data = tmp_path_factory.mktemp("pseudo") / "data"
    run_kit(data, "init", "--site", "Truck 3", "--location", "Mopti")
    run_kit(data, "pack", "import", mini_pack_file)
    add_accounts(data)
    ids = seed_class(data)
    _seed_work(data, ids)
    server = SourceCopyServer(data, source).start()
    server.ids = ids
    yield server
    server.stop()


def data_words():
    """Words the pages may show untranslated: the seeded names and the pack's own text."""
    words = {"Ada", "Ben", "Class", "Truck", "Mopti", "The", "Boss", "boss", "Amina", "amina", "Cy"}
    for path in (ROOT / "tests" / "fixtures" / "packs" / "mini").rglob("*"):
        if path.suffix in (".md", ".yaml", ".vtt", ".txt", ".svg"):
            words |= set(re.findall(r"[A-Za-z]+", path.read_text(encoding="utf-8")))
    locale = Locale.parse(CODE)
    for names in (locale.months, locale.days):
        for widths in names.values():
            for width in widths.values():
                for name in width.values():
                    words |= set(re.findall(r"[A-Za-z]+", name))
    return words | UNITS | {word for label, _dir in LANGUAGES.values() for word in label.split()}


# Each visible text, and where it sticks out of the box that holds it: the nearest
# ancestor that is not an inline box (a button, a cell, a paragraph).
INSPECT = """() => {
  const out = {overflow: [], texts: []};
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const hidden = el => {
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || e.hidden) return true;
      if (s.clip === 'rect(0px, 0px, 0px, 0px)' || (e.getBoundingClientRect().width <= 1 && s.overflow === 'hidden')) return true;
    }
    return false;
  };
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    if (!text || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(node.parentElement.tagName) || hidden(node.parentElement)) continue;
    out.texts.push(text);
    let box = node.parentElement;
    while (box && getComputedStyle(box).display === 'inline') box = box.parentElement;
    const range = document.createRange(); range.selectNodeContents(node);
    const r = range.getBoundingClientRect(), b = box.getBoundingClientRect();
    // Inside a scroll box (a wide table), text may lie beyond the screen, not beyond its cell.
    const offScreen = !node.parentElement.closest('.scroll') && r.right > window.innerWidth + 1;
    if (r.width && (r.right > b.right + 1 || r.left < b.left - 1 || offScreen)) {
      out.overflow.push(`${text.slice(0, 50)} (${Math.round(r.left)}-${Math.round(r.right)} in ${box.tagName} ${Math.round(b.left)}-${Math.round(b.right)})`);
    }
  }
  for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], img[alt], input[type=submit]')) {
    for (const name of ['placeholder', 'aria-label', 'title', 'alt', 'value']) {
      if (el.getAttribute(name) && (name !== 'value' || el.type === 'submit')) out.texts.push(el.getAttribute(name));
    }
  }
  out.wide = document.documentElement.scrollWidth;
  return out;
}"""


class PseudoWalk:
    def __init__(self, context, url):
        self.page, self.url, self.problems = context.new_page(), url, []
        self.allowed = data_words()

    def visit(self, path, status=200):
        response = self.page.goto(self.url + path)
        self.page.wait_for_load_state("load")
        self.page.evaluate("document.fonts.ready.then(() => true)")
        self.check(path, response.status, status)

    def check(self, path, got, status):
        if got != status:
            self.problems.append(f"{path}: HTTP {got}, not {status}")
        found = self.page.evaluate(INSPECT)
        if found["wide"] > 360:
            self.problems.append(f"{path}: the page is {found['wide']} px wide")
        self.problems += [f"{path}: overflows: {o}" for o in found["overflow"]]
        for text in found["texts"]:
            text = re.sub(r"https?://\S+", "", text)  # an address is data
            ascii_words = {w for w in re.findall(r"[^\W\d_]+", text) if w.isascii() and len(w) > 1}
            plain = sorted(ascii_words - self.allowed)
            if plain:
                self.problems.append(f"{path}: not translatable: {plain} in {text[:60]!r}")


def test_learner_pages_take_longer_words_and_every_string_is_translatable(pseudo_kit, browser):
    context = new_context(browser, 360, 640, locale=CODE)
    try:
        walk = PseudoWalk(context, pseudo_kit.url)
        for path in learner_pages(pseudo_kit.ids):
            if path == "@ada":
                walk.page.goto(pseudo_kit.url + f"/class/{pseudo_kit.ids['class']}")
                walk.page.get_by_role("button", name="Ada").click()
                walk.page.wait_for_url(re.compile(r"/lessons$"))
                walk.check("/lessons (signed in)", 200, 200)
                continue
            walk.visit(path, 404 if "no-such" in path else 200)
        # What the JavaScript writes: an answer's feedback and the "saved" line.
        walk.visit("/lesson/mini/01-count?step=2")
        step = walk.page.locator("section.step:not([hidden])")
        step.locator("input[type=radio]").first.check()
        step.locator("button[type=submit]").click()
        expect(step.locator(".feedback")).not_to_be_empty()
        expect(walk.page.locator("#save-status")).not_to_be_empty()
        walk.check("/lesson/mini/01-count?step=2 (answered)", 200, 200)
        assert not walk.problems, "\n".join(dict.fromkeys(walk.problems))
    finally:
        context.close()


def test_teacher_pages_take_longer_words_and_every_string_is_translatable(pseudo_kit, browser):
    context = new_context(browser, 360, 640, locale=CODE)
    try:
        walk = PseudoWalk(context, pseudo_kit.url)
        walk.visit("/teach/login")
        walk.page.locator("#username").fill(ADMIN[0])
        walk.page.locator("#password").fill(ADMIN[1])
        walk.page.locator("form.card button[type=submit]").click()
        walk.page.wait_for_url(re.compile(r"/(teach|admin)/$"))
        for path, _shot in teacher_pages(pseudo_kit.ids):
            walk.visit(path)
        walk.visit("/admin/sync/")
        walk.visit("/teach/no-such-page", 404)
        assert not walk.problems, "\n".join(dict.fromkeys(walk.problems))
    finally:
        context.close()


def test_live_class_pages_take_longer_words_and_every_string_is_translatable(pseudo_kit, browser):
    """Last in this file: once a live class runs, the class's tablets go to it."""
    teacher_context = new_context(browser, 360, 640, locale=CODE)
    tablet_context = new_context(browser, 360, 640, locale=CODE)
    projector_context = new_context(browser, 360, 640, locale=CODE)
    try:
        teacher = PseudoWalk(teacher_context, pseudo_kit.url)
        teacher.page.goto(pseudo_kit.url + "/teach/login")
        teacher.page.locator("#username").fill(ADMIN[0])
        teacher.page.locator("#password").fill(ADMIN[1])
        teacher.page.locator("form.card button[type=submit]").click()
        teacher.page.wait_for_url(re.compile(r"/(teach|admin)/$"))
        teacher.page.goto(pseudo_kit.url + f"/teach/classes/{pseudo_kit.ids['class']}")
        teacher.page.locator("#live-what").select_option(index=1)
        teacher.page.locator("form[action$='/live'] button[type=submit]").click()
        teacher.page.wait_for_url(re.compile(r"/teach/live/\d+$"))
        teacher.page.wait_for_load_state("load")
        code = teacher.page.locator("#live-code").inner_text()
        code_words = set(re.findall(r"[A-Za-z]+", code))  # the live class's code is data
        teacher.allowed |= code_words
        teacher.check("/teach/live/…", 200, 200)

        tablet = PseudoWalk(tablet_context, pseudo_kit.url)
        tablet.page.goto(pseudo_kit.url + f"/class/{pseudo_kit.ids['class']}")
        tablet.page.get_by_role("button", name="Ada").click()
        tablet.page.wait_for_url(re.compile(r"/live$"))
        tablet.page.wait_for_load_state("load")
        tablet.check("/live", 200, 200)

        projector = PseudoWalk(projector_context, pseudo_kit.url)
        projector.allowed |= code_words
        projector.visit("/projector")
        projector.page.locator("input[name=code]").fill(code)
        projector.page.locator("form.card button[type=submit]").click()
        projector.page.wait_for_load_state("load")
        projector.check("/projector (with its code)", 200, 200)
        problems = teacher.problems + tablet.problems + projector.problems
        assert not problems, "\n".join(dict.fromkeys(problems))
    finally:
        for context in (teacher_context, tablet_context, projector_context):
            context.close()
