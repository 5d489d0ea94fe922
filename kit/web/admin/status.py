"""The kit status page (disk, database, events, sync panels, version, clock, doctor) and
printable sheets with QR codes to join the kit's Wi-Fi and open its page."""

import logging
import shutil
from pathlib import Path

from flask import current_app, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _

from ... import __version__
from ...models import Event, KitIdentity, utcnow
from ..guards import admin_required
from ..numerals import format_number
from ..teach.classes import qr_svg
from . import bp

logger = logging.getLogger(__name__)


def human_bytes(size):
    """Return a size like "1.5 GB" for people, the number written as the page's language
    writes it ("1,5 GB" in French); as English outside a request."""
    locale = get_locale() or "en"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            break
        value /= 1024
    return f"{format_number(value, locale, '#,##0' if unit == 'B' else '#,##0.0')} {unit}"


def kit_facts(config):
    """Return the status rows every kit has, as [[label, value], ...]."""
    data = Path(config["data"])
    disk = shutil.disk_usage(data)
    db_bytes = sum(p.stat().st_size for p in data.glob("kit.db*") if p.is_file())
    midnight = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    ident = KitIdentity.select().first()
    return [
        [
            _("Site"),
            f"{ident.site} ({ident.location})"
            if ident and ident.location
            else (ident.site if ident else "–"),
        ],
        [
            _("Disk free"),
            _("%(free)s of %(total)s", free=human_bytes(disk.free), total=human_bytes(disk.total)),
        ],
        [_("Database size"), human_bytes(db_bytes)],
        [
            _("Events today"),
            format_number(Event.select().where(Event.received_at >= midnight).count(), get_locale()),
        ],
        [_("Version"), __version__],
        [_("Clock (UTC)"), utcnow().strftime("%Y-%m-%d %H:%M:%S")],
    ]


def plugin_panels(app):
    """Run each status panel a plugin registered; a failing one shows its problem, not a 500."""
    panels = []
    for panel in app.config.get("KIT_STATUS_PANELS", []):
        try:
            result = panel()
            panels.append(
                {
                    "title": str(result["title"]),
                    "rows": list(result.get("rows", [])),
                    "problem": result.get("problem"),
                }
            )
        except Exception as exc:  # noqa: BLE001  (a plugin must not take the page down)
            logger.exception("status panel %r failed", panel)
            panels.append(
                {
                    "title": getattr(panel, "__name__", "panel"),
                    "rows": [],
                    "problem": _("This panel failed: %(error)s", error=exc),
                }
            )
    return panels


def last_doctor(config):
    """Return the last `kit doctor` result, or None if there is none."""
    from ...doctor import last_result  # deferred: +2.8 MB per worker, as packs.install

    return last_result(config["data"])


@bp.get("/")
@admin_required
def status():
    config = current_app.config["KIT"]
    return render_template(
        "admin/status.html",
        facts=kit_facts(config),
        panels=plugin_panels(current_app),
        doctor=last_doctor(config),
        kit_time=utcnow().isoformat() + "Z",
    )


def wifi_payload(ssid, passphrase):
    """Return the WIFI: string phones read from a QR code, with special characters escaped."""

    def esc(text):
        for ch in '\\;,:"':
            text = text.replace(ch, "\\" + ch)
        return text

    kind = "WPA" if passphrase else "nopass"
    return f"WIFI:T:{kind};S:{esc(ssid)};P:{esc(passphrase)};;"


@bp.get("/sheet")
@admin_required
def sheet():
    """A printable page: join the Wi-Fi, then open the kit's page, each by a QR code."""
    config = current_app.config["KIT"]
    ssid, passphrase = config.get("wifi_ssid", ""), config.get("wifi_passphrase", "")
    page = request.host_url
    wifi = (
        qr_svg(wifi_payload(ssid, passphrase), _("QR code to join the Wi-Fi network %(ssid)s", ssid=ssid))
        if ssid
        else None
    )
    return render_template(
        "admin/sheet.html",
        ssid=ssid,
        passphrase=passphrase,
        wifi=wifi,
        page=page,
        page_qr=qr_svg(page, _("QR code: %(url)s", url=page)),
    )
