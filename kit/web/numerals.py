"""Numbers in people's pages written with each language's own digits (১২৩ in Bangla).

Babel formats with a locale's separators and grouping, and, asked for the locale's
default numbering system (`numbering_system="default"`, Babel 2.14 and later), with that
system's symbols; but it always writes the digits 0-9, whatever the system (Babel 2.19:
format_decimal(123, locale="bn", numbering_system="default") is "123"). CLDR's default
for Bangla is `beng`, so the digits are swapped here, after Babel.

Only what a person reads goes through this: text in pages and the numbers in sentences
made by gettext. URLs, form values, data attributes, JSON and CSV never do, so a tablet's
script, a spreadsheet or a link always sees 0-9.
"""

from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal
from jinja2 import pass_context

# The digits of each numbering system a kit language uses by default (CLDR
# numberingSystems.xml); tests/learn/test_numerals.py checks every language has its own.
DIGITS = {
    "latn": "0123456789",
    "beng": "০১২৩৪৫৬৭৮৯",
    "arab": "٠١٢٣٤٥٦٧٨٩",
    "arabext": "۰۱۲۳۴۵۶۷۸۹",
    "deva": "०१२३४५६७८९",
}


@lru_cache(maxsize=32)
def digit_table(locale):
    """Return a str.translate table from 0-9 to the locale's default digits, or None for 0-9."""
    system = Locale.parse(str(locale)).default_numbering_system
    digits = DIGITS.get(system, DIGITS["latn"])
    return None if digits == DIGITS["latn"] else str.maketrans(DIGITS["latn"], digits)


def page_digits(locale):
    """The digits 0-9 of the locale's default system, for <html data-digits> (scripts write
    numbers with them); "" when they are 0-9 (the attribute is then left out)."""
    return DIGITS["latn"].translate(digit_table(locale)) if locale and digit_table(locale) else ""


def local_digits(text, locale):
    """`text` with 0-9 written in the locale's default digits."""
    table = digit_table(locale) if locale else None
    return text.translate(table) if table else text


def format_number(value, locale, pattern=None):
    """A count or an amount as the language writes it: separators, grouping and digits."""
    return local_digits(format_decimal(value, pattern, locale=locale, numbering_system="default"), locale)


def format_day(value, locale, width="medium"):
    return local_digits(format_date(value, width, locale=locale), locale)


def format_time_of_day(value, locale, skeleton="Hm"):
    return local_digits(format_skeleton(skeleton, value, locale=locale), locale)


def _number_words(variables, locale):
    """gettext's variables with each int or float in the page language's digits (no
    grouping added: a sentence may hold a year or a code as well as a count)."""
    return {
        name: local_digits(str(value), locale)
        if isinstance(value, (int, float)) and not isinstance(value, bool)
        else value
        for name, value in variables.items()
    }


def localise_gettext(jinja_env, current_locale):
    """Wrap the templates' gettext callables (as installed, newstyle) so the numbers they
    put in sentences ("Page %(n)s of %(total)s") use the page language's digits."""

    def wrap(name, counted):
        inner = jinja_env.globals[name]

        @pass_context
        def call(context, *args, **variables):
            locale = current_locale()  # None outside a request: 0-9
            if not locale or digit_table(locale) is None:
                return context.call(inner, *args, **variables)
            if counted and "num" not in variables:  # ngettext's count is %(num)s too
                variables["num"] = args[-1]
            return context.call(inner, *args, **_number_words(variables, locale))

        jinja_env.globals[name] = call

    for name, counted in (("gettext", False), ("pgettext", False), ("ngettext", True), ("npgettext", True)):
        if name in jinja_env.globals:
            wrap(name, counted)


def localise_filters(jinja_env, current_locale):
    """Flask-Babel's date and time filters (|dateformat …), written in the page's digits."""

    def wrap(inner):
        return lambda *args, **options: local_digits(inner(*args, **options), current_locale())

    for name in ("datetimeformat", "dateformat", "timeformat", "timedeltaformat"):
        if name in jinja_env.filters:
            jinja_env.filters[name] = wrap(jinja_env.filters[name])


def init_jinja(jinja_env, current_locale):
    """Write the numbers templates put in sentences and dates in the page's own digits."""
    localise_gettext(jinja_env, current_locale)
    localise_filters(jinja_env, current_locale)
