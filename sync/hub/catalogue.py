"""The hub's catalogue of content packs: checked like an import, then offered to kits."""

import json
import shutil
import zipfile
from functools import lru_cache
from pathlib import Path

from kit.errors import Conflict
from kit.packs.archive import open_archive, sha256_file

from .db import database
from .models import HubPack


def publish(path, config):
    """Verify a .kitpack (manifest, hashes, limits), copy it into DATA/packs, list it."""
    archive, manifest, _entries = open_archive(path, config)
    archive.close()
    digest = sha256_file(path)
    pack_id, version = str(manifest["id"]), str(manifest["version"])
    existing = HubPack.get_or_none((HubPack.pack_id == pack_id) & (HubPack.version == version))
    if existing is not None:
        if existing.sha256 == digest:
            return existing
        raise Conflict(f"{pack_id} {version} is already published with other content; raise the version")
    filename = f"{pack_id}-{version}.kitpack"
    target = Path(config["data"]) / "packs" / filename
    shutil.copyfile(path, target.with_suffix(".tmp"))
    target.with_suffix(".tmp").replace(target)
    with database.atomic():
        return HubPack.create(
            pack_id=pack_id,
            version=version,
            title=str(manifest.get("title", ""))[:255],
            sha256=digest,
            size=target.stat().st_size,
            filename=filename,
        )


def courses(config):
    """{pack id: {"title", "lessons": [lesson title, …]}} for the newest published version of
    each pack that defines a course: what a remote teacher can assign as a course."""
    newest = {}
    for row in HubPack.select().order_by(HubPack.published_at, HubPack.id):
        newest[row.pack_id] = row
    found = {}
    for pack_id, row in sorted(newest.items()):
        course = _course(str(Path(config["data"]) / "packs" / row.filename), row.sha256)
        if course:
            found[pack_id] = course
    return found


@lru_cache(maxsize=256)
def _course(path, sha256):
    """The course of a published pack, read from its manifest once per file (sha256 in the key)."""
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None  # checked when published: a file gone since offers no course
    course = manifest.get("course")
    if not isinstance(course, dict):
        return None
    titles = {lesson.get("id"): lesson.get("title", "") for lesson in manifest.get("lessons", [])}
    return {
        "title": course.get("certificate_title", ""),
        "lessons": [titles.get(lesson_id, lesson_id) for lesson_id in course.get("lessons", [])],
    }
