"""Content from the hub: fetch new pack versions in resumable Range pieces, verify, install.

A download's progress (bytes done) is a row, and the bytes sit in
DATA/sync/downloads/<sha256>.part, so a link that drops, or a kit that is switched
off, resumes from the last whole piece. The finished file must match the catalogue's
SHA-256 and then goes through the same importer as `kit pack import`.
"""

import logging
from pathlib import Path

from kit.db import write
from kit.errors import KitError
from kit.models import Pack, utcnow
from kit.packs.archive import sha256_file
from kit.packs.install import import_pack
from kit.packs.source import version_key

from .. import protocol
from .client import HubRefused
from .state import Download, get_state, update_state

logger = logging.getLogger(__name__)


def _newer(version, installed):
    try:
        return installed is None or version_key(version) > version_key(installed)
    except ValueError:
        return False


def wanted(catalogue):
    """Return catalogue entries newer than what is installed (latest version per pack)."""
    best = {}
    for item in catalogue:
        if _newer(item["version"], best.get(item["id"], {}).get("version")):
            best[item["id"]] = item
    out = []
    for pack_id, item in sorted(best.items()):
        installed = Pack.get_or_none(Pack.pack_id == pack_id)
        failed = Download.get_or_none((Download.sha256 == item["sha256"]) & (Download.status == "failed"))
        if failed is None and _newer(item["version"], installed.version if installed else None):
            out.append(item)
    return out


def pull_packs(client, config, etag):
    """Install new pack versions from the hub's catalogue; return how many were installed."""
    if not etag or etag == get_state().catalogue_etag:
        return 0
    catalogue = client.call("GET", protocol.PREFIX + "/packs").json()
    installed = 0
    for item in wanted(catalogue["packs"]):
        if fetch_and_install(client, config, item):
            installed += 1
    if not Download.select().where(Download.status == "pending").exists():
        update_state(catalogue_etag=catalogue["etag"])
    return installed


def _folder(config):
    path = Path(config["data"]) / "sync" / "downloads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def fetch_and_install(client, config, item):
    """Download one pack piece by piece, check it, import it; True when it got installed."""
    with write():
        Download.insert(
            pack_id=item["id"], version=item["version"], sha256=item["sha256"], size=item["size"]
        ).on_conflict_ignore().execute()
    row = Download.get(Download.sha256 == item["sha256"])
    part = _folder(config) / f"{item['sha256']}.part"
    done = part.stat().st_size if part.exists() else 0
    if done != row.bytes_done:  # trust the file, not the row: it is what we can resume from
        _progress(row, done)
    chunk = config["sync_chunk_bytes"]
    with open(part, "ab") as out:
        while done < item["size"]:
            end = min(item["size"], done + chunk) - 1
            response = client.call("GET", item["url"], headers={"Range": f"bytes={done}-{end}"})
            if response.status_code != 206 or len(response.content) != end - done + 1:
                raise HubRefused(
                    f"the hub sent the wrong piece of {item['id']} (HTTP {response.status_code})"
                )
            out.write(response.content)
            out.flush()
            done += len(response.content)
            _progress(row, done)
    return _install(config, row, part)


def _progress(row, done):
    with write():
        Download.update(bytes_done=done, updated_at=utcnow()).where(Download.id == row.id).execute()


def _install(config, row, part):
    if sha256_file(part) != row.sha256:
        part.unlink()
        _finish(row, "pending", "the download did not match its SHA-256; it will be fetched again")
        raise HubRefused(f"pack {row.pack_id} {row.version} arrived damaged; fetching it again next time")

    try:
        result = import_pack(part, config)
    except KitError as exc:
        _finish(row, "failed", exc.message)
        update_state(last_error=f"pack {row.pack_id} {row.version} from the hub was refused: {exc.message}")
        part.unlink()
        return False
    part.unlink()
    _finish(row, "installed", "")
    logger.info("pack from hub: %s", result.describe())
    return result.action in ("installed", "upgraded")


def _finish(row, status, error):
    with write():
        Download.update(
            status=status, error=error, updated_at=utcnow(), bytes_done=0 if status == "pending" else row.size
        ).where(Download.id == row.id).execute()
