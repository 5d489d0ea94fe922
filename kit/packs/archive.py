"""The .kitpack archive: write one from a source folder, and check one before unpacking.

Checks that need only the ZIP directory (names, types, sizes, ratios, the manifest) run
before a single byte is unpacked; hashes are checked while unpacking (install.py).
"""

import hashlib
import json
import re
import stat
import zipfile
from pathlib import Path

from ..errors import PackError
from .source import read_pack

FORMAT = 1
MANIFEST = "manifest.json"
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
RATIO_CHECK_FROM = 256 * 1024  # small files legitimately compress very well (an SVG of zeros)
ALREADY_COMPRESSED = {
    ".ogg",
    ".opus",
    ".mp3",
    ".m4a",
    ".webm",
    ".mp4",
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".webp",
}
DRIVE = re.compile(r"^[a-zA-Z]:")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
FIXED_TIME = (2020, 1, 1, 0, 0, 0)  # the same folder always builds the same bytes


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def build(folder, out):
    """Validate a source folder and write its archive; return the manifest."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PackError(f"{folder}: not a folder")
    pack = read_pack(folder)
    manifest = {
        "format": FORMAT,
        **pack.meta,
        "files": [
            {"path": rel, "size": (folder / rel).stat().st_size, "sha256": sha256_file(folder / rel)}
            for rel in pack.files
        ],
    }
    out = Path(out)
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w") as archive:
        _add(archive, MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False).encode())
        for rel in pack.files:
            _add(archive, rel, (folder / rel).read_bytes())
    partial.replace(out)
    return manifest


def _add(archive, name, data):
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.external_attr = (stat.S_IFREG | 0o644) << 16
    stored = Path(name).suffix.lower() in ALREADY_COMPRESSED
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    archive.writestr(info, data)


def check_name(name):
    """Refuse an entry name that could land outside the pack folder or clash on disk."""
    if not name or "\\" in name or name.startswith("/") or DRIVE.match(name) or "\x00" in name:
        raise PackError(f"{name!r}: unsafe path (absolute, drive letter or backslash)")
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise PackError(f"{name!r}: unsafe path (empty, `.` or `..` part)")


def _entry_kind(info):
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_IFMT(mode):  # made on Unix: the high bits are st_mode
        if stat.S_ISLNK(mode):
            return "symlink"
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            return "special"
    return "dir" if info.is_dir() else "file"


def open_archive(path, limits):
    """Open a .kitpack and check everything that can be checked without unpacking.

    Returns (zipfile, manifest, {path: ZipInfo}). `limits` holds max_pack_files,
    max_pack_bytes and max_compression_ratio.
    """
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise PackError(f"{Path(path).name}: not a pack archive (not a ZIP file)") from None
    try:
        entries = _check_entries(archive, limits)
        manifest = _read_manifest(archive, entries)
        _match_manifest(manifest, entries, limits)
    except BaseException:
        archive.close()
        raise
    entries.pop(MANIFEST)
    return archive, manifest, entries


def _check_entries(archive, limits):
    entries, folded = {}, set()
    infos = archive.infolist()
    if len(infos) > limits["max_pack_files"] + 1:
        raise PackError(f"too many files: {len(infos)} (the limit is {limits['max_pack_files']})")
    for info in infos:
        check_name(info.filename)
        kind = _entry_kind(info)
        if kind in ("symlink", "special"):
            raise PackError(
                f"{info.filename}: {'symbolic links' if kind == 'symlink' else 'special files'} are not allowed"
            )
        if kind == "dir":
            continue
        if info.filename.casefold() in folded:
            raise PackError(f"{info.filename}: duplicate name in the archive")
        folded.add(info.filename.casefold())
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise PackError(f"{info.filename}: unsupported compression (only stored or deflated)")
        if info.flag_bits & 0x1:
            raise PackError(f"{info.filename}: encrypted entries are not allowed")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= RATIO_CHECK_FROM and ratio > limits["max_compression_ratio"]:
            raise PackError(
                f"{info.filename}: compression ratio {ratio:.0f} is above the limit "
                f"{limits['max_compression_ratio']} (zip bomb?)"
            )
        entries[info.filename] = info
    if MANIFEST not in entries:
        raise PackError(f"{MANIFEST}: missing (is this a pack built with `kit pack build`?)")
    return entries


def _read_manifest(archive, entries):
    info = entries[MANIFEST]
    if info.file_size > MAX_MANIFEST_BYTES:
        raise PackError(f"{MANIFEST}: too large ({info.file_size} bytes)")
    try:
        with archive.open(info) as handle:
            manifest = json.loads(handle.read(MAX_MANIFEST_BYTES + 1))
    except (ValueError, zipfile.BadZipFile) as exc:
        raise PackError(f"{MANIFEST}: not valid JSON ({exc})") from None
    except RecursionError:
        raise PackError(f"{MANIFEST}: nests too deeply to be a manifest") from None
    if not isinstance(manifest, dict):
        raise PackError(f"{MANIFEST}: must be a JSON object")
    if manifest.get("format") != FORMAT:
        raise PackError(
            f"{MANIFEST}: unknown format version {manifest.get('format')!r} "
            f"(this kit reads format {FORMAT}; update the kit)"
        )
    for key in ("id", "version", "title", "files", "lessons"):
        if key not in manifest:
            raise PackError(f"{MANIFEST}: `{key}` is missing")
    if not isinstance(manifest["files"], list):
        raise PackError(f"{MANIFEST}: `files` must be a list")
    return manifest


def _match_manifest(manifest, entries, limits):
    listed, total = set(), 0
    for item in manifest["files"]:
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise PackError(f"{MANIFEST}: every entry of `files` needs a `path`")
        rel = item["path"]
        check_name(rel)
        size, digest = item.get("size"), item.get("sha256")
        if (
            not isinstance(size, int)
            or isinstance(size, bool)
            or size < 0
            or not isinstance(digest, str)
            or not SHA256.match(digest)
        ):
            raise PackError(f"{rel}: manifest entry needs a size and a SHA-256")
        if rel == MANIFEST or rel in listed:
            raise PackError(f"{rel}: listed twice in the manifest")
        listed.add(rel)
        info = entries.get(rel)
        if info is None:
            raise PackError(f"{rel}: listed in the manifest but missing from the archive")
        if info.file_size != size:
            raise PackError(f"{rel}: size mismatch (manifest {size} bytes, archive {info.file_size})")
        total += size
    for rel in entries:
        if rel != MANIFEST and rel not in listed:
            raise PackError(f"{rel}: in the archive but not in the manifest")
    if total > limits["max_pack_bytes"]:
        raise PackError(f"pack is {total} bytes unpacked, above the limit of {limits['max_pack_bytes']}")
    manifest["_total_bytes"] = total
