"""The learner pages speak English and French, completely, and follow each learner."""

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from .test_pages import sign_in

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = ROOT / "kit" / "translations" / "learn"


def extracted_ids(tmp_path):
    """Extract the strings from today's sources with the learner area's babel.cfg."""
    out = tmp_path / "fresh.pot"
    subprocess.run([sys.executable, "-c", "import sys; from babel.messages.frontend import main; "
                    "sys.argv[0] = 'pybabel'; main()", "extract",
                    "-F", str(CATALOGUES / "babel.cfg"), "-o", str(out), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with open(out, "rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def test_catalogues_cover_every_string_and_are_compiled(tmp_path):
    wanted = extracted_ids(tmp_path)
    assert len(wanted) > 50
    for lang in ("en", "fr"):
        folder = CATALOGUES / lang / "LC_MESSAGES"
        with open(folder / "messages.po", "rb") as handle:
            po = {m.id: m.string for m in read_po(handle) if m.id}
        missing = sorted(wanted - {k for k, v in po.items() if v})
        assert not missing, f"{lang}: untranslated {missing[:5]}"
        with open(folder / "messages.mo", "rb") as handle:
            mo = {m.id: m.string for m in read_mo(handle) if m.id}
        assert set(po) <= set(mo) and all(mo[k] == po[k] for k in po), \
            f"{lang}: messages.mo is stale: run pybabel compile -d kit/translations/learn"


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
