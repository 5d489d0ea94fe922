"""Run the kit under waitress."""

import logging

from waitress import create_server

from . import systemd
from .app import create_app

logger = logging.getLogger(__name__)


def serve(data_dir=None, host=None, port=None, threads=None):
    """Build the app for a data folder and serve it until interrupted."""
    check_clone(data_dir)  # before the app (and any sync agent in it) exists
    app = create_app(data_dir=data_dir, config={"host": host, "port": port, "threads": threads})
    config = app.config["KIT"]
    print(f"Classroom Kit serving {config['data']} on http://{config['host']}:{config['port']}/",
          flush=True)
    server = create_server(
        app, host=config["host"], port=config["port"], threads=config["threads"],
        ident="classroom-kit",
        # Tablets on a flaky link hold connections; keep idle ones from pinning threads.
        channel_timeout=60, connection_limit=500, clear_untrusted_proxy_headers=True,
    )
    # The socket is bound now: tell systemd (if it supervises us) and start its watchdog.
    systemd.started(config["host"], config["port"])
    try:
        server.run()
    finally:
        systemd.stopping()


def check_clone(data_dir=None):
    """Take a fresh kit UUID if this data folder was made on another board (a cloned card)."""
    from .datafolder import open_data
    from .hardware import board_id
    from .identity import check_board

    config = open_data(data_dir)
    return check_board(board_id(override=config["board_id"]))
