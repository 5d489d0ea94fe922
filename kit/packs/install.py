"""Install and remove content packs, atomically.

Import unpacks into a hidden folder beside the installed packs, verifies every byte,
validates the content, then renames the folder into place and records it in one
transaction. Any failure removes the hidden folder, so a refused pack changes nothing.
The previous version's files are kept until the next upgrade, so a learner whose page
was rendered from it can finish it.
"""

import hashlib
import json
import logging
import secrets
import shutil
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .. import settings as kit_settings
from ..db import write
from ..errors import InsufficientSpace, NotFound, PackError
from ..models import Assignment, Lesson, Pack
from .archive import MANIFEST, open_archive
from .lessons import forget_cache
from .source import read_pack, version_key

logger = logging.getLogger(__name__)
CHUNK = 1 << 16


@dataclass
class ImportResult:
    pack_id: str
    version: str
    action: str  # installed, upgraded, unchanged, older
    previous: str | None = None

    def describe(self):
        return {
            "installed": f"installed {self.pack_id} {self.version}",
            "upgraded": f"upgraded {self.pack_id} from {self.previous} to {self.version}; learners' progress kept",
            "unchanged": f"{self.pack_id} {self.version} is already installed; nothing changed",
            "older": f"{self.pack_id} {self.version} is older than the installed {self.previous}; nothing changed",
        }[self.action]


def _config(data_dir):
    return data_dir if isinstance(data_dir, dict) else kit_settings.load(data_dir)


def packs_root(config):
    return Path(config["data"]) / "packs"


def pack_folder(config, pack_id, version):
    return packs_root(config) / f"{pack_id}@{version}"


def import_pack(path, data_dir, progress=None):
    """Verify and install the archive at `path`; `progress(done, total)` is told as bytes unpack."""
    config = _config(data_dir)
    archive, manifest, entries = open_archive(path, config)
    with archive:
        pack_id, version = str(manifest["id"]), str(manifest["version"])
        installed = Pack.get_or_none(Pack.pack_id == pack_id)
        if installed is not None:
            try:
                newer = version_key(version) > version_key(installed.version)
                same = version_key(version) == version_key(installed.version)
            except ValueError:
                raise PackError(f"{MANIFEST}: version {version!r} is not dotted numbers") from None
            if not newer:
                return ImportResult(pack_id, version, "unchanged" if same else "older", installed.version)
        _check_space(config, manifest["_total_bytes"])
        root = packs_root(config)
        root.mkdir(exist_ok=True)
        staging = root / f".import-{secrets.token_hex(6)}"
        try:
            staging.mkdir()
            _unpack(archive, manifest, entries, staging, progress)
            pack = read_pack(staging, files=sorted(entries))
            if (pack.id, pack.version) != (pack_id, version):
                raise PackError(
                    f"pack.yaml says {pack.id} {pack.version} but {MANIFEST} says {pack_id} {version}"
                )
            _keep_checked_course(staging, pack)
            final = pack_folder(config, pack_id, version)
            if final.exists():
                shutil.rmtree(final)  # left behind by an import that was cut off
            staging.rename(final)
        finally:
            if staging.exists():
                shutil.rmtree(staging)
    try:
        _record(pack, manifest, final.name)
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise
    _prune(config, pack_id, keep={version, installed.version if installed else version})

    forget_cache()
    action = "upgraded" if installed else "installed"
    logger.info("%s pack %s %s", action, pack_id, version)
    return ImportResult(pack_id, version, action, installed.version if installed else None)


def _keep_checked_course(staging, pack):
    """Write the course as checked from pack.yaml into the installed manifest, whatever the
    archive's manifest said: what the kit issues certificates by is what was validated."""
    path = staging / MANIFEST
    manifest = json.loads(path.read_text(encoding="utf-8"))
    manifest.pop("course", None)
    if "course" in pack.meta:
        manifest["course"] = pack.meta["course"]
    path.write_text(json.dumps(manifest, ensure_ascii=False))


def _check_space(config, needed):
    root = Path(config["data"])
    free = shutil.disk_usage(root).free
    if free - needed < config["min_free_bytes"]:
        raise InsufficientSpace(
            f"not enough free disk space to install this pack: it needs {_mb(needed)} and "
            f"{_mb(config['min_free_bytes'])} must stay free, but only {_mb(free)} is free"
        )


def _mb(size):
    return f"{size / 1024 / 1024:.1f} MB"


def _unpack(archive, manifest, entries, staging, progress):
    """Write every file into staging, checking its real size and SHA-256 as it streams."""
    expected = {item["path"]: item for item in manifest["files"]}
    total, done = manifest["_total_bytes"], 0
    for rel in sorted(entries):
        item = expected[rel]
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, written = hashlib.sha256(), 0
        try:
            with archive.open(entries[rel]) as source, open(target, "wb") as sink:
                while block := source.read(CHUNK):
                    written += len(block)
                    if written > item["size"]:
                        raise PackError(
                            f"{rel}: holds more data than its declared {item['size']} bytes (zip bomb?)"
                        )
                    digest.update(block)
                    sink.write(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
        except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
            raise PackError(f"{rel}: damaged in the archive ({exc})") from None
        if written != item["size"]:
            raise PackError(f"{rel}: size mismatch (manifest {item['size']} bytes, real {written})")
        if digest.hexdigest() != item["sha256"]:
            raise PackError(f"{rel}: SHA-256 mismatch (the file is damaged or was changed)")
    clean = {k: v for k, v in manifest.items() if not k.startswith("_")}
    (staging / MANIFEST).write_text(json.dumps(clean, ensure_ascii=False))


def _record(pack, manifest, folder):
    """Record the pack and its lessons in one transaction; progress rows are left as they are."""
    meta = pack.meta
    with write():
        row = Pack.get_or_none(Pack.pack_id == pack.id) or Pack(pack_id=pack.id)
        row.version, row.title, row.language = pack.version, meta["title"], meta["language"]
        row.description, row.folder = meta["description"], folder
        row.manifest = {k: v for k, v in manifest.items() if not k.startswith("_") and k != "course"}
        if "course" in meta:  # the course as checked from pack.yaml, not as the archive's manifest says
            row.manifest["course"] = meta["course"]
        row.file_count, row.total_bytes = len(pack.files), manifest["_total_bytes"]
        row.save()
        Lesson.delete().where(Lesson.pack == row).execute()
        Lesson.insert_many(
            [
                {
                    "pack": row,
                    "lesson_id": lesson.id,
                    "position": position,
                    "title": lesson.title,
                    "minutes": lesson.minutes,
                }
                for position, lesson in enumerate(pack.lessons)
            ]
        ).execute()


def _prune(config, pack_id, keep):
    for folder in packs_root(config).glob(f"{pack_id}@*"):
        if folder.name.split("@", 1)[1] not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def remove_pack(pack_id, data_dir):
    """Uninstall a pack and its assignments; learners' events and progress stay."""
    config = _config(data_dir)
    row = Pack.get_or_none(Pack.pack_id == pack_id)
    if row is None:
        raise NotFound(f"no pack {pack_id!r} is installed (see `kit pack list`)")
    with write():
        removed = Assignment.delete().where(Assignment.pack_id == pack_id).execute()
        row.delete_instance(recursive=True)
    _prune(config, pack_id, keep=set())

    forget_cache()
    return removed
