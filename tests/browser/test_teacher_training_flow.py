"""A teacher takes a course with their own account, in Chromium against a real `kit
serve`: signed in at /teach, "My training" opens their lessons (their learner profile,
made on first use in the Teacher training class); they pass the course's quizzes and read
"You earned a certificate"; signing out of the training brings back the teacher's sign-in,
and "My training" then shows the certificate, which prints with their name."""

import re
import sqlite3
import subprocess

import pytest
from playwright.sync_api import expect

from tests.conftest import KitServer

from .conftest import new_context
from .teach_setup import course_kit, shot, sign_in
from .test_learner_flow import answer_quiz

pytestmark = pytest.mark.browser


@pytest.fixture
def training_server(tmp_path):
    """A kit with the course pack assigned to its Teacher training class, and accounts."""
    from kit.assignments import assign
    from kit.datafolder import open_data
    from kit.db import database
    from kit.roster import create_class

    data = course_kit(tmp_path)
    open_data(data)
    try:
        assign(create_class("Teacher training").id, "mini")
    finally:
        database.close()
    server = KitServer(data).start()
    yield server
    server.stop()


def test_a_teacher_passes_a_course_with_their_account_and_prints_the_certificate(
    browser, training_server, tmp_path
):
    url = training_server.url
    desk = new_context(browser, width=1280, height=900)
    page = desk.new_page()
    sign_in(page, url)
    page.get_by_role("link", name="My training").click()
    expect(page.locator("h1")).to_have_text("My training")
    shot(page, "teacher-training", tmp_path)
    page.get_by_role("button", name="Open my training").click()
    expect(page).to_have_url(url + "/lessons")
    expect(page.locator(".path-next")).to_contain_text("Counting mangoes")

    page.locator(".path-next a").click()
    page.locator("#step-0").get_by_role("link", name="Next").click()
    page.locator("#step-1").get_by_role("link", name="Next").click()
    answer_quiz(page)
    expect(page.locator(".result .score p").last).to_have_text("You mastered this lesson.", timeout=15000)
    page.goto(url + "/lessons")
    expect(page.locator(".path-next")).to_contain_text("Shapes")
    page.locator(".path-next a").click()
    page.locator("#step-0").get_by_role("link", name="Next").click()
    step = page.locator("section.step:not([hidden])")
    step.get_by_label("A plate").check()
    step.get_by_role("button", name="Check").click()
    expect(step.locator(".feedback")).to_contain_text("Right!")
    step.get_by_role("button", name="Finish").click()
    earned = page.locator(".certificate-earned")
    expect(earned).to_contain_text("You earned a certificate", timeout=20000)
    code = re.search(r"[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}", earned.inner_text()).group(0)

    with sqlite3.connect(training_server.data_dir / "kit.db") as db:
        row = db.execute(
            "SELECT l.display_name, c.name, u.username FROM certificate x JOIN learner l ON l.id = x.learner_id"
            " JOIN classroom c ON c.id = l.classroom_id JOIN user u ON u.id = l.teacher_id WHERE x.code = ?",
            (code,),
        ).fetchone()
    assert row == ("Amina", "Teacher training", "amina")

    page.goto(url + "/lessons")
    page.get_by_role("button", name="Sign out of my training (Amina)").click()
    expect(page).to_have_url(re.compile(r"/teach/login"))
    sign_in(page, url)
    page.get_by_role("link", name="My training").click()
    expect(page.locator(".certificate-earned")).to_contain_text(code)
    link = page.get_by_role("link", name="Print (A4)")
    response = page.request.get(url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "mine.pdf"
    pdf.write_bytes(response.body())
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Amina" in text and code in text

    tablet = new_context(browser).new_page()  # another device: the profile is not on the list
    tablet.goto(url + "/")
    tablet.get_by_role("link", name="Teacher training").click()
    expect(tablet.locator("main")).to_contain_text("Nobody is in this class yet.")
    desk.close()
