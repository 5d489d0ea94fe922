"""The lesson page, rendered once per lesson and filled in on each request.

A lesson page is ~12 KB of HTML that is the same for every learner of a class (or every
"sign language first" learner, whose pages put the sign video first) except a few values: which step is shown, the attempt number, the CSRF token, who is signed in
(name, colour, avatar, event token), the score and the "your teacher knows" notice.
Rendering it with Jinja on every request (its ~20 translated strings and ~10 URLs) was
most of the page's cost, so it is rendered once per lesson view, language, URL prefix
and next lesson with markers in those places, and each request only fills the markers
in. A page showing an answer's feedback (the no-JavaScript path) is rendered afresh
with the same markers and filled the same way, so both paths give the same page.
"""

import re
import secrets
from types import SimpleNamespace

from flask import render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ...caches import BoundedDict
from ..csrf_tokens import csrf_token
from . import switch_label
from .auth import make_token

# Each process picks its own marker, never shown to anyone (every marker is filled before
# a page leaves): no lesson title or text can spell one, so none can break the page.
_NONCE = secrets.token_hex(8)
MARK = re.compile(f"\x00kit{_NONCE}:([A-Z])(\\d*)\x00")
# key -> (view, html); holds the view, so the id() in the key stays unique. ~12 KB a page:
# a few MB at most, whatever a kit holds.
_cache = BoundedDict(256)


def _mark(kind, number=""):
    return Markup(f"\x00kit{_NONCE}:{kind}{number}\x00")


# Template variables standing for the per-request values (filled in by _fill).
MARKED = {
    "step": _mark("S"),
    "attempt": _mark("A"),
    "csrf": _mark("C"),
    "csrf_token": lambda: _mark("C"),
    "token": _mark("T"),
    "score_text": _mark("R"),
    "help_alert": _mark("P"),
    "hide": lambda n: _mark("H", n),
    "switch_label": lambda _learner: _mark("W"),
    "learner": SimpleNamespace(
        uuid=_mark("U"), display_name=_mark("N"), colour=_mark("K"), avatar=_mark("V")
    ),
}


def player_page(view, learner, step, last, attempt, row, next_lesson, feedback=None):
    """Return the lesson page's HTML for this learner, showing step `step`."""
    # "Sign language first" changes the pages' order of things, not just a value: its own page.
    sign_first = bool(learner.sign_first) and has_sign(view)
    if feedback:
        html = _render(view, last, next_lesson, feedback, sign_first)
    else:
        key = (id(view), str(get_locale()), request.script_root, next_lesson, sign_first)
        entry = _cache.get(key)
        if entry is None or entry[0] is not view:
            entry = (view, _render(view, last, next_lesson, {}, sign_first))
            _cache.put(key, entry)
        html = entry[1]
    values = {
        "S": str(step),
        "A": str(int(attempt)),
        "C": escape(csrf_token()),
        "T": escape(make_token(learner)),
        "U": escape(learner.uuid),
        "N": escape(learner.display_name),
        "K": escape(learner.colour or "grey"),
        "V": escape(learner.avatar or "cat"),
        "W": escape(switch_label(learner)),
        "R": score_text(row, len(view.questions)),
        "P": help_alert(),
    }

    def fill(match):
        kind, number = match.groups()
        if kind == "H":
            return "" if int(number) == step else " hidden"
        return values[kind]

    return MARK.sub(fill, html)


def score_text(row, questions):
    """The result step's words about the last quiz attempt ("" before any): the score, how
    many questions were right at the first try (the only tries that count), and what next."""
    if row is None or row.score is None:
        return ""
    mastered = (
        _("You mastered this lesson.") if row.status == "mastered" else _("Try the quiz again to master it.")
    )
    lines = (
        _("Your score: %(score)s%%", score=round(row.score * 100)),
        _("First try: %(right)s of %(total)s right", right=round(row.score * questions), total=questions),
        mastered,
    )
    return Markup("").join(Markup("<p>%s</p>") % line for line in lines)


def help_alert():
    """The notice shown after "I need help" was sent without JavaScript."""
    if not request.args.get("help"):
        return ""
    return Markup('<p class="alert ok" role="status">%s</p>') % _("Your teacher knows you need help.")


def has_sign(view):
    return view.sign_video is not None or any(view.sign_pages)


def _render(view, last, next_lesson, feedback, sign_first):
    return render_template(
        "learn/player.html",
        lesson=view,
        last=last,
        next_lesson=next_lesson,
        feedback=feedback,
        sign_first=sign_first,
        **MARKED,
    )
