"""The teacher and admin pages speak English and French, completely, and follow each teacher."""

import subprocess
import sys

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kit.models import User

from .helpers import ROOT, csrf_token, post

CATALOGUES = ROOT / "kit" / "translations" / "teach"


def extracted_ids(tmp_path):
    """Extract the strings from today's sources with the repository's babel.cfg."""
    out = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-c", "import sys; from babel.messages.frontend import main; "
                    "sys.argv[0] = 'pybabel'; main()", "extract",
                    "-F", str(CATALOGUES / "babel.cfg"), "-o", str(out), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with open(out, "rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def _plain(value):
    """Plural entries come as lists or tuples depending on the reader: compare them as tuples."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def test_catalogues_cover_every_string_and_are_compiled(tmp_path):
    wanted = extracted_ids(tmp_path)
    assert len(wanted) > 200
    for lang in ("en", "fr"):
        folder = CATALOGUES / lang / "LC_MESSAGES"
        with open(folder / "messages.po", "rb") as handle:
            po = {m.id: m.string for m in read_po(handle) if m.id}
        missing = sorted(wanted - {k for k, v in po.items() if v})
        assert not missing, f"{lang}: untranslated {missing[:5]}"
        with open(folder / "messages.mo", "rb") as handle:
            mo = {_plain(m.id): _plain(m.string) for m in read_mo(handle) if m.id}
        po = {_plain(k): _plain(v) for k, v in po.items()}
        assert mo == {k: v for k, v in po.items() if k in mo} and set(po) <= set(mo), \
            f"{lang}: messages.mo is stale: run pybabel compile -d kit/translations/teach"


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
    page = teacher.post(f"/teach/classes/{ids['class']}/import", data={
        "csrf_token": token, "file": (io.BytesIO(b"name,colour\nKofi,mauve\n"), "r.csv")},
        content_type="multipart/form-data").get_data(as_text=True)
    assert "Ligne 2 : couleur « mauve » ne fait pas partie de : red, orange" in page
