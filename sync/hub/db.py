"""The hub's database: SQLite in its data folder by default, PostgreSQL by URL.

Migrations are numbered SQL files written once for both engines; ``{pk}`` stands for the
auto-incrementing primary key, the only spelling the two disagree on.
"""

from pathlib import Path

from peewee import DatabaseProxy, PostgresqlDatabase, SqliteDatabase
from playhouse.db_url import parse as parse_url
from playhouse.pool import PooledPostgresqlDatabase

from kit.errors import ConfigError
from kit.migrations import Ledger, discover
from kit.migrations import migrate as run_migrations
from kit.private_files import private_file

try:  # PostgreSQL is optional: a hub on SQLite runs without psycopg2
    from psycopg2.extras import execute_batch
except ImportError:
    execute_batch = None

database = DatabaseProxy()
PAGE = 200  # statements per round trip in execute_many
STALE_S = 300  # a pooled PostgreSQL connection is closed once this old: bounded server-side caches

PK = {"sqlite": "INTEGER PRIMARY KEY AUTOINCREMENT", "postgresql": "BIGSERIAL PRIMARY KEY"}


def default_url(data_dir):
    return f"sqlite:///{Path(data_dir).resolve() / 'hub.db'}"


def open_database(url):
    """Bind the hub's models to the database at `url` and return it."""
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        private_file(path)  # SQLite would make it 644; see kit.private_files
        # Writes are short and few: WAL plus a busy timeout keeps the web threads waiting, not failing.
        db = SqliteDatabase(
            str(path),
            lock_type="IMMEDIATE",
            check_same_thread=False,
            pragmas={
                "journal_mode": "wal",
                "foreign_keys": 1,
                "busy_timeout": 10000,
                "synchronous": "NORMAL",
            },
        )
    elif url.startswith(("postgresql://", "postgres://")):
        db = _pooled(url)
    else:
        raise ConfigError(f"unsupported hub database {url!r}: use sqlite:///PATH or postgresql://…")
    release()  # a hub opened again in one process (the CLI, tests) leaves no connection behind
    database.initialize(db)
    return db


def _pooled(url):
    """A PostgreSQL database whose connections a request takes from a pool and gives back.

    A new connection per request cost the hub 12 ms and PostgreSQL a backend start (docs/
    performance.md); pooled, a request pays one `SELECT 1` (peewee checks a connection before
    handing it out, so one that PostgreSQL dropped is replaced, not used). No cap: a process
    holds at most one connection per serving thread.
    """
    if execute_batch is None:
        raise ConfigError("PostgreSQL needs psycopg2: pip install 'classroom-kit[postgres]'")
    settings = parse_url(url.replace("postgres://", "postgresql://", 1))
    return PooledPostgresqlDatabase(
        settings.pop("database"), max_connections=None, stale_timeout=STALE_S, **settings
    )


def release():
    """Close this process's database connections, pooled ones included (before a fork, or a reopen)."""
    if database.obj is None:
        return
    database.close()
    if isinstance(database.obj, PooledPostgresqlDatabase):
        database.obj.close_all()


def dialect(db=None):
    db = db or database.obj
    return "postgresql" if isinstance(db, PostgresqlDatabase) else "sqlite"


def execute_many(cursor, sql, rows):
    """Run `sql` once for each row of parameters, on PostgreSQL in pages of PAGE statements a round trip.

    psycopg2's executemany makes a round trip a row: the summaries' upserts made about 200 a
    batch of 500 events, a quarter of its time at the hub (docs/performance.md). SQLite is in
    process: its executemany is already the fast way.
    """
    if dialect() == "postgresql":
        execute_batch(cursor, sql, rows, page_size=PAGE)
    else:
        cursor.executemany(sql, rows)


def execute_values(cursor, sql, rows):
    """Run `sql` for all `rows` at once, its ROWS standing for them as a VALUES list: one statement
    a page of rows, where execute_many runs one a row.

    PostgreSQL parses and plans each statement: a batch's summaries took about 130 one-row
    statements, each costing the server more than its row (docs/performance.md). Pages stay
    under SQLite's oldest limit of 999 parameters.
    """
    if not rows:
        return
    mark = f"({', '.join([database.param] * len(rows[0]))})"
    page = max(1, 999 // len(rows[0]))
    for start in range(0, len(rows), page):
        part = rows[start : start + page]
        cursor.execute(sql.replace("ROWS", ", ".join([mark] * len(part))), [v for row in part for v in row])


class HubLedger(Ledger):
    """The hub's record of its migrations: the ``hub_schema`` table of every hub installed so far."""

    def applied(self, database, namespace):
        database.execute_sql(
            "CREATE TABLE IF NOT EXISTS hub_schema (number INTEGER PRIMARY KEY, name TEXT NOT NULL)"
        )
        return {row[0] for row in database.execute_sql("SELECT number FROM hub_schema")}

    def record(self, database, namespace, number, name):
        # Two literals, not parameters: SQLite and psycopg2 spell placeholders differently.
        database.execute_sql(f"INSERT INTO hub_schema (number, name) VALUES ({int(number)}, '{name}')")


def latest_migration():
    """The number of the newest migration this code knows."""
    return discover("sync.hub.migrations")[-1][0]


def migrate(db=None):
    """Apply pending hub migrations with the kit's runner, each in its own transaction; return their names."""
    db = db or database.obj
    db.connect(reuse_if_open=True)
    pk = PK[dialect(db)]
    return run_migrations(
        db, "sync.hub.migrations", "hub", ledger=HubLedger(), prepare=lambda text: text.replace("{pk}", pk)
    )
