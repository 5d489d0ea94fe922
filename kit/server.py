"""Run the kit under waitress."""

import ctypes
import logging
import multiprocessing
import sys
import time

from waitress import create_server

from . import prefork, systemd
from .app import create_app
from .datafolder import open_data
from .db import database
from .errors import ConfigError
from .hardware import board_id
from .identity import check_board
from .live import hold

logger = logging.getLogger(__name__)


# What one worker may take under a class's load (docs/performance.md: peak RSS < 80 MB);
# the automatic worker count keeps as many as half the RAM holds at this figure.
WORKER_BUDGET_BYTES = 80 * 1024 * 1024
# Seconds a stopping worker may take to finish the requests it holds (TimeoutStopSec=20).
GRACE_S = 10.0


def serve(data_dir=None, host=None, port=None, threads=None, workers=None):
    """Build the app for a data folder and serve it until SIGTERM or Ctrl-C.

    One worker: this process pins itself to one CPU and serves. More: this process binds
    the socket and supervises that many pre-forked workers, each pinned to its own CPU
    (kit/prefork.py says why). Migrations run once, here, before any worker starts.
    """
    check_clone(data_dir)  # before the app (and any sync agent in it) exists
    QueueDepthSummary.install()
    give_big_blocks_back()
    overrides = {"host": host, "port": port, "threads": threads, "workers": workers}
    config = open_data(data_dir, overrides=overrides)
    count = worker_count(config["workers"])
    held = hold_threads(config)  # a bad setting stops here, before any worker starts
    app = None
    if count == 1:
        prefork.pin(0)
        app = create_app(data_dir=data_dir, config=overrides, serving=True)
    else:
        # Build the app once here, without the sync agent (a valid setting is turned off;
        # a misspelt one is left for the plugin to refuse): its modules are then imported
        # before the fork and their memory is shared by every worker until written to.
        quiet = {"sync_agent": "off"} if config["sync_agent"] in ("serve", "always") else {}
        create_app(data_dir=data_dir, config={**overrides, **quiet})
        database.close()  # no worker may inherit this process's SQLite connections
    sock = prefork.listen(config["host"], config["port"])
    print(
        f"Classroom Kit serving {config['data']} on http://{config['host']}:{config['port']}/ "
        f"({count} worker{'s' if count > 1 else ''} x {config['threads']} threads"
        f"{f', and up to {held} more while live polls are held' if held else ''})",
        flush=True,
    )
    if count == 1:
        _serve_one(app, sock, config)
    else:
        _serve_many(count, sock, config, data_dir, overrides)


def _serve_one(app, sock, config):
    """Serve in this process (already pinned); systemd's watchdog runs in a thread here."""
    server = _waitress(app, sock, config)
    # The socket is bound: tell systemd (if it supervises us) and start its watchdog.
    systemd.started(config["host"], config["port"])
    try:
        server.run()
    finally:
        systemd.stopping()


def _serve_many(count, sock, config, data_dir, overrides):
    """Fork `count` pinned workers on the socket and supervise them until SIGTERM."""

    def work(index):
        prefork.pin(index)
        # The sync agent runs in worker 0 only (and in its replacement, if it dies).
        agent = None if index == 0 else "off"
        app = create_app(data_dir=data_dir, config={**overrides, "sync_agent": agent}, serving=True)
        _waitress(app, sock, config).run()
        return 0

    systemd.started(config["host"], config["port"], watchdog=False)
    try:
        prefork.Supervisor(
            count, work, systemd.local_url(config["host"], config["port"]), stop_timeout_s=GRACE_S + 5
        ).run()
    finally:
        systemd.stopping()


def worker_count(setting):
    """Return the worker count: the setting, or (0) one per CPU within the memory budget."""
    if setting < 0:
        raise ConfigError(f"workers must be 0 (automatic) or more, not {setting}")
    return setting or prefork.auto_workers(WORKER_BUDGET_BYTES)


def _waitress(app, sock, config):
    """A waitress server for the app on the shared socket; SIGTERM lets it finish its work."""
    server = create_server(
        app,
        sockets=[sock],
        threads=config["threads"],
        ident="classroom-kit",
        # Tablets on a flaky link hold connections; keep idle ones from pinning threads.
        channel_timeout=60,
        connection_limit=500,
        clear_untrusted_proxy_headers=True,
    )
    # Each held live poll gets a thread of its own while it is held (kit.live.hold).
    hold.add_threads_while_held(
        lambda held: server.task_dispatcher.set_thread_count(config["threads"] + held)
    )
    prefork.drain_on_sigterm(server, GRACE_S, on_stop=hold.release_all)
    return server


def hold_threads(config):
    """Threads a worker may add for held live-class polls (kit.live.hold): none if not holding."""
    if not 0 <= config["live_hold_s"] <= 30:
        raise ConfigError(f"live_hold_s must be 0 to 30 seconds, not {config['live_hold_s']}")
    if config["live_hold_threads"] < 0:
        raise ConfigError(f"live_hold_threads must be 0 or more, not {config['live_hold_threads']}")
    return config["live_hold_threads"] if config["live_hold_s"] else 0


def check_clone(data_dir=None):
    """Take a fresh kit UUID if this data folder was made on another board (a cloned card)."""

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
    """Let waitress's "Task queue depth is N" through once a minute for the whole kit,
    with the deepest N any worker saw.

    Waitress warns on every request that has to wait for a thread, which a class arriving
    at once does hundreds of times a second: each warning is formatted and written to the
    journal (an SD card on a Pi) while waitress holds the lock every request goes through.
    One line a minute still tells the operator the kit was busy, and how busy. Once a
    minute per kit, not per worker: a burst queues in every worker at once, and four lines
    saying the same thing each minute on a 4-core Pi tell the operator nothing more. The
    filter is made before the workers are forked; its time and depth live in memory they
    share (CLOCK_MONOTONIC is the same in every process).
    """

    EVERY_S = 60.0

    def __init__(self):
        super().__init__()
        self._lock = multiprocessing.Lock()  # a semaphore in shared memory: forks share it
        self._shared = multiprocessing.RawArray("d", 2)  # [next time to log, deepest since]

    def filter(self, record):
        depth = record.args[0] if isinstance(record.args, tuple) and record.args else 0
        shared = self._shared
        with self._lock:
            shared[1] = max(shared[1], depth if isinstance(depth, int) else 0)
            now = time.monotonic()
            if now < shared[0]:
                return False
            shared[0] = now + self.EVERY_S
            record.msg = (
                "Task queue depth reached %d (requests waiting for a thread in any worker;"
                " logged at most once a minute)"
            )
            record.args = (int(shared[1]),)
            shared[1] = 0
        return True

    @classmethod
    def install(cls):
        queue_logger = logging.getLogger("waitress.queue")
        if not any(isinstance(f, cls) for f in queue_logger.filters):
            queue_logger.addFilter(cls())
