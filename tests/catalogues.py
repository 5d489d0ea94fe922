"""One check for every gettext catalogue: complete against a fresh extraction, and compiled."""

import re
import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from kit.web.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s|%%")


def extracted_ids(catalogues, tmp_path):
    """Extract the strings from today's sources with the catalogue folder's babel.cfg."""
    out = tmp_path / "fresh.pot"
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from babel.messages.frontend import main; sys.argv[0] = 'pybabel'; main()",
            "extract",
            "-F",
            str(Path(catalogues) / "babel.cfg"),
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(out, "rb") as handle:
        return {m.id for m in read_po(handle) if m.id}


def same_placeholders(msgid, msgstr):
    """A translation keeps every %(name)s of its English (each plural form, the plural's)."""
    english = msgid if isinstance(msgid, str) else msgid[-1]
    forms = [msgstr] if isinstance(msgstr, str) else list(msgstr)
    wanted = sorted(PLACEHOLDER.findall(english))
    return all(sorted(PLACEHOLDER.findall(form)) == wanted for form in forms)


def _plain(value):
    """Plural entries come as lists or tuples depending on the reader: compare them as tuples."""
    return tuple(value) if isinstance(value, (list, tuple)) else value


def assert_catalogues_complete(catalogues, tmp_path, at_least, languages=tuple(LANGUAGES)):
    """Every extracted string is translated in every language the pages offer, its
    placeholders kept, and each .mo matches its .po."""
    wanted = extracted_ids(catalogues, tmp_path)
    assert len(wanted) > at_least
    for lang in languages:
        folder = Path(catalogues) / lang / "LC_MESSAGES"
        with open(folder / "messages.po", "rb") as handle:
            po = {m.id: m.string for m in read_po(handle) if m.id}
        missing = sorted(wanted - {k for k, v in po.items() if v})
        assert not missing, f"{lang}: untranslated {missing[:5]}"
        broken = [k for k, v in po.items() if v and not same_placeholders(k, v)]
        assert not broken, f"{lang}: placeholders changed in {broken[:5]}"
        with open(folder / "messages.mo", "rb") as handle:
            mo = {_plain(m.id): _plain(m.string) for m in read_mo(handle) if m.id}
        po = {_plain(k): _plain(v) for k, v in po.items()}
        assert set(po) <= set(mo) and all(mo[k] == v for k, v in po.items()), (
            f"{lang}: messages.mo is stale: run pybabel compile -d {Path(catalogues).relative_to(ROOT)}"
        )
