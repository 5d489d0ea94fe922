"""Run the kit under waitress."""

import logging

from waitress import serve as waitress_serve

from .app import create_app

logger = logging.getLogger(__name__)


def serve(data_dir=None, host=None, port=None, threads=None):
    """Build the app for a data folder and serve it until interrupted."""
    app = create_app(data_dir=data_dir, config={"host": host, "port": port, "threads": threads})
    config = app.config["KIT"]
    print(f"Classroom Kit serving {config['data']} on http://{config['host']}:{config['port']}/",
          flush=True)
    waitress_serve(
        app, host=config["host"], port=config["port"], threads=config["threads"],
        ident="classroom-kit",
        # Tablets on a flaky link hold connections; keep idle ones from pinning threads.
        channel_timeout=60, connection_limit=500, clear_untrusted_proxy_headers=True,
    )
