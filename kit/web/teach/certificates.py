"""Course completion for a class, and its certificates printed as a PDF (one, or all)."""

from pathlib import Path

from flask import Response, abort, current_app, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _

from ... import roster
from ...courses import pdf
from ...courses.views import class_summary, printable
from ...errors import KitError
from ..guards import teacher_required
from ..i18n import LANGUAGES
from . import bp


def _labels():
    """The certificate's printed words, in the current (forced) language."""
    return {
        "certificate": _("Certificate"),
        "certifies": _("This certifies that"),
        "completed": _("has completed the course"),
        "score": _("Score"),
        "hours": _("Credit hours"),
        "site": _("Site"),
        "date": _("Date"),
        "code": _("Code"),
        "verify": _(
            "Anyone can check this certificate: scan the QR code, or type its code on the verify page."
        ),
    }


def _size():
    size = request.args.get("size", "a4")
    if size not in pdf.SIZES:
        raise KitError(_("Paper size must be a4 or letter."))
    return size


def _language(certs):
    """The printed words' language: ?lang= if given, else the course's, else English."""
    asked = request.args.get("lang")
    if asked is not None:
        if asked not in LANGUAGES:
            raise KitError(_("Language must be one of: %(codes)s.", codes=", ".join(LANGUAGES)))
        return asked
    # Each certificate's words are in its course's language, whatever the teacher reads.
    return certs[0]["language"] if certs and certs[0]["language"] in LANGUAGES else "en"


def _pdf_response(certs, filename):
    language = _language(certs)
    if not certs:
        abort(404, description=_("No certificates to print."))
    config = current_app.config["KIT"]
    logo = config["programme_logo"]
    if logo and not Path(logo).is_absolute():
        logo = Path(config["data"]) / logo
    with force_locale(language):
        labels = _labels()
    body = pdf.render(
        certs,
        labels,
        size=_size(),
        programme=config["programme_name"],
        logo=logo or None,
        verify_url=config["verify_url"],
    )
    return Response(
        body,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/classes/<int:class_id>/certificates")
@teacher_required
def class_certificates(class_id):
    """Each course assigned to the class: who has finished it, and their certificates."""
    room = roster.get_class(class_id)
    return render_template("teach/certificates.html", room=room, courses=class_summary(class_id))


@bp.get("/classes/<int:class_id>/certificates.pdf")
@teacher_required
def class_certificates_pdf(class_id):
    """Every certificate of the class's learners (one course with ?pack=), one page each."""
    roster.get_class(class_id)
    return _pdf_response(
        printable(class_id=class_id, pack_id=request.args.get("pack") or None), f"certificates-{class_id}.pdf"
    )


@bp.get("/certificates/<code>.pdf")
@teacher_required
def certificate_pdf(code):
    """One certificate as a PDF."""
    return _pdf_response(printable([code]), f"certificate-{code}.pdf")
