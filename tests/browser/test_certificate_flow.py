"""From a learner's last quiz answer to a printed certificate, in Chromium against a real
`kit serve`: the learner finishes the course's final quiz and reads "You earned a
certificate"; the teacher prints it; its first page, rendered to PNG by pdftoppm, shows
the name, the course, the code and a QR code; /verify on the kit says it is valid.

With KIT_SCREENSHOTS=1 the certificate and the verify page are written to docs/img/.
"""

import os
import shutil
import subprocess

import pytest
from playwright.sync_api import expect

from tests.conftest import KitServer
from tests.courses.helpers import RIGHT

from .conftest import new_context
from .teach_setup import DOCS_IMG, course_kit, shot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def course_server(tmp_path):
    """A kit with the course pack, "Class A" (Ada; lesson 01 already mastered), accounts."""
    from kit.datafolder import open_data
    from kit.db import database
    from kit.events import record
    from tests.learn.conftest import make_event

    data = course_kit(tmp_path)
    from kit.assignments import assign
    from kit.roster import add_learner, create_class

    open_data(data)
    try:
        room = create_class("Class A")
        ada = add_learner(room.id, name="Ada Ñúñez", avatar="cat", colour="blue").id
        assign(room.id, "mini")
        answers = [
            make_event("answer", {"question_id": q, "response": r, "attempt": 1})
            for q, r in RIGHT["01-count"].items()
        ]
        record(answers + [make_event("quiz_finished", {"attempt": 1})], ada)
    finally:
        database.close()
    env = {
        "KIT_PROGRAMME_NAME": "Rural Teachers Programme",
        "KIT_VERIFY_URL": "https://hub.example.org/verify",
    }
    server = KitServer(data, env=env).start()
    yield server
    server.stop()


def test_last_quiz_answer_to_printed_certificate(browser, course_server, tmp_path):
    url = course_server.url
    tablet = new_context(browser)
    page = tablet.new_page()
    page.goto(url + "/")
    page.get_by_role("link", name="Class A").click()
    page.get_by_role("button", name="Ada Ñúñez").click()
    expect(page.locator(".path-next")).to_contain_text("Shapes")
    page.locator(".path-next a").click()
    page.locator("#step-0").get_by_role("link", name="Next").click()
    step = page.locator("section.step:not([hidden])")
    step.get_by_label("A plate").check()
    step.get_by_role("button", name="Check").click()
    expect(step.locator(".feedback")).to_contain_text("Right!")
    step.get_by_role("button", name="Finish").click()
    earned = page.locator(".certificate-earned")
    expect(earned).to_contain_text(
        "You earned a certificate: Certificate in counting and shapes", timeout=20000
    )
    code = earned.inner_text().split("(code ")[1].split(")")[0]
    page.get_by_role("link", name="My lessons").last.click()
    expect(page.locator(".certificate-earned")).to_contain_text(code)
    tablet.close()

    desk = new_context(browser, width=1280, height=900)
    page = desk.new_page()
    sign_in(page, url)
    page.get_by_role("link", name="Class A").click()
    page.get_by_role("link", name="Certificates").first.click()
    expect(page.locator("h1")).to_contain_text("Courses and certificates")
    link = page.get_by_role("link", name="Print all (A4)")
    response = page.request.get(url + link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "certificates.pdf"
    pdf.write_bytes(response.body())
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    png = next(tmp_path.glob("page*.png"))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for needed in (
        "Rural Teachers Programme",
        "Ada Ñúñez",
        "Certificate in counting and shapes",
        code,
        "Mopti Truck 3",
    ):
        assert needed in text, needed
    from PIL import Image

    image = Image.open(png).convert("L")
    assert (image.width, image.height) == (702, 497)  # A4 landscape (297 x 210 mm) at 60 dpi, rounded up
    assert sum(image.histogram()[:100]) > 0.01 * image.width * image.height
    if os.environ.get("KIT_SCREENSHOTS") == "1":
        shutil.copy(png, DOCS_IMG / "certificate.png")

    page.goto(url + f"/verify/{code}")
    expect(page.locator(".verdict h2")).to_have_text("Valid certificate")
    expect(page.locator(".verdict")).to_contain_text("Ada Ñúñez")
    shot(page, "verify-kit", tmp_path)
    desk.close()
