"""The printed certificate in every script and language the kit uses: a learner named in
Bangla (which DejaVu Sans lacks, and which needs shaping) or in Arabic script gets their
name drawn, not left blank; the fixed words come from the catalogue of each of the kit's
languages, Bangla included. Each PDF is checked as a person would: its text extracted by
pdftotext, its first page rendered to PNG by pdftoppm and its ink looked at."""

import logging
import subprocess

from flask_babel import force_locale
from flask_babel import gettext as _

from kit.models import Certificate
from kit.roster import add_learner
from kit.web.i18n import LANGUAGES

from .conftest import take_quiz
from .test_pages import teacher_client  # noqa: F401  (a fixture)

DPI = 50
MM = DPI / 25.4
NAME_BAND_MM = (70, 82)  # where the holder's name is drawn (kit.courses.pdf._page: top + 48, 12 high)
TITLE_BAND_MM = (36, 50)  # the word "Certificate", in its language


def _certificate_for(course_app, name):
    learner = add_learner(course_app.config["TEST_IDS"]["class"], name=name, avatar="owl", colour="red").id
    take_quiz(learner, "01-count")
    take_quiz(learner, "02-shapes")
    return Certificate.get(Certificate.learner == learner)


def _print(client, code, tmp_path, caplog, lang=None):
    """Return (text, page image) of the certificate's PDF; fail on any glyph fpdf2 lacked."""
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        response = client.get(f"/teach/certificates/{code}.pdf" + (f"?lang={lang}" if lang else ""))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    missing = [r.getMessage() for r in caplog.records if "missing the following glyphs" in r.getMessage()]
    assert not missing, missing
    pdf = tmp_path / f"{code}-{lang}.pdf"
    pdf.write_bytes(response.data)
    stem = tmp_path / f"{code}-{lang}"
    subprocess.run(["pdftoppm", "-png", "-r", str(DPI), "-f", "1", "-l", "1", pdf, stem], check=True)
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
    fonts = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout
    from PIL import Image

    return text, fonts, Image.open(next(tmp_path.glob(f"{stem.name}*.png"))).convert("L")


def _ink(page, band_mm):
    """Dark pixels across the page's width in a band (mm from the top), inside the frame."""
    top, bottom = (round(mm * MM) for mm in band_mm)
    band = page.crop((round(20 * MM), top, page.width - round(20 * MM), bottom))
    return sum(band.histogram()[:128])


def _bare(text):
    """pdftotext puts a space where a Bangla vowel sign is drawn before its consonant."""
    return "".join(text.split())


def test_a_name_in_bangla_is_drawn_in_bangla_glyphs(course_app, teacher_client, tmp_path, caplog):  # noqa: F811
    cert = _certificate_for(course_app, "আমিনা খাতুন")
    text, fonts, page = _print(teacher_client, cert.code, tmp_path, caplog)
    assert "আমিনাখাতুন" in _bare(text)
    assert "NotoSansBengali" in fonts
    assert _ink(page, NAME_BAND_MM) > 150  # the name's glyphs are drawn, not left out


def test_a_name_in_arabic_script_is_joined_and_drawn(course_app, teacher_client, tmp_path, caplog):  # noqa: F811
    """Wolof is also written in Arabic script (Wolofal): DejaVu draws it, shaped right to left."""
    cert = _certificate_for(course_app, "آمنة جالو")
    text, _fonts, page = _print(teacher_client, cert.code, tmp_path, caplog)
    assert "آمنة" in text and "جالو" in text
    assert _ink(page, NAME_BAND_MM) > 150


def test_the_printed_words_come_from_each_languages_catalogue(course_app, teacher_client, tmp_path, caplog):  # noqa: F811
    cert = _certificate_for(course_app, "Khadija Ndiaye")
    for lang in LANGUAGES:
        with course_app.test_request_context(), force_locale(lang):
            words = [_("Certificate"), _("This certifies that"), _("has completed the course"), _("Score")]
        if lang != "en":
            assert words[1] != "This certifies that", f"{lang}: the catalogue lacks the certificate's words"
        text, fonts, page = _print(teacher_client, cert.code, tmp_path, caplog, lang=lang)
        for word in words:
            assert _bare(word) in _bare(text), (lang, word)
        assert "Khadija Ndiaye" in text and cert.code in text, lang
        assert ("NotoSansBengali" in fonts) == (lang == "bn"), lang
        assert _ink(page, TITLE_BAND_MM) > 150, lang


def test_a_language_the_kit_lacks_is_refused(
    course_app,
    teacher_client,  # noqa: F811
):
    cert = _certificate_for(course_app, "Khadija Ndiaye")
    refused = teacher_client.get(f"/teach/certificates/{cert.code}.pdf?lang=xx")
    assert refused.status_code == 400 and "Language must be one of: en, fr, sw, bn, wo" in refused.get_data(
        as_text=True
    )
    assert teacher_client.get(f"/teach/certificates/{cert.code}.pdf?lang=").status_code == 400
    letter = teacher_client.get(f"/teach/certificates/{cert.code}.pdf?size=a3")
    assert letter.status_code == 400 and "Paper size must be a4 or letter." in letter.get_data(as_text=True)
