"""Browser fixtures: one headless Debian Chromium per test session, driven by Playwright.

Shared by the learner and teacher browser tests. Every page request is routed through
`block_outside`: anything not on loopback fails the test (the kit works offline). Every
context is watched with `watch_csp`: a Content-Security-Policy violation fails the test.
"""

import json
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


# `playwright_instance` and `browser` live in tests/conftest.py: one Playwright per run,
# shared by every area (the sync API refuses a second one in the same process).


class OutsideRequests(list):
    """The non-loopback URLs a page tried to fetch (each was aborted)."""


def block_outside(context):
    """Abort every request that leaves loopback; return the list that records them."""
    outside = OutsideRequests()

    def route(route_obj):
        url = route_obj.request.url
        parsed = urlparse(url)
        if (
            parsed.scheme in ("data", "blob")
            or parsed.hostname in LOOPBACK_HOSTS
            or (parsed.hostname or "").startswith("127.")
        ):
            route_obj.continue_()
        else:
            outside.append(url)
            route_obj.abort()

    context.route("**/*", route)
    return outside


# Runs before any page script; the binding reaches the test even across navigations.
CSP_WATCH = (
    "document.addEventListener('securitypolicyviolation', e => window.__cspViolation("
    "e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' on ' + e.documentURI), true);"
)
_watched = []


def watch_csp(context):
    """Record every Content-Security-Policy violation a page of the context reports (event or console)."""
    violations = []
    context.expose_binding("__cspViolation", lambda _source, text: violations.append(text))
    context.add_init_script(CSP_WATCH)
    context.on(
        "console",
        lambda message: (
            violations.append(message.text)
            if message.type == "error" and "Content Security Policy" in message.text
            else None
        ),
    )
    context.csp_violations = violations
    _watched.append(context)
    return context


@pytest.fixture(autouse=True)
def no_csp_violations():
    """Fail a browser test whose pages broke the kit's or hub's Content-Security-Policy."""
    start = len(_watched)
    yield
    seen = [text for context in _watched[start:] for text in context.csp_violations]
    del _watched[start:]
    assert not seen, f"Content-Security-Policy violations: {seen}"


def new_context(browser, width=360, height=640, **options):
    """A fresh browser context (own cookies and storage), outside requests blocked, CSP watched."""
    context = browser.new_context(
        viewport={"width": width, "height": height}, has_touch=True, is_mobile=True, **options
    )
    context.outside_requests = block_outside(context)
    context.set_default_timeout(10000)
    return watch_csp(context)


@pytest.fixture
def context_360(browser):
    """A 360x640 touch context like the tablets'; fails the test if it left loopback."""
    context = new_context(browser)
    yield context
    outside = list(context.outside_requests)
    context.close()
    assert not outside, f"pages fetched from outside the kit: {outside}"


def wait_true(page, expression, timeout=10.0):
    """Poll a JS expression until it is true, with page.evaluate.

    Not page.wait_for_function: it polls by compiling the expression inside the page,
    which the pages' Content-Security-Policy (no eval) refuses; page.evaluate runs over
    the DevTools protocol, which the policy does not govern.
    """
    from playwright.sync_api import Error

    deadline = time.monotonic() + timeout
    while True:
        try:
            if page.evaluate(expression):
                return
        except Error as exc:  # a navigation replaced the page under the evaluation: try again
            if "context was destroyed" not in str(exc) and "navigat" not in str(exc):
                raise
        assert time.monotonic() < deadline, f"{expression} not true within {timeout} s"
        page.wait_for_timeout(50)


def axe_check(page):
    """Run axe-core in the page; return its serious or critical violations (WCAG 2.1 AA)."""
    assert AXE.is_file(), "run `npm ci` in tests/browser to install axe-core"
    page.evaluate(AXE.read_text(encoding="utf-8"))  # not a <script>: the page's CSP allows no inline script
    result = page.evaluate("""async () => {
        const r = await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
        return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return [v for v in result if v["impact"] in ("serious", "critical")]


def describe(violations):
    return json.dumps(violations, indent=1)


@pytest.fixture
def served(installed_kit):
    """A real `kit serve` over a kit with the mini pack and "Class A" (Ada, Ben): (server, ids)."""
    from tests.conftest import KitServer

    from .learn_setup import seed_class

    ids = seed_class(installed_kit)
    server = KitServer(installed_kit).start()
    yield server, ids
    server.stop()


@pytest.fixture(scope="session")
def sign_pack_file(tmp_path_factory):
    """The mini pack with sign clips (ffmpeg test patterns, not signing), built once."""
    from kit.packs.archive import build
    from tests.packs.sign_pack import make_sign_pack

    folder = make_sign_pack(tmp_path_factory.mktemp("signs") / "mini")
    out = folder.parent / "mini-signs.kitpack"
    build(folder, out)
    return out


@pytest.fixture
def served_signs(initialised, sign_pack_file):
    """A real `kit serve` over the sign pack (as "mini") and "Class A": (server, ids)."""
    from tests.conftest import KitServer, run_kit

    from .learn_setup import seed_class

    run_kit(initialised, "pack", "import", sign_pack_file)
    ids = seed_class(initialised)
    server = KitServer(initialised).start()
    yield server, ids
    server.stop()
