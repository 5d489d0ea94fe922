"""Print certificates as a PDF: one page each, A4 or US Letter, landscape.

fpdf2 is pure Python, so it runs on a Pi with nothing to build, and it embeds a subset of
a TrueType font: the learner's name prints in whatever script DejaVu Sans covers (Latin
with every accent our languages use, Greek, Cyrillic and more), with no system fonts
needed. The fonts ship beside this module (fonts/, with their licence). The QR code
(segno, pure Python too) points at the hub's verify page with the code, so anyone can
check a printed certificate with a phone.
"""

import io
from pathlib import Path

import segno

from ..errors import KitError

FONTS = Path(__file__).resolve().parent / "fonts"
SIZES = {"a4": "A4", "letter": "Letter"}


class BadLogo(KitError):
    status = 500
    code = "bad_logo"


def verify_link(verify_url, code):
    """What the QR code holds: the hub's verify page for this code, or the code alone."""
    return f"{verify_url.rstrip('/')}/{code}" if verify_url else code


def render(certificates, labels, size="a4", programme="", logo=None, verify_url=""):
    """Return the PDF bytes of these certificates (dicts: holder_name, title, site, date,
    score_pct, credit_hours, code), one landscape page each; `labels` are the printed words."""
    from fpdf import FPDF  # deferred: with Pillow, fontTools and bcrypt, +23 MB in every worker

    pdf = FPDF(orientation="landscape", unit="mm", format=SIZES[size])
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(labels["certificate"])
    pdf.set_creator("Classroom Kit")
    for cert in certificates:
        _page(pdf, cert, labels, programme, logo, verify_url)
    return bytes(pdf.output())


def _page(pdf, cert, labels, programme, logo, verify_url):
    pdf.add_page()
    width, height = pdf.w, pdf.h
    pdf.set_draw_color(40, 90, 140)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, width - 20, height - 20)
    pdf.set_line_width(0.3)
    pdf.rect(13, 13, width - 26, height - 26)
    top = 22
    if logo:
        try:
            pdf.image(str(logo), x=20, y=18, h=24)
        except (OSError, RuntimeError, ValueError) as exc:
            raise BadLogo(
                f"programme_logo {logo}: not a PNG or JPEG image this kit can read ({exc})"
            ) from None
    pdf.set_text_color(40, 90, 140)
    pdf.set_font("DejaVu", "B", 14)
    pdf.set_xy(20, top)
    pdf.cell(width - 40, 8, programme, align="C")
    pdf.set_font("DejaVu", "B", 30)
    pdf.set_xy(20, top + 14)
    pdf.cell(width - 40, 14, labels["certificate"], align="C")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "", 13)
    pdf.set_xy(20, top + 36)
    pdf.cell(width - 40, 8, labels["certifies"], align="C")
    pdf.set_font("DejaVu", "B", 26)
    pdf.set_xy(20, top + 48)
    pdf.multi_cell(width - 40, 12, cert["holder_name"], align="C")
    pdf.set_font("DejaVu", "", 13)
    pdf.set_xy(20, pdf.get_y() + 4)
    pdf.cell(width - 40, 8, labels["completed"], align="C")
    pdf.set_font("DejaVu", "B", 18)
    pdf.set_xy(30, pdf.get_y() + 10)
    pdf.multi_cell(width - 60, 9, cert["title"], align="C")
    pdf.set_font("DejaVu", "", 12)
    facts = [
        f"{labels['score']}: {cert['score_pct']} %",
        f"{labels['hours']}: {cert['credit_hours']}",
        f"{labels['site']}: {cert['site']}",
        f"{labels['date']}: {cert['date']}",
    ]
    pdf.set_xy(20, pdf.get_y() + 6)
    pdf.cell(width - 40, 7, "   ·   ".join(facts), align="C")
    _qr(pdf, verify_link(verify_url, cert["code"]), x=width - 58, y=height - 62)
    pdf.set_font("DejaVu", "B", 16)
    pdf.set_xy(20, height - 44)
    pdf.cell(width - 90, 8, f"{labels['code']}: {cert['code']}", align="L")
    pdf.set_font("DejaVu", "", 10)
    pdf.set_xy(20, height - 34)
    pdf.multi_cell(width - 90, 5, labels["verify"], align="L")


def _qr(pdf, text, x, y):
    qr = segno.make(text, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=8, border=2)
    png.seek(0)
    pdf.image(png, x=x, y=y, w=40, h=40)
