"""docs/security.md: the picture-password numbers follow from the settings in force, and
the page is linked from the README."""

import math
import re
from pathlib import Path

from kit.pictures import PICTURES
from kit.settings import BY_NAME

ROOT = Path(__file__).resolve().parents[2]


def minutes_to_try(guesses, per_window, window_s):
    """Minutes before the last of `guesses` tries may be made: `per_window` per sliding window."""
    return (guesses - 1) // per_window * window_s / 60


def test_picture_password_guessing_times_match_the_default_limits():
    doc = (ROOT / "docs" / "security.md").read_text()
    pairs = math.comb(len(PICTURES), 2)
    per, window = BY_NAME["login_attempts"].default, BY_NAME["login_window_s"].default
    all_pairs = minutes_to_try(pairs, per, window)
    half = minutes_to_try(pairs // 2, per, window)
    assert f"{len(PICTURES)} pictures in any order: {pairs} pairs" in doc
    assert f"`login_attempts` = {per} wrong tries per learner per `login_window_s` = {window} seconds" in doc
    assert f"**at least {all_pairs:g} minutes**" in doc
    assert f"**{half:g} minutes**" in doc
    per_address = BY_NAME["login_address_attempts"].default
    assert f"(`login_address_attempts` = {per_address})" in doc
    assert f"caps one tablet at {per_address} guesses every {window // 60} minutes" in doc


def test_security_page_is_linked_and_keeps_its_sections():
    assert "(docs/security.md)" in (ROOT / "README.md").read_text()
    headings = re.findall(r"^## (.+)$", (ROOT / "docs" / "security.md").read_text(), re.M)
    for needed in (
        "Who we plan against",
        "What the kit and the hub promise",
        "What they do not promise",
        "Input limits and hostile input",
        "USB bundles",
        "Headers and access",
        "Reporting a problem",
    ):
        assert needed in headings
