"""Run the kit under waitress."""

import ctypes
import logging
import sys
import threading
import time

from waitress import create_server

from . import systemd
from .app import create_app

logger = logging.getLogger(__name__)


def serve(data_dir=None, host=None, port=None, threads=None):
    """Build the app for a data folder and serve it until interrupted."""
    check_clone(data_dir)  # before the app (and any sync agent in it) exists
    QueueDepthSummary.install()
    give_big_blocks_back()
    app = create_app(data_dir=data_dir, config={"host": host, "port": port, "threads": threads}, serving=True)
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


M_MMAP_THRESHOLD = -3  # glibc's mallopt() parameter
BIG_BLOCK = 1024 * 1024


def give_big_blocks_back():
    """Have glibc map blocks of 1 MB and more on their own and unmap them when freed.

    By default glibc raises that threshold to the largest block freed so far (up to 32 MB)
    and keeps such blocks in the freeing thread's malloc arena: every waitress thread that
    once checked a teacher's password (16 MB of scrypt) kept 16 MB for good, measured at
    +96 MB after six sign-ins. A fixed threshold keeps a server's memory at what it uses.
    """
    if sys.platform != "linux":
        return False
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)  # absent on musl
    return bool(mallopt and mallopt(M_MMAP_THRESHOLD, BIG_BLOCK))


class QueueDepthSummary(logging.Filter):
    """Let waitress's "Task queue depth is N" through once a minute, with the deepest N.

    Waitress warns on every request that has to wait for a thread, which a class arriving
    at once does hundreds of times a second: each warning is formatted and written to the
    journal (an SD card on a Pi) while waitress holds the lock every request goes through.
    One line a minute still tells the operator the kit was busy, and how busy.
    """

    EVERY_S = 60.0

    def __init__(self):
        super().__init__()
        self._lock = threading.Lock()
        self._next = 0.0
        self._deepest = 0

    def filter(self, record):
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        with self._lock:
            self._deepest = max(self._deepest, depth if isinstance(depth, int) else 0)
            now = time.monotonic()
            if now < self._next:
                return False
            self._next = now + self.EVERY_S
            record.msg = "Task queue depth reached %d (requests waiting for a thread; " \
                         "logged at most once a minute)"
            record.args = (self._deepest,)
            self._deepest = 0
        return True

    @classmethod
    def install(cls):
        queue_logger = logging.getLogger("waitress.queue")
        if not any(isinstance(f, cls) for f in queue_logger.filters):
            queue_logger.addFilter(cls())
