"""The mini pack with sign-language video, for the tests of issue 18.

The clips are ffmpeg test patterns (colour bars and counters) put through
tools/prepare_sign: they are NOT signing, and stand in for a signer's recording only so
that the format, the checks and the player can be tested. Never ship them in a pack.
"""

import shutil
import subprocess
import sys
from pathlib import Path

from .helpers import MINI

ROOT = Path(__file__).resolve().parents[2]
PREPARE_SIGN = ROOT / "tools" / "prepare_sign"
# What each clip shows: a different ffmpeg test source each, so a test can tell them apart.
PATTERNS = {
    "lessons/01-count/page1-sign.webm": ("testsrc", 2.0),
    "lessons/01-count/page2-sign.webm": ("smptebars", 2.0),
    "signs/three.webm": ("rgbtestsrc", 1.0),
}


def pattern_video(out, source="testsrc", seconds=2.0, size="320x240", rate=25):
    """Write a short silent test-pattern video (an MP4, as a phone would give) to `out`."""
    subprocess.run(
        ["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i",
         f"{source}=size={size}:rate={rate}:duration={seconds}", "-pix_fmt", "yuv420p", str(out)],
        check=True,
    )  # fmt: skip
    return out


def prepare_sign(source, out, *flags):
    """Run the real tools/prepare_sign; return the CompletedProcess."""
    return subprocess.run(
        [sys.executable, str(PREPARE_SIGN), str(source), str(out), *flags], capture_output=True, text=True
    )


def make_sign_pack(dest):
    """Copy the mini pack to `dest` and give lesson 01-count a sign clip per page and the
    word "three" of its second page a sign dictionary clip; return dest."""
    dest = Path(dest)
    shutil.copytree(MINI, dest)
    for rel, (source, seconds) in PATTERNS.items():
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        raw = pattern_video(dest.parent / f"{Path(rel).stem}.mp4", source, seconds)
        done = prepare_sign(raw, dest / rel, *(["--word"] if rel.startswith("signs/") else []))
        assert done.returncode == 0, done.stderr
    lesson = dest / "lessons/01-count/lesson.md"
    text = lesson.read_text(encoding="utf-8")
    text = text.replace("minutes: 5\n", "minutes: 5\nsign_pages: [page1-sign.webm, page2-sign.webm]\n")
    text = text.replace("make **three** mangoes", "make [three](sign:three) mangoes")
    lesson.write_text(text, encoding="utf-8")
    meta = dest / "pack.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "signs: {three: signs/three.webm}\n", encoding="utf-8")
    return dest
