"""Print certificates as a PDF: one page each, A4 or US Letter, landscape.

fpdf2 is pure Python, so it runs on a Pi with nothing to build, and it embeds a subset of
a TrueType font, with no system fonts needed. The learner's name and the printed words
must show in every script the kit's languages use: DejaVu Sans covers Latin with every
accent our languages use (and Greek, Cyrillic, Arabic), and Noto Sans Bengali (the same
subset as the kit's web font) is its fallback for Bangla, used glyph by glyph wherever
DejaVu has none. Bangla and Arabic also need *shaping* (a vowel sign drawn before its
consonant, conjuncts, joined Arabic letters, right to left): fpdf2 does it with uharfbuzz,
HarfBuzz's binding (an abi3 wheel for aarch64; bench/certificate_pdf.py measures what it
costs). The fonts ship beside this module (fonts/, with their licences). The QR code
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
    from fpdf import FPDF  # deferred: +39 MB with Pillow, fontTools and uharfbuzz (bench/certificate_pdf.py)

    pdf = FPDF(orientation="landscape", unit="mm", format=SIZES[size])
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.add_font("NotoBengali", "", str(FONTS / "NotoSansBengali-subset.ttf"))
    # Bangla in a bold line prints in the regular weight: the only weight shipped.
    pdf.set_fallback_fonts(["NotoBengali"], exact_match=False)
    pdf.set_text_shaping(True)
    pdf.set_title(labels["certificate"])
    pdf.set_creator("Classroom Kit")
    for cert in certificates:
        _page(pdf, cert, labels, programme, logo, verify_url)
    return bytes(pdf.output())


def _text(pdf, x, y, width, height, text, style="", size=12, align="C", lines=False):
    """Write one line (or, `lines`, a wrapped paragraph) at (x, y); return the y after it
    (a line leaves y at its top, a paragraph below its last line, as fpdf2 does).

    Each write is its own graphics state (local_context): when fpdf2 2.8 draws a run in
    a fallback font, it leaves the page believing its font is still selected after the
    run's state ends, and the next line is written with no font at all.
    """
    with pdf.local_context():
        pdf.set_font("DejaVu", style, size)
        pdf.set_xy(x, y)
        if lines:
            pdf.multi_cell(width, height, text, align=align)
        else:
            pdf.cell(width, height, text, align=align)
        return pdf.get_y()


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
    inner = width - 40
    pdf.set_text_color(40, 90, 140)
    _text(pdf, 20, top, inner, 8, programme, "B", 14)
    _text(pdf, 20, top + 14, inner, 14, labels["certificate"], "B", 30)
    pdf.set_text_color(0, 0, 0)
    _text(pdf, 20, top + 36, inner, 8, labels["certifies"], "", 13)
    y = _text(pdf, 20, top + 48, inner, 12, cert["holder_name"], "B", 26, lines=True)
    y = _text(pdf, 20, y + 4, inner, 8, labels["completed"], "", 13)
    y = _text(pdf, 30, y + 10, width - 60, 9, cert["title"], "B", 18, lines=True)
    facts = [
        f"{labels['score']}: {cert['score_pct']} %",
        f"{labels['hours']}: {cert['credit_hours']}",
        f"{labels['site']}: {cert['site']}",
        f"{labels['date']}: {cert['date']}",
    ]
    _text(pdf, 20, y + 6, inner, 7, "   ·   ".join(facts), "", 12)
    _qr(pdf, verify_link(verify_url, cert["code"]), x=width - 58, y=height - 62)
    _text(pdf, 20, height - 44, width - 90, 8, f"{labels['code']}: {cert['code']}", "B", 16, align="L")
    _text(pdf, 20, height - 34, width - 90, 5, labels["verify"], "", 10, align="L", lines=True)


def _qr(pdf, text, x, y):
    qr = segno.make(text, error="m")
    png = io.BytesIO()
    qr.save(png, kind="png", scale=8, border=2)
    png.seek(0)
    pdf.image(png, x=x, y=y, w=40, h=40)
