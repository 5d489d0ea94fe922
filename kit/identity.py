"""The kit's identity: made once by `kit init`, renewed when a cloned SD card is detected."""

import logging
import uuid

from .db import write
from .errors import Conflict, KitError
from .models import KitIdentity


def create_identity(site, location="", hardware_id=""):
    """Create the kit's identity row; refuse if the kit already has one."""
    site = (site or "").strip()
    if not site:
        raise KitError("the site name must not be empty")
    with write():
        existing = KitIdentity.select().first()
        if existing is not None:
            raise Conflict(
                f"this data folder already holds kit {existing.kit_uuid} ({existing.site}); "
                "refusing to overwrite it"
            )
        return KitIdentity.create(
            kit_uuid=str(uuid.uuid4()),
            site=site,
            location=(location or "").strip(),
            hardware_id=hardware_id,
        )


def check_board(board, logger=None):
    """Renew the kit's UUID if the data folder was made on another board (a cloned card).

    ``board`` is :func:`kit.hardware.board_id` for this machine. The first board seen is
    recorded; a later, different board means this card was copied from another kit, so
    the kit takes a fresh UUID (keeping its site name and location) before anything can
    sync under the old one. An unknown board ('') changes nothing. Returns a tuple
    (identity row or None, what happened: "none", "recorded", "same", "unknown" or
    "renewed").
    """
    log = logger or logging.getLogger(__name__)
    with write():
        ident = KitIdentity.select().first()
        if ident is None:
            return None, "none"
        if not board:
            return ident, "unknown"
        if ident.hardware_id == board:
            return ident, "same"
        if not ident.hardware_id:
            ident.hardware_id = board
            ident.save()
            log.info("kit %s recorded board %s", ident.kit_uuid, board)
            return ident, "recorded"
        old_uuid, old_board = ident.kit_uuid, ident.hardware_id
        ident.kit_uuid = str(uuid.uuid4())
        ident.hardware_id = board
        ident.save()
    log.warning(
        "cloned card: data folder of kit %s (board %s) found on board %s; this kit is now %s (site %r kept)",
        old_uuid,
        old_board,
        board,
        ident.kit_uuid,
        ident.site,
    )
    return ident, "renewed"


def rename(site=None, location=None):
    """Change the kit's site name and/or location (a copied card's, say); keep its UUID."""
    if site is not None and not site.strip():
        raise KitError("the site name must not be empty")
    with write():
        ident = KitIdentity.select().first()
        if ident is None:
            raise KitError("this kit has no identity yet: run `kit init --site NAME`")
        if site is not None:
            ident.site = site.strip()
        if location is not None:
            ident.location = location.strip()
        ident.save()
        return ident
