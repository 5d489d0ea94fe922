"""`kit doctor`: is this kit healthy? Disk, database, packs, clock — in plain words.

Each check returns a Finding; any "fail" makes the command exit non-zero. The result is
kept in DATA/doctor.json so the status page can show the last one (systemd runs doctor
at boot, which is when a clock without a battery comes back wrong).
"""

import datetime as dt
import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from peewee import DatabaseError

from .db import database, db_path
from .models import Event, Pack
from .packs.archive import sha256_file
from .packs.install import packs_root

RESULT_FILE = "doctor.json"
CLOCK_FILE = "clock.json"
# No kit can be running before this kit was released: an earlier clock is certainly wrong.
CLOCK_FLOOR = dt.datetime(2026, 1, 1)
CLOCK_SLACK = dt.timedelta(minutes=5)


@dataclass
class Finding:
    check: str
    status: str  # ok, warn, fail
    message: str


def _now():
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def check_disk(config):
    free = shutil.disk_usage(config["data"]).free
    need = config["min_free_bytes"]
    text = f"{free / 1024**3:.1f} GB free in {config['data']}"
    if free < need:
        return Finding(
            "disk",
            "fail",
            f"{text}: below the {need / 1024**2:.0f} MB a kit needs; delete old backups or packs",
        )
    return Finding("disk", "warn" if free < 4 * need else "ok", text)


def check_database(config):
    size = db_path(config).stat().st_size if db_path(config).exists() else 0
    integrity = database.execute_sql("PRAGMA integrity_check").fetchone()[0]
    if integrity != "ok":
        return Finding(
            "database", "fail", f"integrity check failed: {integrity}; restore the last backup (kit restore)"
        )
    broken = database.execute_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        return Finding("database", "fail", f"{len(broken)} rows point at missing rows (foreign keys)")
    return Finding("database", "ok", f"integrity ok, {size / 1024**2:.1f} MB")


def check_packs(config, quick=False):
    """Every installed pack file is present with its size and (unless quick) its SHA-256."""
    problems, count = [], 0
    for pack in Pack.select():
        folder = packs_root(config) / pack.folder
        for item in pack.manifest.get("files", []):
            count += 1
            path = folder / item["path"]
            if not path.is_file():
                problems.append(f"{pack.pack_id}: {item['path']} is missing")
            elif path.stat().st_size != item["size"] or (not quick and sha256_file(path) != item["sha256"]):
                problems.append(f"{pack.pack_id}: {item['path']} is damaged")
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        return Finding("packs", "fail", "; ".join(problems[:3]) + more + "; import the pack again")
    return Finding("packs", "ok", f"{Pack.select().count()} packs, {count} files verified")


def check_clock(config, now=None):
    """Flag a clock that is before the kit's release or behind what the kit has already seen."""
    now = now or _now()
    seen = _latest_seen(config)
    if now < CLOCK_FLOOR:
        return Finding(
            "clock", "fail", f"the clock says {now:%Y-%m-%d %H:%M}, before this kit was made; set the date"
        )
    if seen and now + CLOCK_SLACK < seen:
        return Finding(
            "clock",
            "fail",
            f"the clock went backwards: it says {now:%Y-%m-%d %H:%M} UTC but the kit "
            f"already saw {seen:%Y-%m-%d %H:%M}; set the date (learning records keep their order anyway)",
        )
    _remember(config, max(now, seen) if seen else now)
    return Finding("clock", "ok", f"{now:%Y-%m-%d %H:%M} UTC")


def _latest_seen(config):
    times = []
    last = Event.select(Event.received_at).order_by(Event.seq.desc()).first()
    if last and last.received_at:
        times.append(last.received_at)
    path = Path(config["data"]) / CLOCK_FILE
    if path.is_file():
        try:
            times.append(dt.datetime.fromisoformat(json.loads(path.read_text())["latest"]))
        except (ValueError, KeyError):
            pass
    return max(times) if times else None


def _remember(config, moment):
    (Path(config["data"]) / CLOCK_FILE).write_text(json.dumps({"latest": moment.isoformat()}))


def _guarded(name, check, *args):
    """Run one check; a database too damaged to read is a finding, not a crash."""
    try:
        return check(*args)
    except DatabaseError as exc:
        return Finding(
            name, "fail", f"the database cannot be read ({exc}); restore the last backup (kit restore)"
        )


def run_checks(config, quick=False, now=None):
    """Run every check, save the result for the status page, and return it."""
    findings = [
        check_disk(config),
        _guarded("database", check_database, config),
        _guarded("packs", check_packs, config, quick),
        _guarded("clock", check_clock, config, now),
    ]
    result = {
        "ran_at": (now or _now()).isoformat(timespec="seconds"),
        "ok": all(f.status != "fail" for f in findings),
        "findings": [asdict(f) for f in findings],
    }
    path = Path(config["data"]) / RESULT_FILE
    path.with_suffix(".part").write_text(json.dumps(result, indent=1))
    path.with_suffix(".part").replace(path)
    return result


def last_result(data_dir):
    """The last saved doctor result (a dict), or None if doctor never ran."""
    path = Path(data_dir) / RESULT_FILE
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None
