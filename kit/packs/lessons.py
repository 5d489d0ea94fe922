"""What the learner pages show of a lesson (rendered pages, media URLs, public questions),
and an installed lesson's quiz for judging answers and applying the mastery rule.

Rendering is cached per installed folder (``<pack>@<version>``), so an upgrade simply
renders the new folder and the old cache entries are dropped by ``forget_cache``.
"""

import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from ..db import database
from ..errors import NotFound
from .cues import read_cues
from .offline_check import offline_check, question_salt
from .quiz import mark_answer, min_score, public_question

# markdown-it and YAML are imported when a lesson is first rendered or judged, not when
# `kit serve` starts: they cost ~30 ms of every start and memory a kit may never need.

AUDIO_TYPES = {
    ".ogg": "audio/ogg",
    ".opus": "audio/ogg",
    ".oga": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".webm": "audio/webm",
}
VIDEO_TYPES = {".webm": "video/webm", ".mp4": "video/mp4", ".ogv": "video/ogg"}
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_CUE_TAG = re.compile(r"<[^>]*>")  # <v Speaker>, <i>, <00:01.000> inside a cue's text


@dataclass(frozen=True)
class LessonView:
    pack_id: str
    lesson_id: str
    version: str
    title: str
    objectives: list
    minutes: int
    language: str
    position: int
    pages: list
    audio: dict | None
    video: dict | None
    sign_video: dict | None
    sign_pages: list  # per page: {"url", "type"} of its sign-language clip, or None
    questions: list
    min_score: float
    next_lesson_id: str | None
    prev_lesson_id: str | None


def packs_dir():
    """The installed packs live beside the database, in DATA/packs."""
    return _packs_beside(database.database)


def _packs_beside(database_file):
    return Path(database_file).parent / "packs"


@lru_cache(maxsize=1024)
def _folder_path(database_file, folder):
    return str(_packs_beside(database_file) / folder)


def folder_path(folder):
    """Return the path of an installed pack's folder as text (made once: every learner
    request asks, and building paths was a tenth of a quiz check)."""
    return _folder_path(database.database, folder)


def media_url(pack_id, version, path):
    return f"/media/{pack_id}/{version}/{quote(path)}"


def _installed(pack_id):
    """Return (folder, version, installed_at) of the installed pack; NotFound otherwise.

    Read from the database on every call, never cached: `kit pack import` runs in
    another process, and the folder name (``<pack>@<version>``) plus the install time
    is what keys every cache below, so a new install is seen at once.
    """
    row = database.execute_sql(
        "SELECT folder, version, installed_at FROM pack WHERE pack_id = ?", (pack_id,)
    ).fetchone()
    if row is None:
        raise NotFound(f"no pack {pack_id!r} is installed")
    return tuple(row)


def get_lesson(pack_id, lesson_id):
    """Return the lesson as the current installed version of its pack shows it."""
    # The pack row (one row, read every time); the lesson order is the installed folder's
    # manifest, which the install recorded in the lesson table too and never changes.
    folder, version, installed_at = _installed(pack_id)
    path = folder_path(folder)
    ids = _lesson_order(path, installed_at)
    if lesson_id not in ids:
        raise NotFound(f"pack {pack_id!r} has no lesson {lesson_id!r}")
    return _lesson_view(path, installed_at, pack_id, version, lesson_id, ids)


@lru_cache(maxsize=512)
def _lesson_order(folder, installed_at):
    """The lesson ids of an installed folder, in order (read once: every page asks)."""
    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    return tuple(entry["id"] for entry in manifest["lessons"])


@lru_cache(maxsize=512)
def _lesson_view(folder, installed_at, pack_id, version, lesson_id, ids):
    """Build a LessonView once per installed folder (and install time), lesson and order."""
    index = ids.index(lesson_id)
    view = _render(folder, installed_at, pack_id, version, lesson_id)
    return LessonView(
        **view,
        position=index,
        prev_lesson_id=ids[index - 1] if index else None,
        next_lesson_id=ids[index + 1] if index + 1 < len(ids) else None,
    )


def load_quiz(pack_id, lesson_id):
    """Return the full quiz (answers included) of an installed lesson; for judging only."""
    folder, _version, installed_at = _installed(pack_id)
    quiz = _quiz(folder_path(folder), installed_at, lesson_id)
    if quiz is None:
        raise NotFound(f"lesson {pack_id}/{lesson_id} has no quiz")
    return quiz


def check_answer(pack_id, lesson_id, question_id, response):
    """Judge one answer against the installed pack: {"correct", "feedback", "hint"}."""
    return mark_answer(load_quiz(pack_id, lesson_id), pack_id, lesson_id, question_id, response)


def quiz_facts(pack_id, lesson_id):
    """Return (question ids in order, min_score) of an installed lesson's quiz, or None
    when it has none: what scoring a finished quiz needs, without rendering the lesson."""
    folder, _version, installed_at = _installed(pack_id)
    return _quiz_facts(folder_path(folder), installed_at, lesson_id)


@lru_cache(maxsize=512)
def _quiz_facts(folder, installed_at, lesson_id):
    quiz = _quiz(folder, installed_at, lesson_id)
    if not quiz or not quiz.get("questions"):
        return None
    return tuple(q["id"] for q in quiz["questions"]), min_score(quiz, _pack_mastery(folder, installed_at))


@lru_cache(maxsize=512)
def _pack_mastery(folder, installed_at):
    """The pack's own mastery rule, from the installed manifest (read once per install)."""
    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    return manifest.get("mastery", {})


def course_of(pack_id):
    """The installed pack's course (as kit.packs.course checked it), or None; NotFound if
    the pack is not installed. Read from the installed manifest once per install: learner
    pages ask on every load, and the manifest may list thousands of files."""
    folder, _version, installed_at = _installed(pack_id)
    return _course(folder_path(folder), installed_at)


@lru_cache(maxsize=512)
def _course(folder, installed_at):
    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    return manifest.get("course")


# Folder-level caches are keyed by the install time too: a pack removed and imported again
# at the same version (by `kit pack import`, in another process) reuses its folder name.
@lru_cache(maxsize=512)
def _quiz(folder, installed_at, lesson_id):
    import yaml  # deferred: +1.7 MB (see above)

    path = Path(folder) / "lessons" / lesson_id / "quiz.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None


@lru_cache(maxsize=512)
def _render(folder, installed_at, pack_id, version, lesson_id):
    from . import markup  # deferred: markdown-it, +1.9 MB (see above)
    from .source import PAGE_BREAK, split_front_matter  # deferred: it imports YAML and markup

    root = Path(folder)
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    base = f"lessons/{lesson_id}"
    where = f"{base}/lesson.md"
    front, body = split_front_matter((root / where).read_text(encoding="utf-8"), where)

    def url(rel):
        return media_url(pack_id, version, rel)

    signs = manifest.get("signs") or {}
    pages = [markup.render_page(page.strip(), base, url, signs) for page in PAGE_BREAK.split(body)]
    sign_pages = list(front.get("sign_pages") or [])
    sign_pages += [None] * (len(pages) - len(sign_pages))
    quiz = _quiz(folder, installed_at, lesson_id)
    return dict(
        pack_id=pack_id,
        lesson_id=lesson_id,
        version=version,
        title=front["title"],
        objectives=list(front["objectives"]),
        minutes=front["minutes"],
        language=manifest.get("language", ""),
        pages=pages,
        audio=_audio(root, base, front.get("audio"), url),
        video=_video(root, base, front.get("video"), url, manifest.get("language", "")),
        sign_video=_sign(base, front.get("sign_video"), url),
        sign_pages=[_sign(base, clip, url) for clip in sign_pages],
        questions=[
            _with_check(_heard(public_question(q), q, root, base, url), q, folder, installed_at, lesson_id)
            for q in (quiz or {}).get("questions", [])
        ],
        min_score=min_score(quiz, manifest.get("mastery")),
    )


def _rel(base, name):
    from . import markup  # deferred: markdown-it (see above)

    return markup._resolve(base, name)


def _audio(root, base, audio, url):
    if not audio:
        return None
    rel, transcript = _rel(base, audio["file"]), _rel(base, audio["transcript"])
    text = (root / transcript).read_text(encoding="utf-8")
    paragraphs = [html.escape(p.strip()) for p in text.split("\n\n") if p.strip()]
    cues = None
    if audio.get("cues"):
        cues_rel = _rel(base, audio["cues"])
        cues = read_cues((root / cues_rel).read_text(encoding="utf-8"), cues_rel)
    return {
        "url": url(rel),
        "type": AUDIO_TYPES.get(Path(rel).suffix.lower(), "audio/ogg"),
        "transcript_html": "".join(f"<p>{p}</p>" for p in paragraphs),
        "cues": cues,
    }


def _video(root, base, video, url, language):
    if not video:
        return None
    rel, captions = _rel(base, video["file"]), _rel(base, video["captions"])
    text = (root / captions).read_text(encoding="utf-8-sig")
    return {
        "url": url(rel),
        "type": VIDEO_TYPES.get(Path(rel).suffix.lower(), "video/webm"),
        "captions_url": url(captions),
        "captions_lang": language,
        "captions_html": "".join(f"<p>{html.escape(line)}</p>" for line in caption_lines(text)),
        "poster_url": url(_rel(base, video["poster"])) if video.get("poster") else None,
    }


def caption_lines(vtt):
    """Return what a WebVTT file says, cue by cue, as plain text for reading in the page.

    The file itself is for the video player: its header, NOTE blocks, cue identifiers,
    timings and voice tags (<v Ada>) mean nothing to a child reading along.
    """
    lines = []
    for block in _BLANK_LINE.split(vtt.replace("\r\n", "\n").replace("\r", "\n")):
        rows = [row for row in block.strip().split("\n") if row.strip()]
        timing = next((i for i, row in enumerate(rows) if "-->" in row), None)
        if timing is None:
            continue  # the WEBVTT header, a NOTE, a STYLE or REGION block
        said = " ".join(_CUE_TAG.sub("", row).strip() for row in rows[timing + 1 :])
        if said.strip():
            lines.append(html.unescape(" ".join(said.split())))
    return lines


def _with_check(public, question, folder, installed_at, lesson_id):
    """Add what the tablet needs to judge the question while the kit is away (hashes only)."""
    salt = question_salt(folder, installed_at, lesson_id, question["id"])
    public["check"] = offline_check(question, salt)
    return public


def _heard(public, question, root, base, url):
    """Add a question's spoken version to what the tablet sees: the clip and, for the
    prompt and each choice, the part of it (start, end) its speaker button plays."""
    spec = question.get("audio")
    if not spec:
        return public
    rel, cues_rel = _rel(base, spec["file"]), _rel(base, spec["cues"])
    cues = read_cues((root / cues_rel).read_text(encoding="utf-8"), cues_rel)
    public["audio"] = {
        "url": url(rel),
        "type": AUDIO_TYPES.get(Path(rel).suffix.lower(), "audio/ogg"),
        "parts": {cue.ident: (cue.start, cue.end) for cue in cues if cue.ident},
    }
    return public


def _sign(base, sign, url):
    if not sign:
        return None
    rel = _rel(base, sign)
    return {"url": url(rel), "type": VIDEO_TYPES.get(Path(rel).suffix.lower(), "video/webm")}


def folder_manifest(folder):
    """Return {path: sha256} for an installed folder, read from its manifest.json.

    Cached by the file's modification time as well: a folder name comes back when a pack
    is removed and imported again at the same version, perhaps by another process.
    """
    return _manifest_files(folder, (Path(folder) / "manifest.json").stat().st_mtime_ns)


@lru_cache(maxsize=64)
def _manifest_files(folder, _mtime_ns):
    manifest = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    return {item["path"]: item["sha256"] for item in manifest["files"]}


def forget_cache():
    """Drop rendered lessons after a pack is installed or removed."""
    _lesson_view.cache_clear()
    _render.cache_clear()
    _quiz.cache_clear()
    _quiz_facts.cache_clear()
    _pack_mastery.cache_clear()
    _course.cache_clear()
    _manifest_files.cache_clear()
