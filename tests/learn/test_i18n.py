"""The learner pages speak English and French, completely, and follow each learner."""

from pathlib import Path

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
