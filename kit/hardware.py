"""Tell one board from another, so a kit on a cloned SD card can notice it is a copy.

A prepared card is often copied to many kits; the copies share the data folder, and so
the kit's UUID. The card cannot tell them apart, but the hardware can: a Raspberry Pi
has a serial number burnt into its SoC, a laptop has the DMI product UUID set by its
maker. /etc/machine-id is no use here: it lives on the card and is cloned with it.

The DMI product UUID is readable by root only; the systemd unit hands it to the
unprivileged service as a credential (``LoadCredential=product_uuid:…``), which is why
``$CREDENTIALS_DIRECTORY`` is one of the places looked at.
"""

import logging
import os
import re
from pathlib import Path

logger = logging.getLogger(__name__)

# Firmware placeholders that mean "no real id": a board id must tell boards apart.
_PLACEHOLDERS = {
    "",
    "0",
    "0000000000000000",
    "00000000-0000-0000-0000-000000000000",
    "ffffffff-ffff-ffff-ffff-ffffffffffff",
    "03000200-0400-0500-0006-000700080009",
    "not settable",
    "not specified",
    "default string",
    "to be filled by o.e.m.",
}


def _clean(text):
    """Return an id stripped of NULs and blanks, or '' for a firmware placeholder."""
    value = (text or "").replace("\x00", "").strip().lower()
    return "" if value in _PLACEHOLDERS or set(value) <= {"0", "-", "f"} else value


def _read(path):
    try:
        return Path(path).read_text(encoding="ascii", errors="replace")
    except OSError:
        return ""


def pi_serial(root="/"):
    """Return the Raspberry Pi's SoC serial number, or '' on other machines."""
    root = Path(root)
    serial = _clean(_read(root / "sys/firmware/devicetree/base/serial-number"))
    if serial:
        return serial
    match = re.search(r"^Serial\s*:\s*([0-9a-fA-F]+)\s*$", _read(root / "proc/cpuinfo"), re.M)
    return _clean(match.group(1)) if match else ""


def product_uuid(root="/", environ=None):
    """Return the DMI product UUID (a laptop's), from sysfs or a systemd credential."""
    environ = os.environ if environ is None else environ
    places = [Path(root) / "sys/class/dmi/id/product_uuid"]
    if environ.get("CREDENTIALS_DIRECTORY"):
        places.insert(0, Path(environ["CREDENTIALS_DIRECTORY"]) / "product_uuid")
    for place in places:
        value = _clean(_read(place))
        if value:
            return value
    return ""


def board_id(root="/", environ=None, override=""):
    """Return a stable id for this board ('pi:…' or 'dmi:…'), or '' when none can be read.

    ``override`` is the ``board_id`` setting: for boards whose id must come from
    elsewhere, and for tests. An empty answer means "unknown", never "different":
    clone detection stays quiet rather than renew an identity on a machine that hides
    its serial.
    """
    if override and override.strip():
        return override.strip()
    serial = pi_serial(root)
    if serial:
        return "pi:" + serial
    uuid = product_uuid(root, environ)
    if uuid:
        return "dmi:" + uuid
    logger.info("no board serial or product UUID readable; clone detection is off")
    return ""


def boot_id():
    """Return this machine's boot id: new at every boot, the same in every process of it.

    Monotonic times compare only within one boot, and every worker process and the sync
    agent read the same CLOCK_MONOTONIC, so all of them name it with this one id.
    """
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "unknown-boot"
