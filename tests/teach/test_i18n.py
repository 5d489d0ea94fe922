"""The teacher and admin pages speak English and French, completely, and follow each teacher."""

from kit.models import User
from tests.catalogues import assert_catalogues_complete

from .helpers import ROOT, csrf_token, post

CATALOGUES = ROOT / "kit" / "translations" / "teach"


def test_catalogues_cover_every_string_and_are_compiled(tmp_path):
    assert_catalogues_complete(CATALOGUES, tmp_path, at_least=200)


def test_pages_follow_the_browser_language(client):
    page = client.get("/teach/login", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    text = page.get_data(as_text=True)
    assert '<html lang="fr"' in text and "Connexion enseignant" in text
    english = client.get("/teach/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Teacher sign-in" in english


def test_teacher_language_choice_is_kept_on_the_account(teacher, client):
    post(teacher, "/teach/language", {"lang": "fr", "back": "/teach/"})
    assert User.get(User.username == "tina").language == "fr"
    page = teacher.get("/teach/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Vos classes" in page
    bad = post(teacher, "/teach/language", {"lang": "xx", "back": "https://evil.example/"})
    assert bad.location.endswith("/teach/")
    assert User.get(User.username == "tina").language == "fr"
    assert csrf_token(teacher, "/teach/")


def test_import_errors_are_translated_too(teacher, ids):
    import io

    post(teacher, "/teach/language", {"lang": "fr", "back": "/teach/"})
    token = csrf_token(teacher, f"/teach/classes/{ids['class']}/roster")
    page = teacher.post(
        f"/teach/classes/{ids['class']}/import",
        data={"csrf_token": token, "file": (io.BytesIO(b"name,colour\nKofi,mauve\n"), "r.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Ligne 2 : couleur « mauve » ne fait pas partie de : red, orange" in page
