"""Page language: the learner's or teacher's own choice, else the browser's, else the default.

Catalogues are kept per area (translations/learn, translations/teach) so the learner and
teacher pages can be translated, and reviewed, separately; Flask-Babel merges them.
"""

from functools import lru_cache

from babel import Locale
from flask import current_app, g, request, session
from flask_babel import Babel, get_locale, get_translations, gettext

from . import numerals

# Each language under its own name, so a reader finds it in a list whatever the page's language.
LANGUAGES = {
    "en": ("English", "ltr"),
    "fr": ("Français", "ltr"),
    "sw": ("Kiswahili", "ltr"),
    "bn": ("বাংলা", "ltr"),
    "wo": ("Wolof", "ltr"),
}
# Languages written right to left, for when their catalogues arrive: the CSS already copes.
RTL = {"ar", "fa", "he", "ur"}

babel = Babel()


def select_language():
    """Return the language for this request."""
    chosen = getattr(g, "language", None) or session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(list(LANGUAGES))
    return best or current_app.config["KIT"]["default_language"]


@lru_cache(maxsize=32)
def _parsed(code):
    return Locale.parse(code)


def _selected_locale():
    """Flask-Babel's selector: a Locale parsed once per language, not once per request
    (parsing looks for the locale's data file on disk every time)."""
    return _parsed(select_language())


def translated(labels):
    """Return {name: label in the page's language} for a dict of English labels (kit.pictures)."""
    return {name: gettext(label) for name, label in labels.items()}


def page_direction():
    return "rtl" if str(get_locale()).split("_")[0] in RTL else "ltr"


def _translations():
    """Return this request's catalogue, looked up once per request and locale.

    Flask-Babel's own template callables look it up again for every string (a page has
    ~60); the locale Flask-Babel cached is checked, so its refresh() is still honoured.
    """
    locale = getattr(g.get("_flask_babel"), "babel_locale", None)
    cached = g.get("_kit_translations")
    if cached is None or locale is None or cached[0] is not locale:
        found = get_translations()
        cached = g._kit_translations = (getattr(g.get("_flask_babel"), "babel_locale", None), found)
    return cached[1]


def init_app(app):
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = "translations/learn;translations/teach"
    babel.init_app(app, locale_selector=_selected_locale)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    numerals.init_jinja(app.jinja_env, get_locale)

    @app.context_processor
    def _language():
        locale = get_locale()
        return {
            "page_lang": str(locale),
            "page_dir": page_direction(),
            "page_digits": numerals.page_digits(locale),
            "languages": LANGUAGES,
        }
