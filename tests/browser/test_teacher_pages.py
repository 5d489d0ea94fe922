"""Every teacher and admin page passes axe-core (WCAG 2.1 AA, no serious or critical issue);
learner sessions and forged CSRF tokens are refused in a real browser; packs upload with
a progress bar; first-run setup."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import KitServer

from .conftest import axe_check, block_outside, describe, watch_csp
from .learn_setup import seed_class
from .teach_setup import ADMIN, add_accounts, shot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def served(tmp_path_factory, mini_pack_file):
    """One kit for the module: mini pack, accounts, Class A with a session and some work."""
    from tests.conftest import run_kit

    data = tmp_path_factory.mktemp("teachpages") / "data"
    run_kit(data, "init", "--site", "Truck 3", "--location", "Mopti")
    run_kit(data, "pack", "import", mini_pack_file)
    add_accounts(data)
    ids = seed_class(data)
    _seed_work(data, ids)
    server = KitServer(data).start()
    server.ids = ids
    yield server
    server.stop()


def _seed_work(data, ids):
    """Give the pages something to show: answers, a help request, an ended session."""
    import datetime as dt
    import uuid

    from kit.class_sessions import end_session, start_session
    from kit.datafolder import open_data
    from kit.db import database
    from kit.events import record

    def event(kind, payload=None):
        return {
            "uuid": str(uuid.uuid4()),
            "kind": kind,
            "pack_id": "mini",
            "lesson_id": "01-count",
            "device_time": dt.datetime.now(dt.UTC).isoformat(),
            "boot_id": "seed",
            "mono_ms": 1,
            "payload": payload or {},
        }

    open_data(data)
    try:
        sess = start_session(ids["class"])
        record(
            [
                event("lesson_opened"),
                event("page_viewed", {"page": 1}),
                event("answer", {"question_id": "q1", "response": "a", "attempt": 1}),
                event("answer", {"question_id": "q1", "response": "b", "attempt": 1}),
            ],
            ids["ada"],
        )
        record([event("lesson_opened"), event("help_requested")], ids["ben"])
        _as_if_earlier(sess, minutes_ago={ids["ada"]: [40, 37, 33, 30], ids["ben"]: [20, 18]})
        end_session(sess.id)
        start_session(ids["class"])
    finally:
        database.close()


def _as_if_earlier(sess, minutes_ago):
    """Move the session's start and the seeded events back in time, so that the session
    page shows a realistic lesson (a 45-minute session, minutes of learning per learner)."""
    import datetime as dt

    from kit.db import write
    from kit.models import ClassSession, Event

    now = sess.started_at
    with write():
        ClassSession.update(started_at=now - dt.timedelta(minutes=45)).where(
            ClassSession.id == sess.id
        ).execute()
        for learner_id, offsets in minutes_ago.items():
            seqs = [e.seq for e in Event.select().where(Event.learner == learner_id).order_by(Event.seq)]
            for seq, ago in zip(seqs, offsets):
                Event.update(received_at=now - dt.timedelta(minutes=ago)).where(Event.seq == seq).execute()


@pytest.fixture
def laptop(browser):
    """A laptop-sized context (no touch) with outside requests blocked."""
    context = watch_csp(browser.new_context(viewport={"width": 1100, "height": 800}))
    context.outside_requests = block_outside(context)
    context.set_default_timeout(10000)
    yield context
    outside = list(context.outside_requests)
    context.close()
    assert not outside, outside


def pages(ids):
    c, a = ids["class"], ids["ada"]
    return [
        ("/teach/", "teacher-classes"),
        (f"/teach/classes/{c}", "teacher-class"),
        (f"/teach/classes/{c}/roster", None),
        (f"/teach/classes/{c}/assign", None),
        (f"/teach/classes/{c}/questions", "teacher-questions"),
        (f"/teach/classes/{c}/sessions", None),
        ("/teach/sessions/1", "teacher-session-summary"),
        ("/teach/sessions/2", None),
        (f"/teach/classes/{c}/cards", "teacher-login-cards"),
        (f"/teach/classes/{c}/edit", None),
        (f"/teach/learners/{a}", "teacher-learner"),
        (f"/teach/learners/{a}/edit", None),
        ("/admin/", "admin-status"),
        ("/admin/users", None),
        ("/admin/packs", None),
        ("/admin/sheet", "admin-sheet"),
    ]


def test_every_teacher_and_admin_page_passes_axe(served, laptop, tmp_path):
    page = laptop.new_page()
    page.goto(served.url + "/teach/login")
    assert axe_check(page) == []
    sign_in(page, served.url, ADMIN)
    for path, name in pages(served.ids):
        response = page.goto(served.url + path)
        assert response.status == 200, path
        violations = axe_check(page)
        assert violations == [], f"{path}: {describe(violations)}"
        broken = page.evaluate("[...document.images].filter(i => !i.naturalWidth).map(i => i.src)")
        assert broken == [], f"{path}: images that did not load: {broken}"
        if name:
            shot(page, name, tmp_path)
    page.goto(served.url + f"/teach/classes/{served.ids['class']}/cards")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.get_by_role("button", name="Print").click()  # print.js, not an onclick the policy would block
    assert page.evaluate("window.printed === true")
    page.goto(served.url + "/teach/")
    page.evaluate("document.documentElement.dir = 'rtl'")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_french_pages_pass_axe_too(served, browser):
    context = watch_csp(browser.new_context(locale="fr-FR", viewport={"width": 412, "height": 915}))
    page = context.new_page()
    page.goto(served.url + "/teach/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion enseignant")
    page.get_by_label("Nom d'utilisateur").fill(ADMIN[0])
    page.get_by_label("Mot de passe").fill(ADMIN[1])
    page.get_by_role("button", name="Se connecter").click()
    page.goto(served.url + f"/teach/classes/{served.ids['class']}")
    expect(page.locator("#grid")).to_contain_text("A besoin d'aide")
    assert axe_check(page) == []
    context.close()


def test_learner_session_is_sent_to_the_teacher_sign_in(served, context_360):
    page = context_360.new_page()
    sign_in(page, served.url)  # a teacher used this tablet first: the learner's sign-in ends that
    page.goto(served.url + "/")
    page.get_by_role("link", name="Class A").click()
    page.get_by_role("button", name="Ada").click()
    expect(page).to_have_url(served.url + "/lessons")
    for path in ("/teach/", f"/teach/classes/{served.ids['class']}", "/admin/"):
        page.goto(served.url + path)
        expect(page).to_have_url(re.compile(r"/teach/login"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Teacher sign-in")
    response = page.request.get(served.url + f"/teach/classes/{served.ids['class']}/grid.json")
    assert response.status == 401


def test_forged_csrf_token_is_refused_in_the_browser(served, laptop):
    page = laptop.new_page()
    sign_in(page, served.url)
    page.evaluate("document.querySelectorAll('input[name=csrf_token]').forEach(i => i.value = 'forged')")
    page.get_by_label("Class name").fill("Forged class")
    page.get_by_role("button", name="Add class").click()
    expect(page.locator("#refused")).to_contain_text("nothing was changed")
    assert axe_check(page) == []
    page.goto(served.url + "/teach/")
    expect(page.locator("main")).not_to_contain_text("Forged class")


def test_pack_upload_shows_progress_and_the_result(served, laptop, mini_pack_file, tmp_path):
    page = laptop.new_page()
    sign_in(page, served.url, ADMIN)
    page.goto(served.url + "/admin/packs")
    page.get_by_label("Pack file (.kitpack)").set_input_files(str(mini_pack_file))
    page.get_by_role("button", name="Upload and install").click()
    expect(page.locator("#upload-status")).to_have_text("mini 1.0.0 is already installed; nothing changed.")
    expect(page.locator("#upload-progress")).to_have_attribute("value", "100")
    shot(page, "admin-packs-upload", tmp_path)
    bad = tmp_path / "broken.kitpack"
    bad.write_bytes(b"not a pack at all")
    page.goto(served.url + "/admin/packs")
    page.get_by_label("Pack file (.kitpack)").set_input_files(str(bad))
    page.get_by_role("button", name="Upload and install").click()
    expect(page.locator("#upload-status")).to_have_class("flash error")
    expect(page.locator("#packs tbody tr")).to_have_count(1)


def test_first_run_setup_in_the_browser(initialised, browser, tmp_path):
    server = KitServer(initialised).start()
    try:
        context = watch_csp(browser.new_context(viewport={"width": 412, "height": 915}))
        page = context.new_page()
        page.goto(server.url + "/teach/")
        expect(page).to_have_url(server.url + "/admin/setup")
        assert axe_check(page) == []
        page.get_by_label("Site name").fill("Truck 9")
        page.get_by_label("Location (village, district)").fill("Kayes")
        page.get_by_label("Your name").fill("Awa")
        page.get_by_label("User name").fill("awa")
        page.get_by_label("Password", exact=True).fill("awa-password-1")
        page.get_by_label("Password again").fill("awa-password-1")
        shot(page, "admin-setup", tmp_path)
        page.get_by_role("button", name="Set up the kit").click()
        expect(page.locator("#facts")).to_contain_text("Truck 9 (Kayes)")
        context.close()
    finally:
        server.stop()


def test_status_page_warns_when_the_kit_clock_is_off(served, browser):
    import datetime as dt

    context = watch_csp(browser.new_context(viewport={"width": 1100, "height": 800}))
    page = context.new_page()
    sign_in(page, served.url, ADMIN)
    page.goto(served.url + "/admin/")
    expect(page.locator("#clock-check")).to_have_count(1)
    expect(page.locator("#clock-check")).to_be_hidden()  # same machine, same clock
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=3)
    page.clock.install(time=later)
    page.goto(served.url + "/admin/")
    expect(page.locator("#clock-check")).to_contain_text("differ by 180 minutes")
    context.close()
