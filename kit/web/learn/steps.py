"""The player's steps (the lesson's pages and quiz questions), rendered once per lesson.

They are most of a lesson page and the same for every learner, except which step is shown,
the attempt number and the CSRF token. They are rendered once per lesson view, language
and URL prefix with markers in those three places; each request only fills the markers in.
A page showing an answer's feedback (the no-JavaScript path) is rendered in full instead.
"""

import re
import threading

from flask import render_template, request
from flask_babel import get_locale
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

MARK = re.compile("\x00kit:([HAC]):?(\\d*)\x00")
MAX_LESSONS = 512
_cache = {}  # id(view) -> (view, {(language, script_root): html}); holds the view, so ids stay unique
_lock = threading.Lock()


def steps_html(view, step, last, attempt, feedback):
    """Return the steps' HTML for this request: step `step` shown, the others hidden."""
    if feedback:
        return _render(view, last, feedback, hide=lambda n: "" if n == step else Markup(" hidden"),
                       attempt=attempt, csrf=generate_csrf())
    key = (str(get_locale()), request.script_root)
    entry = _cache.get(id(view))
    html = entry[1].get(key) if entry and entry[0] is view else None
    if html is None:
        html = str(_render(view, last, {}, hide=lambda n: Markup(f"\x00kit:H:{n}\x00"),
                           attempt=Markup("\x00kit:A\x00"), csrf=Markup("\x00kit:C\x00")))
        _remember(view, key, html)
    csrf, attempt = generate_csrf(), str(int(attempt))

    def fill(match):
        kind, number = match.groups()
        if kind == "H":
            return "" if int(number) == step else " hidden"
        return attempt if kind == "A" else csrf

    return Markup(MARK.sub(fill, html))


def _render(view, last, feedback, hide, attempt, csrf):
    return Markup(render_template("learn/_steps.html", lesson=view, last=last,
                                  feedback=feedback, hide=hide, attempt=attempt, csrf=csrf))


def _remember(view, key, html):
    with _lock:
        if len(_cache) >= MAX_LESSONS:
            _cache.clear()
        entry = _cache.get(id(view))
        if entry is None or entry[0] is not view:
            entry = _cache[id(view)] = (view, {})
        entry[1][key] = html
