"""The kit's SQLite policy, in one place.

Every connection gets WAL (readers never block the writer), foreign keys, a busy
timeout, and the ``synchronous`` level chosen in docs/power-loss.md. Every write
transaction starts with ``BEGIN IMMEDIATE``: the write lock is taken up front, so a
reader can never try to upgrade to a writer mid-transaction, which is what makes
SQLite answer "database is locked" without waiting. Writers therefore only ever queue
on the busy timeout, and all writes must go through :func:`write` (or
``database.atomic()``, which starts IMMEDIATE too).
"""

import json
import logging
from pathlib import Path

from playhouse.pool import PooledSqliteDatabase

from .private_files import private_file

logger = logging.getLogger(__name__)


class KitDatabase(PooledSqliteDatabase):
    """SQLite with a small pool: requests hand their connection back instead of closing it.

    Opening a connection costs ~0.5 ms (the WAL files, the schema, the pragmas), more than
    a learner page's queries. Only the request teardown returns a connection to the pool
    (:meth:`release`); an explicit ``close()`` (a restore swapping the file, a test, a
    CLI command) also closes every idle pooled connection, so nobody keeps the old file.
    """

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
        from .errors import ConfigError

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


def fetch_json(sql, params=()):
    """Run a query whose answer is one JSON value (json_array, json_group_array…) in its
    first column; return it decoded, or None when there is no row.

    Hot paths build their row, or all their rows, into one value: Python 3.11's sqlite3
    lets go of the interpreter lock for every column it reads, and in a busy server each
    let-go is a chance for another thread to take it (a probe on PyEval_SaveThread counted
    ~13 in a learner progress request that read plain columns).
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
