"""The learner CSS and JS: right-to-left safe, plain ES5, nothing from outside the kit."""

import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "kit" / "static" / "learn"
TEMPLATES = Path(__file__).resolve().parents[2] / "kit" / "templates" / "learn"


def test_css_uses_logical_properties_so_rtl_works():
    css = (STATIC / "learn.css").read_text()
    physical = re.findall(
        r"(?:margin|padding|border)-(?:left|right)|(?<![-\w])(?:left|right)\s*:"
        r"|text-align\s*:\s*(?:left|right)|float\s*:",
        css,
    )
    assert not physical, f"use logical properties (inline-start/end) instead of {physical}"


def test_scripts_are_es5_for_old_webviews():
    scripts = sorted(STATIC.glob("*.js"))
    assert {"learn.js", "player.js", "sign.js", "speak.js", "watch.js", "live.js"} <= {
        p.name for p in scripts
    }
    for path in scripts:
        name = path.name
        code = re.sub(r"/\*.*?\*/", "", path.read_text(), flags=re.S)  # words in comments
        found = re.findall(r"\b(?:let|const|class)\s|=>|`|\bfetch\(|\basync\s|\.\.\.", code)
        assert not found, f"{name}: not ES5: {found}"


def test_nothing_is_fetched_from_outside_the_kit():
    for path in list(STATIC.rglob("*.*")) + list(TEMPLATES.glob("*.html")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(?:src|href)\s*=\s*\"(?:https?:)?//", text), path
        assert "@import" not in text and "url(http" not in text, path


def test_every_avatar_and_picture_has_an_image():
    from kit.pictures import AVATARS, PICTURES

    for name in AVATARS:
        assert (STATIC / "avatars" / f"{name}.svg").read_text().startswith("<svg")
    for name in PICTURES:
        assert (STATIC / "pictures" / f"{name}.svg").read_text().startswith("<svg")
