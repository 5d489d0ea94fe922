"""Read and validate a pack's files: pack.yaml, each lesson's front matter, pages and quiz.

Build runs this on the author's folder, import on the unpacked archive, so a pack that
builds is a pack that imports. Every problem is a PackError naming the file.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..errors import PackError
from . import markup
from .course import validate_course
from .cues import read_cues
from .quiz import DEFAULT_MIN_SCORE, validate_mastery, validate_quiz
from .webm import PAGE_SIGN, WORD_SIGN, check_sign_video

PACK_ID = re.compile(r"^[a-z0-9][a-z0-9-]{1,63}$")
LESSON_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
VERSION = re.compile(r"^\d{1,6}(\.\d{1,6}){0,3}$")
LANGUAGE = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$")
PAGE_BREAK = re.compile(r"^\+\+\+[ \t]*$", re.MULTILINE)
AUDIO = {".ogg", ".opus", ".mp3", ".m4a", ".oga", ".webm"}
VIDEO = {".webm", ".mp4", ".ogv"}
POSTER = {".jpg", ".jpeg", ".png", ".webp"}
SIGN_VIDEO = {".webm"}
SIGN_WORD = re.compile(r"^[^\s/:#?]{1,40}$")
SVG_ACTIVE = re.compile(rb"<script|<foreignobject|\son[a-z]+\s*=|javascript:", re.IGNORECASE)


@dataclass
class LessonSource:
    id: str
    title: str
    objectives: list
    minutes: int
    path: str
    quiz: str | None
    audio: dict | None = None
    video: dict | None = None
    sign_video: str | None = None
    sign_pages: list = field(default_factory=list)  # a clip's pack path or None, per page
    pages: list = field(default_factory=list)
    final: bool = False  # its quiz is a course's final assessment (`final: true` in quiz.yaml)


@dataclass
class PackSource:
    meta: dict
    lessons: list
    files: list

    @property
    def id(self):
        return self.meta["id"]

    @property
    def version(self):
        return self.meta["version"]


def version_key(version):
    """Turn "1.10.2" into (1, 10, 2) so versions compare as numbers."""
    return tuple(int(part) for part in version.split("."))


def list_files(root):
    """Return every file under root as sorted pack-relative paths; refuse links and specials."""
    root = Path(root)
    files = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_symlink():
            raise PackError(f"{rel}: symbolic links are not allowed in a pack")
        if path.is_dir():
            continue
        if not path.is_file():
            raise PackError(f"{rel}: special files are not allowed in a pack")
        if rel != "manifest.json":
            files.append(rel)
    return files


def read_pack(root, files=None):
    """Validate the pack folder at root and return what it holds."""
    root = Path(root)
    files = list_files(root) if files is None else files
    fileset = set(files)
    if "pack.yaml" not in fileset:
        raise PackError("pack.yaml: missing (every pack starts with one)")
    data = _load_yaml(root, "pack.yaml")
    meta = _pack_meta(data)
    signs = _sign_dictionary(root, data.get("signs"), fileset)
    if signs:
        meta["signs"] = signs
    lessons = [_read_lesson(root, lesson_id, fileset, signs) for lesson_id in meta["lessons"]]
    for rel in files:
        if rel.lower().endswith(".svg"):
            _check_svg(root, rel)
    meta["lessons"] = [_lesson_entry(lesson) for lesson in lessons]
    course = meta.pop("course")
    if course is not None:
        meta["course"] = validate_course(course, lessons)
    elif any(lesson.final for lesson in lessons):
        final = next(lesson for lesson in lessons if lesson.final)
        raise PackError(
            f"{final.quiz}: `final: true` marks a course's final assessment, but pack.yaml has no `course:`"
        )
    return PackSource(meta=meta, lessons=lessons, files=files)


def _load_yaml(root, rel):
    try:
        return yaml.safe_load((root / rel).read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise PackError(f"{rel}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        raise PackError(f"{rel}: malformed YAML: {_yaml_where(exc)}") from None


def _yaml_where(exc):
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or str(exc)
    return f"line {mark.line + 1}: {problem}" if mark else problem


def _require(mapping, key, kind, where, check=None):
    value = mapping.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise PackError(f"{where}: `{key}` is required and must be {_kind_name(kind)}")
    if check is not None and not check(value):
        raise PackError(f"{where}: `{key}` has an invalid value {value!r}")
    return value


def _kind_name(kind):
    return {str: "text", list: "a list", int: "a whole number", dict: "a mapping"}.get(kind, "valid")


def _pack_meta(data):
    where = "pack.yaml"
    if not isinstance(data, dict):
        raise PackError(f"{where}: must be a mapping of keys to values")
    meta = {
        "id": _require(data, "id", str, where, PACK_ID.match),
        "version": _version(data.get("version"), where),
        "title": _require(data, "title", str, where, str.strip),
        "description": str(data.get("description") or ""),
        "language": _require(data, "language", str, where, LANGUAGE.match),
        "license": _require(data, "license", str, where, str.strip),
        "authors": _require(data, "authors", list, where, lambda v: v and all(isinstance(a, str) for a in v)),
        "mastery": validate_mastery(data.get("mastery", {"min_score": DEFAULT_MIN_SCORE}), where),
        "course": data.get("course"),  # checked once the lessons are read (kit.packs.course)
    }
    lessons = _require(data, "lessons", list, where, lambda v: len(v) > 0)
    for lesson_id in lessons:
        if not isinstance(lesson_id, str) or not LESSON_ID.match(lesson_id):
            raise PackError(f"{where}: lesson id {lesson_id!r} must be a folder name of a-z 0-9 - _")
    if len(set(lessons)) != len(lessons):
        raise PackError(f"{where}: a lesson is listed twice")
    meta["lessons"] = lessons
    return meta


def _version(value, where):
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)  # YAML reads `version: 1.2` as a number
    if not isinstance(value, str) or not VERSION.match(value):
        raise PackError(f"{where}: `version` is required, as dotted numbers like 1.2.0")
    return value


def _lesson_entry(lesson):
    return {
        "id": lesson.id,
        "title": lesson.title,
        "minutes": lesson.minutes,
        "objectives": lesson.objectives,
        "path": lesson.path,
        "quiz": lesson.quiz,
    }


def split_front_matter(text, where):
    """Return (front matter dict, body) of a lesson.md."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise PackError(f"{where}: must start with front matter between two `---` lines")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise PackError(f"{where}: front matter is not closed by a `---` line") from None
    try:
        front = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        raise PackError(f"{where}: malformed front matter: {_yaml_where(exc)}") from None
    if not isinstance(front, dict):
        raise PackError(f"{where}: front matter must be a mapping (title, objectives, minutes)")
    return front, "\n".join(lines[end + 1 :])


def _sign_dictionary(root, value, files):
    """Check pack.yaml's `signs` (word -> sign clip); return it with the words folded."""
    where = "pack.yaml"
    if value is None:
        return {}
    if not isinstance(value, dict) or not value:
        raise PackError(f"{where}: `signs` must map words to sign-language clips (tap: signs/tap.webm)")
    signs = {}
    for word, clip in value.items():
        if not isinstance(word, str) or not SIGN_WORD.match(word):
            raise PackError(f"{where}: signs: {word!r} must be one word (no spaces, / : # or ?)")
        path = _sign_clip(root, clip, "", files, f"{where}: signs: {word}", WORD_SIGN)
        if word.casefold() in signs:
            raise PackError(f"{where}: signs: {word!r} is listed twice")
        signs[word.casefold()] = path
    return signs


def _sign_clip(root, name, base, files, where, limits):
    """Check one sign-language clip (a WebM file of the pack, small and short); return its path."""
    path = markup._resolve(base, name) if isinstance(name, str) and name else None
    if not path or path not in files:
        raise PackError(f"{where}: sign video {name!r} is not a file of this pack")
    if Path(path).suffix.lower() not in SIGN_VIDEO:
        raise PackError(f"{where}: sign video {name!r} must be a .webm file (VP8 or VP9)")
    check_sign_video(root / path, path, limits)
    return path


def _sign_pages(root, value, base, files, where, pages):
    """Check `sign_pages` (one clip or null per page, in order); return a list as long as pages."""
    if value is None:
        return [None] * pages
    if not isinstance(value, list) or len(value) > pages:
        raise PackError(f"{where}: `sign_pages` must list at most one clip per page ({pages} pages)")
    clips = [
        None if name is None else _sign_clip(root, name, base, files, f"{where}: page {n}", PAGE_SIGN)
        for n, name in enumerate(value, 1)
    ]
    return clips + [None] * (pages - len(clips))


def _read_lesson(root, lesson_id, files, signs=None):
    base = f"lessons/{lesson_id}"
    where = f"{base}/lesson.md"
    if where not in files:
        raise PackError(f"{where}: missing (pack.yaml lists lesson {lesson_id!r})")
    try:
        text = (root / where).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PackError(f"{where}: not UTF-8 text") from None
    front, body = split_front_matter(text, where)
    lesson = LessonSource(
        id=lesson_id,
        path=where,
        title=_require(front, "title", str, where, str.strip),
        objectives=_require(
            front, "objectives", list, where, lambda v: v and all(isinstance(o, str) and o.strip() for o in v)
        ),
        minutes=_require(front, "minutes", int, where, lambda m: 1 <= m <= 240),
        quiz=f"{base}/quiz.yaml" if f"{base}/quiz.yaml" in files else None,
    )
    lesson.audio = _media(front, "audio", ("file", "transcript"), AUDIO, base, files, where)
    if lesson.audio and front["audio"].get("cues") is not None:
        lesson.audio["cues"] = _cues(root, front["audio"]["cues"], base, files, where)
    lesson.video = _media(front, "video", ("file", "captions"), VIDEO, base, files, where)
    if lesson.video:
        _check_captions(root, lesson.video["captions"])
        if front["video"].get("poster") is not None:
            lesson.video["poster"] = _poster(front["video"]["poster"], base, files, where)
    if front.get("sign_video") is not None:
        lesson.sign_video = _sign_clip(root, front["sign_video"], base, files, where, PAGE_SIGN)
    lesson.pages = [page.strip() for page in PAGE_BREAK.split(body)]
    if not all(lesson.pages):
        raise PackError(f"{where}: a page is empty (two `+++` lines with nothing between?)")
    lesson.sign_pages = _sign_pages(root, front.get("sign_pages"), base, files, where, len(lesson.pages))
    for number, page in enumerate(lesson.pages, 1):
        for problem in markup.check_page(page, base, files, signs or {}):
            raise PackError(f"{where}: page {number}: {problem}")
    if lesson.quiz:
        quiz = _load_yaml(root, lesson.quiz)
        validate_quiz(quiz, lesson.quiz)
        for question in quiz["questions"]:
            if question.get("audio") is not None:
                _question_audio(root, question, base, files, lesson.quiz)
        lesson.final = quiz.get("final", False)
        if not isinstance(lesson.final, bool):
            raise PackError(f"{lesson.quiz}: `final` must be true or false")
    return lesson


def _question_audio(root, question, base, files, where):
    """Check a question's spoken version: a clip and cues naming `prompt` and every choice."""
    where = f"{where}: question {question['id']}"
    spec = _media(question, "audio", ("file", "cues"), AUDIO, base, files, where)
    cues = read_cues((root / spec["cues"]).read_text(encoding="utf-8"), spec["cues"])
    named = {cue.ident for cue in cues}
    wanted = ["prompt"] + [choice["id"] for choice in question.get("choices", [])]
    missing = [ident for ident in wanted if ident not in named]
    if missing:
        raise PackError(
            f"{spec['cues']}: no cue named {', '.join(missing)} (one cue for the prompt, then one per choice,"
            " each named by its id)"
        )


def _media(front, key, parts, extensions, base, files, where):
    """Check an audio/video entry of the front matter; return it with pack-relative paths."""
    value = front.get(key)
    if value is None:
        return None
    if not isinstance(value, dict) or set(parts) - set(value):
        raise PackError(f"{where}: `{key}` needs " + " and ".join(f"`{p}`" for p in parts))
    resolved = {}
    for part in parts:
        name = value[part]
        path = markup._resolve(base, name) if isinstance(name, str) else None
        if not path or path not in files:
            raise PackError(f"{where}: {key} {part} {name!r} is not a file of this lesson's pack")
        resolved[part] = path
    if Path(resolved["file"]).suffix.lower() not in extensions:
        raise PackError(
            f"{where}: {key} file {value['file']!r} must be one of {', '.join(sorted(extensions))}"
        )
    return resolved


def _cues(root, name, base, files, where):
    """Check a narration's read-along timings (WebVTT, one cue per sentence); return the path."""
    path = markup._resolve(base, name) if isinstance(name, str) else None
    if not path or path not in files:
        raise PackError(f"{where}: audio cues {name!r} is not a file of this lesson's pack")
    try:
        text = (root / path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise PackError(f"{path}: not UTF-8 text") from None
    if not read_cues(text, path):
        raise PackError(f"{path}: has no cues (one per sentence of the narration)")
    return path


def _poster(name, base, files, where):
    """Check a video's poster (the still shown before it plays); return its pack path."""
    path = markup._resolve(base, name) if isinstance(name, str) else None
    if not path or path not in files:
        raise PackError(f"{where}: video poster {name!r} is not a file of this lesson's pack")
    if Path(path).suffix.lower() not in POSTER:
        raise PackError(f"{where}: video poster {name!r} must be one of {', '.join(sorted(POSTER))}")
    return path


def _check_captions(root, rel):
    head = (root / rel).read_bytes()[:16].lstrip(b"\xef\xbb\xbf")
    if not head.startswith(b"WEBVTT"):
        raise PackError(f"{rel}: captions must be WebVTT (the file starts with WEBVTT)")


def _check_svg(root, rel):
    if SVG_ACTIVE.search((root / rel).read_bytes()):
        raise PackError(f"{rel}: SVG images may not hold scripts, event handlers or foreignObject")
