"""Make archives by hand, including the broken ones a real builder would never write."""

import hashlib
import json
import stat
import zipfile
from pathlib import Path

MINI = Path(__file__).resolve().parent.parent / "fixtures" / "packs" / "mini"


def mini_files():
    """Return {relative path: bytes} of the mini pack's source folder."""
    return {p.relative_to(MINI).as_posix(): p.read_bytes() for p in sorted(MINI.rglob("*")) if p.is_file()}


def manifest_for(files, **overrides):
    manifest = {
        "format": 1,
        "id": "mini",
        "version": "1.0.0",
        "title": "Mini",
        "description": "",
        "language": "en",
        "license": "CC0-1.0",
        "authors": ["t"],
        "mastery": {"min_score": 0.75},
        "lessons": [{"id": "01-count"}, {"id": "02-shapes"}],
        "files": [
            {"path": name, "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in files.items()
        ],
    }
    manifest.update(overrides)
    return manifest


def write_archive(path, files, manifest=None, extra=(), compression=zipfile.ZIP_DEFLATED):
    """Write files (+ a manifest listing them unless given) and `extra` raw ZipInfo entries."""
    manifest = manifest_for(files) if manifest is None else manifest
    with zipfile.ZipFile(path, "w", compression) as archive:
        archive.writestr("manifest.json", json.dumps(manifest))
        for name, data in files.items():
            archive.writestr(name, data)
        for info, data in extra:
            archive.writestr(info, data)
    return path


def unix_entry(name, mode):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = mode << 16
    return info


SYMLINK = stat.S_IFLNK | 0o777
FIFO = stat.S_IFIFO | 0o644


def snapshot(folder):
    """Every file under folder with its SHA-256: equal snapshots mean byte-identical folders."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(Path(folder).rglob("*"))
        if p.is_file()
    } | {p.relative_to(folder).as_posix() + "/": "dir" for p in Path(folder).rglob("*") if p.is_dir()}
