"""The learner pages speak English and French, completely, and follow each learner."""

from pathlib import Path

import pytest

from tests.catalogues import assert_catalogues_complete

from .test_pages import sign_in

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "kit" / "translations" / "learn"


def test_catalogues_cover_every_string_and_are_compiled(tmp_path):
    assert_catalogues_complete(CATALOGUES, tmp_path, at_least=50)


def test_pages_follow_the_browser_then_the_learner(learn_app, ids):
    from kit.roster import update_learner

    client = learn_app.test_client()
    french = client.get(f"/class/{ids['class']}", headers={"Accept-Language": "fr"})
    assert "Touche ton nom" in french.get_data(as_text=True)
    assert '<html lang="fr"' in french.get_data(as_text=True)
    update_learner(ids["ada"], name="Ada", language="fr")
    sign_in(client, ids["ada"], ids["class"])
    home = client.get("/lessons", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Mes leçons" in home and "Pas commencée" in home


def test_every_list_of_languages_offers_the_same_ones():
    """The pages, the roster (form and CSV) and the hub offer the same languages."""
    from kit.roster import LANGUAGE_CODES
    from kit.web.i18n import LANGUAGES
    from sync.hub.web import LANGUAGES as HUB_LANGUAGES

    assert list(LANGUAGES) == ["en", "fr", "sw", "bn", "wo"]
    assert LANGUAGE_CODES[1:] == tuple(LANGUAGES) == HUB_LANGUAGES


LEARNER_WORDS = {"sw": "Gusa jina lako", "bn": "তোমার নামে চাপ দাও", "wo": "Bësal sa tur"}
HOME_WORDS = {
    "sw": ("Masomo yangu", "Halijaanzwa"),
    "bn": ("আমার পাঠ", "শুরু হয়নি"),
    "wo": ("Samay njàng", "Tàmbaliwul"),
}


@pytest.mark.parametrize("lang", ["sw", "bn", "wo"])
def test_new_languages_follow_the_browser_then_the_learner(learn_app, ids, lang):
    from kit.roster import update_learner

    client = learn_app.test_client()
    page = client.get(f"/class/{ids['class']}", headers={"Accept-Language": f"{lang},en;q=0.5"})
    text = page.get_data(as_text=True)
    assert LEARNER_WORDS[lang] in text and f'<html lang="{lang}"' in text
    update_learner(ids["ada"], name="Ada", language=lang)
    sign_in(client, ids["ada"], ids["class"])
    home = client.get("/lessons", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert all(words in home for words in HOME_WORDS[lang]), lang


def test_a_due_date_is_written_as_the_learners_language_writes_dates(learn_app, ids):
    import datetime as dt

    from kit.models import Assignment
    from kit.roster import update_learner

    assert Assignment.update(due_date=dt.date(2026, 3, 1)).execute() > 0
    client = learn_app.test_client()
    dates = {}
    for lang in ("en", "sw", "bn", "wo"):
        update_learner(ids["ada"], name="Ada", language=lang)
        sign_in(client, ids["ada"], ids["class"])
        dates[lang] = client.get("/lessons").get_data(as_text=True)
    assert "for Mar 1, 2026" in dates["en"]
    assert "ifikapo 1 Mac 2026" in dates["sw"]
    assert "১ মার্চ, ২০২৬-এর মধ্যে" in dates["bn"]
    assert "ba 1 Mar, 2026" in dates["wo"]
