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


def test_a_text_in_both_the_learner_and_teacher_catalogues_has_one_translation():
    """Flask-Babel merges the teacher's catalogue over the learner's, so a text both hold
    shows the teacher's translation on a child's page (Kiswahili "Check" became the
    certificate page's "Hakiki" on the quiz button): both must say the same."""
    from babel.messages.pofile import read_po

    learn_root = ROOT / "kit" / "translations" / "learn"
    differ = []
    for folder in sorted(p for p in CATALOGUES.iterdir() if (p / "LC_MESSAGES").is_dir()):
        with open(learn_root / folder.name / "LC_MESSAGES" / "messages.po", "rb") as f:
            learn = read_po(f)
        with open(folder / "LC_MESSAGES" / "messages.po", "rb") as f:
            teach = read_po(f)
        differ += [
            (folder.name, m.id, m.string, teach[m.id].string)
            for m in learn
            if m.id and m.id in teach and teach[m.id].string != m.string
        ]
    assert differ == []


def test_bangla_teacher_pages_write_numbers_in_bangla_digits_and_links_in_0_to_9(admin, ids):
    """CLDR's default digits for Bangla are ০-৯ (kit/web/numerals.py); what links, forms
    and scripts read stays 0-9."""
    import re

    post(admin, "/teach/language", {"lang": "bn", "back": "/teach/"})
    status = admin.get("/admin/").get_data(as_text=True)
    assert re.search(r"[০-৯]", status) and 'data-digits="০১২৩৪৫৬৭৮৯"' in status
    for path in ("/teach/", f"/teach/classes/{ids['class']}", "/admin/"):
        response = admin.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        for attribute in re.findall(r'(?:href|src|action|value|data-[a-z-]+)="([^"]*)"', html):
            if attribute != "০১২৩৪৫৬৭৮৯":
                assert not re.search(r"[০-৯]", attribute), (path, attribute)
    post(admin, "/teach/language", {"lang": "fr", "back": "/teach/"})
    assert not re.search(r"[০-৯]", admin.get("/admin/").get_data(as_text=True))
