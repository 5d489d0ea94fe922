"""Back up a kit while it serves, and restore it: one file to carry on a USB stick.

The database is copied with SQLite's online backup API (a consistent snapshot even while
learners write), checked, and packed with the installed packs' files and a description
(backup.json: kit, date, packs list, the database's SHA-256). Restore checks all of it
before it replaces anything, and keeps what it replaces.
"""

import datetime as dt
import io
import json
import shutil
import sqlite3
import tarfile
import tempfile
from pathlib import Path

from . import __version__
from .db import DB_FILENAME, database, db_path
from .errors import Conflict, KitError
from .models import KitIdentity, Pack
from .packs.archive import sha256_file
from .private_files import private_file

FORMAT = 1
DESCRIPTION = "backup.json"
# The kit's keys go with its database: the hub knows this kit by its certificates' key
# (kit.courses.signing), so a restored kit must sign with the same one.
KEYS_AND_SETTINGS = ("secret_key", "signing_key", "settings.toml")


class BackupError(KitError):
    code = "bad_backup"


def _snapshot_db(config, target):
    """Copy kit.db consistently with the online backup API and check the copy."""
    source = sqlite3.connect(db_path(config))
    copy = sqlite3.connect(target)
    try:
        source.execute(f"PRAGMA busy_timeout = {int(config['busy_timeout_ms'])}")
        source.backup(copy, pages=256)
        result = copy.execute("PRAGMA integrity_check").fetchone()[0]
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file in the backup
    finally:
        copy.close()
        source.close()
    if result != "ok":
        raise BackupError(f"the database copy failed its integrity check: {result}")


def backup(config, out, with_packs=True):
    """Write a backup of the data folder to `out` (a .tar file); return its description."""
    data, out = Path(config["data"]), Path(out)
    ident = KitIdentity.select().first()
    packs = [
        {"id": p.pack_id, "version": p.version, "folder": p.folder, "title": p.title}
        for p in Pack.select().order_by(Pack.pack_id)
    ]
    with tempfile.TemporaryDirectory(dir=out.parent if out.parent.exists() else None) as tmp:
        snapshot = Path(tmp) / DB_FILENAME
        _snapshot_db(config, snapshot)
        description = {
            "format": FORMAT,
            "kit_version": __version__,
            "kit_uuid": ident.kit_uuid if ident else None,
            "site": ident.site if ident else None,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database_sha256": sha256_file(snapshot),
            "packs": packs,
            "packs_included": with_packs,
        }
        partial = private_file(out.with_name(out.name + ".part"))
        partial.chmod(0o600)  # it holds password hashes and the secret key: never readable by others
        with tarfile.open(partial, "w") as tar:
            _add_bytes(tar, DESCRIPTION, json.dumps(description, indent=1).encode())
            snapshot.chmod(0o600)  # restored with the mode it is stored with
            tar.add(snapshot, DB_FILENAME)
            for name in KEYS_AND_SETTINGS:
                if (data / name).is_file():
                    tar.add(data / name, name)
            if with_packs:
                for pack in packs:
                    tar.add(data / "packs" / pack["folder"], f"packs/{pack['folder']}")
        partial.replace(out)
    return description


def _add_bytes(tar, name, data):
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o600
    tar.addfile(info, io.BytesIO(data))


def read_description(path):
    """Open a backup and return its description; refuse anything that is not one of ours."""
    try:
        with tarfile.open(path) as tar:
            member = tar.getmember(DESCRIPTION)
            description = json.loads(tar.extractfile(member).read())
    except (tarfile.TarError, KeyError, ValueError, OSError) as exc:
        raise BackupError(f"{path}: not a kit backup ({exc})") from None
    if description.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {description.get('format')!r}")
    return description


def restore(config, path, force=False):
    """Replace the data folder's database (and packs) with a backup's; return its description.

    Stop `kit serve` first. What is replaced is moved to DATA/replaced-<time>/.
    """
    data = Path(config["data"])
    description = read_description(path)
    current = KitIdentity.select().first() if db_path(config).exists() else None
    if current is not None and not force:
        raise Conflict(
            f"this data folder already holds kit {current.kit_uuid} ({current.site}); "
            "add --force to replace it (it is kept in a replaced-… folder)"
        )
    with tempfile.TemporaryDirectory(dir=data) as tmp:
        staging = Path(tmp)
        _extract(path, staging)
        if sha256_file(staging / DB_FILENAME) != description["database_sha256"]:
            raise BackupError(f"{path}: the database in the backup is damaged (SHA-256 mismatch)")
        check = sqlite3.connect(staging / DB_FILENAME)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{path}: the database in the backup fails its integrity check")
        finally:
            check.close()

        database.close()
        _swap_in(data, staging, description)
    return description


def _extract(path, staging):
    with tarfile.open(path) as tar:
        for member in tar.getmembers():
            name = member.name
            if name.startswith("/") or ".." in Path(name).parts or not (member.isfile() or member.isdir()):
                raise BackupError(f"{path}: unsafe entry {name!r} in the backup")
        tar.extractall(staging, filter="data")


RESTORED = (DB_FILENAME, *KEYS_AND_SETTINGS)
REPLACED = RESTORED + (DB_FILENAME + "-wal", DB_FILENAME + "-shm")


def _swap_in(data, staging, description):
    """Move the current files aside, then the backup's in (renames within one disk)."""
    aside = data / f"replaced-{dt.datetime.now():%Y%m%d-%H%M%S}"
    aside.mkdir(mode=0o700)
    for name in REPLACED:
        if (data / name).exists():
            shutil.move(data / name, aside / name)
    for name in RESTORED:
        if (staging / name).exists():
            (staging / name).chmod(0o600)  # whatever mode an older backup stored
            shutil.move(staging / name, data / name)
    if description.get("packs_included"):
        if (data / "packs").exists():
            shutil.move(data / "packs", aside / "packs")
        (staging / "packs").mkdir(exist_ok=True)
        shutil.move(staging / "packs", data / "packs")
    if not any(aside.iterdir()):
        aside.rmdir()
