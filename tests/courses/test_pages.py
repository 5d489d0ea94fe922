"""Certificates on the kit's pages: the learner's path and "You earned a certificate", the
teacher's PDF (rendered to PNG and looked at), /verify with its limit on guessing, and
`kit certificates verify`."""

import subprocess

import pytest

from kit.models import Certificate
from kit.users import create_user

from .conftest import take_quiz

TEACHER = ("tina", "tina-password-2")


@pytest.fixture
def teacher_client(course_app):
    from tests.teach.helpers import sign_in

    create_user("boss", "admin", "boss-password-1", "The Boss")
    create_user(TEACHER[0], "teacher", TEACHER[1], "Tina Teacher")
    client = course_app.test_client()
    assert sign_in(client, TEACHER).status_code == 302
    return client


def _passed(course_app):
    amina = course_app.config["TEST_IDS"]["amina"]
    take_quiz(amina, "01-count")
    take_quiz(amina, "02-shapes")
    return Certificate.get(Certificate.learner == amina)


def test_teacher_prints_one_and_a_whole_class_as_pdf(course_app, teacher_client, tmp_path):
    cert = _passed(course_app)
    summary = teacher_client.get(f"/teach/classes/{course_app.config['TEST_IDS']['class']}/certificates")
    text = summary.get_data(as_text=True)
    assert summary.status_code == 200 and cert.code in text and "1 of 2 learners have a certificate" in text
    for size, box in (("a4", b"/MediaBox [0 0 841.89 595.28]"), ("letter", b"/MediaBox [0 0 792.00 612.00]")):
        one = teacher_client.get(f"/teach/certificates/{cert.code}.pdf?size={size}")
        assert one.status_code == 200 and one.mimetype == "application/pdf"
        assert one.data.startswith(b"%PDF-") and box in one.data, size
    ben = course_app.config["TEST_IDS"]["ben"]
    take_quiz(ben, "01-count")
    take_quiz(ben, "02-shapes")
    whole = teacher_client.get(f"/teach/classes/{course_app.config['TEST_IDS']['class']}/certificates.pdf")
    assert whole.status_code == 200 and b"/Count 2" in whole.data
    assert teacher_client.get(f"/teach/certificates/{cert.code}.pdf?size=a3").status_code == 400
    assert teacher_client.get("/teach/certificates/2222-2222-2222.pdf").status_code == 404


def test_the_printed_page_shows_the_name_title_and_a_qr_code(course_app, teacher_client, tmp_path):
    cert = _passed(course_app)
    pdf = tmp_path / "c.pdf"
    pdf.write_bytes(teacher_client.get(f"/teach/certificates/{cert.code}.pdf").data)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", pdf, tmp_path / "page"], check=True)
    text = subprocess.run(
        ["pdftotext", "-layout", pdf, "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Amina Diallo" in text and "Certificate in counting and shapes" in text and cert.code in text
    from PIL import Image

    page = Image.open(next(tmp_path.glob("page*.png"))).convert("L")
    assert page.width > page.height  # landscape
    dark = sum(page.histogram()[:100])
    assert dark > 0.01 * page.width * page.height  # text, frame and the QR code's modules


def test_verify_page_answers_valid_unknown_and_typo(course_app):
    cert = _passed(course_app)
    client = course_app.test_client()
    page = client.get(f"/verify?code={cert.code.lower()}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Valid certificate" in text and "Amina Diallo" in text
    assert client.get(f"/verify/{cert.code}").status_code == 200
    from kit.courses.codes import new_code

    unknown = client.get(f"/verify?code={new_code()}")
    assert unknown.status_code == 404 and "Amina" not in unknown.get_data(as_text=True)
    typo = client.get("/verify?code=" + cert.code[:-1] + ("2" if cert.code[-1] != "2" else "3"))
    assert typo.status_code == 400 and "typo" in typo.get_data(as_text=True)


def test_verify_page_stops_guessing_after_ten_misses_even_for_a_right_code(course_app):
    from kit.courses.codes import new_code

    cert = _passed(course_app)
    client = course_app.test_client()
    statuses = [client.get(f"/verify?code={new_code()}").status_code for _ in range(10)]
    assert statuses == [404] * 10
    refused = client.get(f"/verify?code={cert.code}")
    assert refused.status_code == 429 and "Amina" not in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    other = course_app.test_client()
    assert other.get(f"/verify?code={cert.code}", environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 200


def test_kit_certificates_verify_command(course_app, course_kit):
    from tests.conftest import run_kit

    cert = _passed(course_app)
    ok = run_kit(course_kit, "certificates", "verify", cert.code.replace("-", " "))
    assert f"{cert.code}: valid" in ok.stdout and "Amina Diallo" in ok.stdout
    from kit.courses.codes import new_code

    unknown = run_kit(course_kit, "certificates", "verify", new_code(), check=False)
    assert unknown.returncode == 1 and ": unknown" in unknown.stdout
    bad = run_kit(course_kit, "certificates", "verify", "HELLO", check=False)
    assert bad.returncode != 0 and "a certificate code has 12 letters" in bad.stderr


def test_class_page_summarises_the_course_per_learner(course_app, teacher_client):
    cert = _passed(course_app)
    page = teacher_client.get(f"/teach/classes/{course_app.config['TEST_IDS']['class']}").get_data(
        as_text=True
    )
    assert "Course: Certificate in counting and shapes" in page
    assert "1 of 2 learners have a certificate." in page
    assert f"Amina Diallo: ★ certificate {cert.code}" in page
    assert "Ben Ouédraogo: 0 of 2 lessons done" in page


def test_learner_sees_the_path_then_you_earned_a_certificate(course_app):
    from tests.learn.test_pages import sign_in

    ids = course_app.config["TEST_IDS"]
    client = course_app.test_client()
    sign_in(client, ids["amina"], ids["class"])
    page = client.get("/lessons").get_data(as_text=True)
    assert 'class="path-next"' in page and 'class="path-locked"' in page
    assert "Locked: finish the lessons before it" in page and "You earned a certificate" not in page
    locked = client.get("/lesson/mini/02-shapes")
    assert locked.status_code == 302 and locked.headers["Location"] == "/lessons"
    assert client.get("/lesson/mini/01-count").status_code == 200
    cert = _passed(course_app)
    page = client.get("/lessons").get_data(as_text=True)
    assert "You earned a certificate!" in page and cert.code in page and 'class="path-locked"' not in page
    progress = client.get("/api/v1/progress").get_json()
    assert progress["certificates"] == [
        {
            "pack_id": "mini",
            "code": cert.code,
            "title": "Certificate in counting and shapes",
            "issued_at": cert.issued_at,
        }
    ]
