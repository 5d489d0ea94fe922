"""Plug sync into the kit's app: the status panel, and the agent inside `kit serve`.

The agent starts only in the serving process (the app says so: ``KIT_SERVING``, set by
`kit serve`), or anywhere when the ``sync_agent`` setting says "always"; never in tests'
create_app unless they ask.
"""

import logging
import threading
import time
from pathlib import Path

from flask_babel import lazy_gettext as _l

from kit.db import database
from kit.errors import ConfigError

from .admin import init_app as init_admin
from .poke import sync_folder
from .state import get_state
from .status import status

logger = logging.getLogger(__name__)


def panel():
    """Return the sync panel for the kit's admin status page."""
    info = status()
    if not info["enrolled"]:
        return {
            "title": str(_l("Sync with the hub")),
            "rows": [
                [str(_l("Hub")), str(_l("not enrolled"))],
                [str(_l("Events waiting")), info["events_waiting"]],
            ],
            "problem": str(_l("This kit is not enrolled with a hub yet.")),
        }
    never = str(_l("never"))
    rows = [
        [str(_l("Hub")), f"{info['hub_name']} ({info['hub']})"],
        [str(_l("Last attempt")), info["last_attempt"] or never],
        [str(_l("Last success")), info["last_success"] or never],
        [str(_l("Events waiting")), info["events_waiting"]],
        [str(_l("Last error")), info["last_error"] or str(_l("none"))],
    ]
    if info["clock_offset_s"] is not None and abs(info["clock_offset_s"]) > 60:
        rows.append(
            [str(_l("Clock")), str(_l("%(s)s s off the hub's clock", s=f"{info['clock_offset_s']:+.0f}"))]
        )
    for item in info["downloads"][:2]:
        rows.append([str(_l("Pack download")), f"{item['pack']} {item['version']}: {item['status']}"])
    problem = None
    if info["set_aside"]:
        problem = str(
            _l("%(n)s event(s) were set aside because the hub refused them.", n=len(info["set_aside"]))
        )
    elif info["last_error"]:
        problem = info["last_error"]
    return {"title": str(_l("Sync with the hub")), "rows": rows, "problem": problem}


def _enrolled():
    try:
        return get_state(required=False) is not None
    finally:
        database.close()


def _start_agent_when_enrolled(app, config):
    """Start the agent now if this kit is enrolled, else once it is (checked every 2 s).

    A kit that is never enrolled then never loads APScheduler and requests: ~0.2 s of
    every start and ~7 MB of memory on a Pi (measured by bench/run start).
    """

    def start():
        from .scheduler import start_background  # deferred: the agent, +155 modules, 5.2 MB

        app.extensions["sync_agent"] = start_background(config)
        logger.info("sync agent started in this process (every %s s)", config["sync_interval_s"])

    if _enrolled():
        start()
        return
    marker = sync_folder(config["data"]) / "enrolled"

    def wait():
        while not marker.exists():
            time.sleep(2)
        start()

    threading.Thread(target=wait, name="sync-wait-enrolment", daemon=True).start()


def init_app(app):
    """Register the status panel and, in the serving process, start the agent."""
    app.config.setdefault("KIT_STATUS_PANELS", []).append(panel)
    app.config.setdefault("KIT_ADMIN_TABS", []).append(("sync_admin.page", "Sync with the hub"))
    babel = app.extensions.get("babel")
    if babel is not None:
        # Our strings join the kit's catalogues, underneath them: Flask-Babel lets a later
        # catalogue override an earlier one, and a text both hold ("From", "Started") means
        # what the kit's pages mean by it, not what the hub's pages do.
        babel.translation_directories.insert(0, str(Path(__file__).parent.parent / "translations"))
    config = app.config["KIT"]
    mode = config.get("sync_agent", "serve")
    if mode not in ("serve", "off", "always"):
        raise ConfigError(f"sync_agent must be serve, off or always, not {mode!r}")
    if mode == "always" or (mode == "serve" and app.config.get("KIT_SERVING")):
        _start_agent_when_enrolled(app, config)

    init_admin(app)
