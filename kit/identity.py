"""The kit's identity: made once by `kit init`, renewed when a cloned SD card is detected."""

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
            kit_uuid=str(uuid.uuid4()), site=site, location=(location or "").strip(),
            hardware_id=hardware_id,
        )
