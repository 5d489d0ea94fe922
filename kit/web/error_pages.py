"""Error pages for people: in the page's language, laid out for a phone, with a way back.

A learner lands on one when a teacher unassigns the lesson they are on, so the page is
the learner kit's own (big "My lessons" button); teachers and admins get theirs (back to
"Classes"). JSON callers never come here: kit.app answers them with the error envelope.
"""

import logging

from flask import g, render_template, request

from .guards import current_user

logger = logging.getLogger(__name__)

TEACHER_AREAS = ("/teach", "/admin")


def is_teacher_area(path):
    return any(path == area or path.startswith(area + "/") for area in TEACHER_AREAS)


def error_page(status, detail="", headers=(), for_learners=False):
    """Return (html, status, headers) for an error; plain text if even the page cannot be drawn.

    A learner's page shows the detail only when it was written for them (KitError.for_learners).
    """
    teacher = is_teacher_area(request.path)
    try:
        context = {"status": status, "detail": detail if teacher or for_learners else ""}
        if teacher:
            context["kit_user"] = _teacher_or_none()
        html = render_template("teach/error.html" if teacher else "learn/error.html", **context)
    except Exception:  # noqa: BLE001 - an error page must never fail itself (a broken disk, say)
        logger.exception("could not render the %s error page for %s", status, request.path)
        return f"Error {status}", status, [*headers, ("Content-Type", "text/plain; charset=utf-8")]
    return html, status, list(headers)


def _teacher_or_none():
    """The signed-in teacher (for the menu and their language), or None if unknown or unreadable."""
    try:
        return g.get("kit_user") or current_user()
    except Exception:  # noqa: BLE001 - the database may be what failed: show the page without a menu
        logger.warning("error page without the teacher's menu: the account could not be read")
        return None
