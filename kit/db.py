"""The kit's SQLite policy, in one place.

Every connection gets WAL (readers never block the writer), foreign keys, a busy
timeout, and the ``synchronous`` level chosen in docs/power-loss.md. Every write
transaction starts with ``BEGIN IMMEDIATE``: the write lock is taken up front, so a
reader can never try to upgrade to a writer mid-transaction, which is what makes
SQLite answer "database is locked" without waiting. All writes must go through
:func:`write` (or ``database.atomic()``, which starts IMMEDIATE too).

Before its BEGIN a writer also takes the data folder's writer lock (:class:`WriterLock`):
`kit serve` runs several worker processes, each with its own event writer, and SQLite's
busy handler polls with sleeps of up to 100 ms, so a writer in one process could starve
behind another's group commits until the busy timeout answered "database is locked".
The writer lock queues them instead, without a timeout; the kernel releases it when a
process dies, even by kill -9.
"""

import contextlib
import fcntl
import json
import logging
import os
import threading
from pathlib import Path

from playhouse.pool import PooledSqliteDatabase

from .errors import ConfigError
from .private_files import private_file

logger = logging.getLogger(__name__)


class WriterLock:
    """One writer at a time across the threads and processes of a data folder.

    A thread lock orders this process's threads; an exclusive flock() on
    ``kit.db-writer`` orders the processes. The file is opened once per process (a
    forked worker opens its own: a flock is shared by everyone holding the same open
    file, so an inherited one would exclude nobody). The thread that holds it may take
    it again (each acquire needs its release): the event writer holds it around its
    whole turn, and each transaction in that turn takes it once more.
    """

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self):
        self._thread_lock = threading.Lock()
        self._fd = None
        self._path = None
        self._owner = None
        self._depth = 0

    def acquire(self, path):
        if self._owner == threading.get_ident() and self._path == path:
            self._depth += 1
            return
        self._thread_lock.acquire()
        try:
            if self._path != path:
                if self._fd is not None:
                    os.close(self._fd)
                # Read-only is enough for flock(), so a lock file another user made
                # (a CLI run as root on a developer's machine) still works for everyone.
                self._fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
                self._path = path
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise
        self._owner = threading.get_ident()
        self._depth = 1

    def held(self):
        return self._owner == threading.get_ident()

    def release(self):
        self._depth -= 1
        if self._depth > 0:
            return
        self._owner = None
        try:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._thread_lock.release()


class KitDatabase(PooledSqliteDatabase):
    """SQLite with a small pool: requests hand their connection back instead of closing it.

    Opening a connection costs ~0.5 ms (the WAL files, the schema, the pragmas), more than
    a learner page's queries. Only the request teardown returns a connection to the pool
    (:meth:`release`); an explicit ``close()`` (a restore swapping the file, a test, a
    CLI command) also closes every idle pooled connection, so nobody keeps the old file.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.writer_lock = WriterLock()

    def begin(self, lock_type=None):
        """BEGIN IMMEDIATE, after the data folder's writer lock (held until COMMIT/ROLLBACK)."""
        self.writer_lock.acquire(self.database + "-writer")
        try:
            super().begin(lock_type)
        except BaseException:
            self.writer_lock.release()
            raise

    def commit(self):
        try:
            return super().commit()
        finally:
            if self.writer_lock.held():
                self.writer_lock.release()

    def rollback(self):
        try:
            return super().rollback()
        finally:
            if self.writer_lock.held():
                self.writer_lock.release()

    def release(self):
        """Return this thread's connection to the pool (end of a request)."""
        return super().close()

    def close(self):
        closed = super().close()
        self.close_idle()
        return closed


# Deferred: bound to a file by init_database(); importing this module opens nothing.
# At most one connection per waitress thread and background job; each is reopened after
# 5 minutes of life, so no connection lives forever.
database = KitDatabase(None, lock_type="IMMEDIATE", max_connections=0, stale_timeout=300)

DB_FILENAME = "kit.db"


def pragmas(config):
    """Return the pragmas applied to every new connection."""
    synchronous = str(config.get("sqlite_synchronous", "NORMAL")).upper()
    if synchronous not in ("NORMAL", "FULL"):
        raise ConfigError(f"sqlite_synchronous must be NORMAL or FULL, not {synchronous!r}")
    return {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": int(config.get("busy_timeout_ms", 5000)),
        "synchronous": synchronous,
        # Keep the WAL from growing without bound on a busy day; checkpoints are cheap.
        "wal_autocheckpoint": 1000,
        "cache_size": -8000,  # 8 MB page cache: enough for a class, small for a 1 GB Pi.
        "temp_store": "memory",
    }


def db_path(config):
    return Path(config["data"]) / DB_FILENAME


def init_database(config):
    """Bind the deferred database to the data folder's kit.db (created if missing)."""
    path = db_path(config)
    path.parent.mkdir(parents=True, exist_ok=True)
    private_file(path)  # SQLite would make it 644; see kit.private_files
    if not database.is_closed():
        database.close()
    database.close_idle()  # pooled connections to another folder's file
    database.init(str(path), pragmas=pragmas(config), check_same_thread=False)
    return database


def write():
    """Return a context manager for one write transaction (BEGIN IMMEDIATE)."""
    return database.atomic()


@contextlib.contextmanager
def writer_turn():
    """Hold the data folder's writer lock across several statements or transactions:
    another process's writer waits until the block ends (see WriterLock)."""
    path = database.database + "-writer"
    database.writer_lock.acquire(path)
    try:
        yield
    finally:
        database.writer_lock.release()


def fetch_json(sql, params=()):
    """Run a query whose answer is one JSON value (json_group_array…) in its first column;
    return it decoded, or None when there is no row.

    The event writer's lookups take their list as one JSON array and answer in one value:
    one statement text whatever the batch size, so each connection prepares it once.
    (Learner pages read plain rows: they once read one JSON value too, to dodge handing the
    interpreter lock between threads on other CPUs; pinned workers made that moot, see
    docs/architecture.md, "Serving model".)
    """
    row = database.execute_sql(sql, params).fetchone()
    return None if row is None else json.loads(row[0])


def init_app(app):
    """Take a connection for each request and hand it back to the pool after."""

    @app.before_request
    def _connect():
        database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not database.is_closed():
            database.release()
