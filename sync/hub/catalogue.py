"""The hub's catalogue of content packs: checked like an import, then offered to kits."""

import shutil
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
