"""Read the sample packs in content_packs/ straight from their source folders.

Deliberately independent of kit.packs: these helpers restate the format contract
(content_packs/README.md), so a sample pack that drifts from it fails here even if the
builder were to become lenient.
"""

import json
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
PACKS_DIR = ROOT / "content_packs"
SAMPLE_PACKS = ["first-steps", "first-steps-sw", "numeracy", "numeracy-fr"]
# Each translated sample and the pack it translates; its id ends with its language.
TRANSLATIONS = [("numeracy", "numeracy-fr"), ("first-steps", "first-steps-sw")]
MAX_PACK_BYTES = 3 * 1024 * 1024
TIMING = re.compile(r"^(\d\d:)?\d\d:\d\d\.\d\d\d --> (\d\d:)?\d\d:\d\d\.\d\d\d")
IMAGE_OR_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]+)[^)]*\)")


def pack_meta(pack):
    """Return a pack's parsed pack.yaml."""
    return yaml.safe_load((PACKS_DIR / pack / "pack.yaml").read_text(encoding="utf-8"))


def lesson_dir(pack, lesson):
    return PACKS_DIR / pack / "lessons" / lesson


def all_lessons():
    """Every (pack, lesson id) of every sample pack, for parametrised tests."""
    return [(pack, lesson) for pack in SAMPLE_PACKS for lesson in pack_meta(pack)["lessons"]]


def read_lesson(pack, lesson):
    """Split a lesson.md into (front matter dict, list of page texts), as the contract says."""
    text = (lesson_dir(pack, lesson) / "lesson.md").read_text(encoding="utf-8")
    assert text.startswith("---\n"), f"{pack}/{lesson}: lesson.md must open with ---"
    front, body = text[4:].split("\n---\n", 1)
    pages = re.split(r"^\+\+\+[ \t]*$", body, flags=re.MULTILINE)
    return yaml.safe_load(front), [page.strip() for page in pages]


def read_quiz(pack, lesson):
    return yaml.safe_load((lesson_dir(pack, lesson) / "quiz.yaml").read_text(encoding="utf-8"))


def read_cues(vtt_path):
    """Parse a WebVTT file into (identifier, start, end, text) tuples; assert its shape."""
    text = Path(vtt_path).read_text(encoding="utf-8")
    assert text.startswith("WEBVTT"), f"{vtt_path}: must start with WEBVTT"
    cues = []
    for block in re.split(r"\n\s*\n", text.strip())[1:]:
        lines = block.strip().splitlines()
        if lines[0].startswith("NOTE"):
            continue
        timing_at = next(i for i, line in enumerate(lines) if "-->" in line)
        assert TIMING.match(lines[timing_at]), f"{vtt_path}: bad timing line {lines[timing_at]!r}"
        start, end = (to_seconds(s) for s in lines[timing_at].split(" --> "))
        ident = lines[0] if timing_at == 1 else None
        cues.append((ident, start, end, " ".join(lines[timing_at + 1 :])))
    return cues


def to_seconds(stamp):
    total = 0.0
    for part in stamp.strip().split(":"):
        total = total * 60 + float(part)
    return total


def probe(path):
    """Ask ffprobe for a media file's container and streams."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def folder_bytes(folder):
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def right_answer(question):
    """The response a learner who knows the answer would give, read from quiz.yaml."""
    kind = question["type"]
    if kind == "single":
        return next(c["id"] for c in question["choices"] if c.get("correct"))
    if kind == "multiple":
        return [c["id"] for c in question["choices"] if c.get("correct")]
    if kind == "numeric":
        return question["answer"] + question.get("tolerance", 0)
    return str(question["answers"][0])


def wrong_answer(question):
    """A response that must be judged wrong."""
    kind = question["type"]
    if kind == "single":
        return next(c["id"] for c in question["choices"] if not c.get("correct"))
    if kind == "multiple":
        return [c["id"] for c in question["choices"]]  # every choice: includes a wrong one
    if kind == "numeric":
        return question["answer"] + question.get("tolerance", 0) + 1
    return "zebra umbrella"
