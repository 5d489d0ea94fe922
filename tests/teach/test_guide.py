"""The teacher's guide shows only pictures that exist, and every teacher/admin picture taken."""

import re

from .helpers import ROOT

GUIDE = ROOT / "docs" / "teachers-guide.md"


def test_guide_pictures_exist_and_are_all_used():
    text = GUIDE.read_text(encoding="utf-8")
    used = set(re.findall(r"!\[[^\]]+\]\((img/[^)]+\.png)\)", text))
    assert len(used) >= 12
    for name in used:
        path = GUIDE.parent / name
        assert path.is_file(), name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    taken = {
        f"img/{p.name}"
        for p in (GUIDE.parent / "img").glob("*.png")
        if p.name.startswith(("teacher-", "admin-", "learner-", "live-"))
    }
    assert taken <= used, f"screenshots not in the guide: {sorted(taken - used)}"


def test_guide_names_the_commands_and_settings_that_exist():
    text = GUIDE.read_text(encoding="utf-8")
    from kit.settings import BY_NAME

    for setting in ("wifi_ssid", "wifi_passphrase"):
        assert setting in text and setting in BY_NAME
    assert "kit learners import roster.csv --class" in text
    assert "KIT_SCREENSHOTS=1" in text
