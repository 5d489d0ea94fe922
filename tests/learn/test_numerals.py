"""Numbers in each language's own digits (issue 18): CLDR's default numbering system for
Bangla is `beng` (১২৩), which Babel does not apply by itself; English, French, Kiswahili
and Wolof keep 0-9. What machines read (URLs, form values, data attributes, JSON) stays 0-9."""

import re

import pytest
from babel import Locale
from babel.numbers import format_decimal

from kit.roster import update_learner
from kit.web.i18n import LANGUAGES
from kit.web.numerals import DIGITS, format_number, local_digits, page_digits

from .test_pages import sign_in

BENGALI_DIGIT = re.compile("[০-৯]")


def test_every_language_of_the_kit_has_its_default_digits():
    for lang in LANGUAGES:
        assert Locale.parse(lang).default_numbering_system in DIGITS, lang


@pytest.mark.parametrize("lang", ["en", "fr", "sw", "wo"])
def test_latin_digit_languages_are_written_as_before(lang):
    assert format_number(1234567.5, lang) == format_decimal(1234567.5, locale=lang)
    assert local_digits("Page 1 of 20", lang) == "Page 1 of 20" and page_digits(lang) == ""


def test_bangla_numbers_use_bangla_digits():
    assert format_number(123, "bn") == "১২৩"
    assert format_number(1234567.5, "bn") == "১২,৩৪,৫৬৭.৫"  # Indian grouping, as CLDR has it
    assert page_digits("bn") == "০১২৩৪৫৬৭৮৯"


def lesson_page(learn_app, ids, lang):
    client = learn_app.test_client()
    update_learner(ids["ada"], name="Ada", language=lang)
    sign_in(client, ids["ada"], ids["class"])
    return client, client.get("/lesson/mini/01-count?step=1").get_data(as_text=True)


def test_a_bangla_lesson_page_writes_its_sentences_numbers_in_bangla_digits(learn_app, ids):
    client, html = lesson_page(learn_app, ids, "bn")
    assert 'aria-label="পৃষ্ঠা ১, মোট ২"' in html and 'aria-label="পৃষ্ঠা ২, মোট ২"' in html
    assert '<html lang="bn" dir="ltr" data-digits="০১২৩৪৫৬৭৮৯">' in html
    # What scripts, links and forms read stays 0-9.
    assert 'id="step-1" data-step="1"' in html and "?step=2" in html
    assert re.search(r'name="attempt" value="\d+"', html) and re.search(r'name="step" value="\d+"', html)
    for attribute in re.findall(r'(?:href|src|action|value|data-[a-z-]+)="([^"]*)"', html):
        if attribute != "০১২৩৪৫৬৭৮৯":
            assert not BENGALI_DIGIT.search(attribute), attribute
    progress = client.get("/api/v1/progress").get_data(as_text=True)
    assert not BENGALI_DIGIT.search(progress)


@pytest.mark.parametrize("lang", ["en", "fr", "sw", "wo"])
def test_other_languages_lesson_pages_keep_latin_digits(learn_app, ids, lang):
    _client, html = lesson_page(learn_app, ids, lang)
    assert not BENGALI_DIGIT.search(html) and "data-digits" not in html
    assert re.search(r'id="step-0" data-step="0" aria-label="[^"]*1[^"]*2"', html)


def test_gettext_numbers_follow_the_page_language_and_0_to_9_without_one():
    """ngettext's count is a %(num)s too; with no page language (None) nothing changes."""
    import gettext

    from jinja2 import Environment

    from kit.web.numerals import init_jinja

    language = ["bn"]
    env = Environment(extensions=["jinja2.ext.i18n"])
    env.install_gettext_translations(gettext.NullTranslations(), newstyle=True)
    init_jinja(env, lambda: language[0])
    template = env.from_string(
        "{{ _('Page %(n)s of %(total)s', n=1, total=12) }} {{ ngettext('%(num)s page', '%(num)s pages', 3) }}"
    )
    assert template.render() == "Page ১ of ১২ ৩ pages"
    for language[0] in ("en", None):
        assert template.render() == "Page 1 of 12 3 pages"
