"""Fixtures for sync: a real hub process (SQLite or a real PostgreSQL), enrolled kits, a fault proxy.

Events are created by inserting kit.models.Event rows straight into a kit's database,
as the kit's events API would; everything else goes through the real `kit` command.
"""

import atexit
import datetime as dt
import functools
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import ROOT, free_port, run_kit, wait_http

from .faultproxy import FaultProxy

HUB_ENV = {"KIT_HUB_MAX_BATCH_BYTES": "65536"}
PG_BIN = Path("/usr/lib/postgresql/15/bin")
FAST = {
    "KIT_SYNC_TIMEOUT_S": "3",
    "KIT_SYNC_PROBE_TIMEOUT_S": "2",
    "KIT_SYNC_BACKOFF_BASE_S": "1",
    "KIT_SYNC_BACKOFF_MAX_S": "2",
    "KIT_SYNC_INTERVAL_S": "3600",
}


class Hub:
    """A real `kit hub serve` process on a loopback port."""

    def __init__(self, data_dir, database_url=None, env=None):
        self.data_dir = Path(data_dir)
        self.database_url = database_url
        self.port = free_port()
        self.env = {
            "KIT_HUB_DATA": str(self.data_dir),
            **(env or {}),
            **({"KIT_HUB_DATABASE": database_url} if database_url else {}),
        }
        self.process = None
        self.log = self.data_dir.parent / f"hub-{self.port}.log"

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def kit(self, *args, **kwargs):
        """Run `kit hub …` against this hub's data folder (and database)."""
        extra = ("--database", self.database_url) if self.database_url and args[0] == "init" else ()
        return run_kit(self.data_dir, "hub", *args, *extra, env=self.env, **kwargs)

    def start(self):
        env = {**os.environ, **self.env}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kit",
                    "hub",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    *(("--database", self.database_url) if self.database_url else ()),
                ],
                env=env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        wait_http(self.url + "/sync/v1/ping", process=self.process)
        return self

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def code(self, name="Truck 1", ttl=None, cli=False):
        """Make an enrol code: with `kit hub enroll-code`, or in this process (faster) on the same database."""
        if cli:
            args = ("enroll-code", "--name", name) + (("--ttl", str(ttl)) if ttl else ())
            return self.kit(*args).stdout.strip()
        from sync.hub.enrol import new_code

        with self.db():
            return new_code(name, ttl or 3600)

    @contextmanager
    def db(self):
        """Bind sync.hub's models to this hub's database inside the test process."""
        from sync.hub import open_hub
        from sync.hub.db import database, release

        open_hub(self.data_dir, self.database_url)
        try:
            yield database
        finally:
            release()  # closed, not kept in this process's pool: the hub's connections are the hub's

    def setup(self):
        """Initialise, then start. What the real CLI makes (`init --database` on PostgreSQL and
        the admin account, `users add` on SQLite) is made once per test process and copied:
        the folder, and on the fixture's PostgreSQL server the database (CREATE DATABASE …
        TEMPLATE). A database of another role is made for real, so that role owns its tables."""
        if self.database_url and urlsplit(self.database_url).username != "postgres":
            self.kit("init")
            from sync.hub.accounts import add_user

            with self.db():
                add_user("admin", "correct horse")
        else:
            server = _pg_server(self.database_url) if self.database_url else None
            template = _hub_template(server)
            if server:
                _clone_database(server, urlsplit(self.database_url).path.lstrip("/"))
            shutil.copytree(template, self.data_dir, dirs_exist_ok=True)
        return self.start()

    @contextmanager
    def connect(self):
        """A DB-API connection to the hub's database, SQLite or PostgreSQL."""
        if self.database_url:
            import psycopg2

            conn = psycopg2.connect(self.database_url)
        else:
            conn = sqlite3.connect(self.data_dir / "hub.db")
        try:
            yield conn
        finally:
            conn.close()

    def query(self, sql, *params):
        if self.database_url:
            sql = sql.replace("?", "%s")
        with self.connect() as conn:
            cur = conn.cursor()
            cur.execute(sql, params)
            return cur.fetchall()

    def uuids(self, kit_id):
        """Return the list (not set: duplicates would show) of event UUIDs held for a kit."""
        return [r[0] for r in self.query("SELECT uuid FROM hub_event WHERE kit_id = ?", kit_id)]


PG_TEMPLATE = "hub_template"


@functools.cache
def _hub_template(server=None):
    """A hub folder with the admin account, made once per test process by the real CLI (a
    ~0.8 s run: Python, the hub's imports, a scrypt hash): SQLite's `users add` (its
    hub.db in the folder), or on a PostgreSQL server (postgresql://postgres@host:port)
    `init --database` into PG_TEMPLATE and the admin added as Hub.setup always has. Its
    session key is left out, so each hub makes its own."""
    folder = Path(tempfile.mkdtemp(prefix="kit-hub-template-")) / "hub"
    atexit.register(shutil.rmtree, folder.parent, ignore_errors=True)
    if server is None:
        Hub(folder).kit("users", "add", "admin", "--password-stdin", input="correct horse\n")
    else:
        _admin_sql(server, f'CREATE DATABASE "{PG_TEMPLATE}"')
        template = Hub(folder, f"{server}/{PG_TEMPLATE}")
        template.kit("init")
        from sync.hub.accounts import add_user

        with template.db():
            add_user("admin", "correct horse")
    (folder / "hub_secret_key").unlink()
    return folder


def _pg_server(url):
    """postgresql://user@host:port of a database URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _admin_sql(server, sql):
    """Run one statement outside a transaction in the server's `postgres` database."""
    import psycopg2

    conn = psycopg2.connect(f"{server}/postgres")
    try:
        conn.autocommit = True
        conn.cursor().execute(sql)
    finally:
        conn.close()


def _clone_database(server, name):
    """Replace the (new, empty) database `name` by a copy of PG_TEMPLATE."""
    _admin_sql(server, f'DROP DATABASE "{name}"')
    _admin_sql(server, f'CREATE DATABASE "{name}" TEMPLATE "{PG_TEMPLATE}"')


class Kit:
    """A kit's data folder, enrolled or not, driven through the real `kit` command."""

    def __init__(self, data_dir, env=None):
        self.data_dir = Path(data_dir)
        self.env = {**FAST, **(env or {})}
        self.kit_id = None

    def __call__(self, *args, **kwargs):
        return run_kit(self.data_dir, *args, env={**self.env, **kwargs.pop("env", {})}, **kwargs)

    @contextmanager
    def db(self):
        """Bind kit.db to this kit's database inside the test process (one kit at a time)."""
        from kit.datafolder import open_data
        from kit.db import database

        open_data(self.data_dir)
        try:
            yield database
        finally:
            database.close()

    def add_events(self, count, kind="answer", learner_name="Ama", **fields):
        """Insert `count` events as the kit's events API would; return their UUIDs."""
        from kit.db import write
        from kit.models import Classroom, Event, Learner

        made = []
        with self.db():
            with write():
                room, _ = Classroom.get_or_create(name="Morning class")
                learner, _ = Learner.get_or_create(classroom=room, display_name=learner_name)
                now = dt.datetime.utcnow()
                for i in range(count):
                    values = {
                        "uuid": str(uuid.uuid4()),
                        "learner": learner,
                        "pack_id": "numeracy",
                        "lesson_id": f"0{i % 3 + 1}-count",
                        "kind": kind,
                        "payload": {
                            "question_id": f"q{i % 4}",
                            "response": "b",
                            "correct": i % 2 == 0,
                            "attempt": 1,
                            "first_try": True,
                        },
                        "device_time": now,
                        "boot_id": "page-1",
                        "mono_ms": 1000 + i * 250,
                        "received_at": now,
                    }
                    values.update(fields)
                    made.append(Event.create(**values).uuid)
        return made

    def uuids(self):
        from kit.models import Event

        with self.db():
            return {e.uuid for e in Event.select(Event.uuid)}

    def status(self):
        """The agent's status, read in-process (the CLI's --json output is tested on its own)."""
        from sync.agent.status import status

        with self.db():
            return status()


def _pg_run(args, **kwargs):
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *map(str, args)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL 15 server in a temporary folder, run as the postgres user; yields a URL maker."""
    root = Path(tempfile.mkdtemp(prefix="kit-pg-"))
    shutil.chown(root, "postgres", "postgres")
    data, port = root / "data", free_port()
    _pg_run([PG_BIN / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
    _pg_run(
        [
            PG_BIN / "pg_ctl",
            "-D",
            data,
            "-l",
            root / "log",
            "-w",
            "-o",
            f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off",
            "start",
        ]
    )
    counter = iter(range(1, 10_000))

    def make_database():
        name = f"hub{next(counter)}"
        _pg_run([PG_BIN / "createdb", "-h", "127.0.0.1", "-p", port, "-U", "postgres", name])
        return f"postgresql://postgres@127.0.0.1:{port}/{name}"

    yield make_database
    _pg_run([PG_BIN / "pg_ctl", "-D", data, "-m", "immediate", "stop"])
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def hub(request, tmp_path):
    """A running hub with one account, on SQLite and on PostgreSQL."""
    url = request.getfixturevalue("postgres")() if request.param == "postgresql" else None
    server = Hub(tmp_path / "hub", url, env=HUB_ENV).setup()
    yield server
    server.stop()


@pytest.fixture
def sqlite_hub(tmp_path):
    server = Hub(tmp_path / "hub", env=HUB_ENV).setup()
    yield server
    server.stop()


def make_kit(tmp_path, name, hub=None, url=None, env=None):
    """Create a kit and, with a hub, enrol it through `url` (default the hub's).

    Done in this process to keep the suite fast: the same library calls `kit init` and
    `kit sync enroll` make (those commands are run for real in test_security and
    test_admin_page), and enrolment is a real HTTP exchange with the real hub process.
    """
    from kit.identity import create_identity

    kit = Kit(tmp_path / name, env)
    with kit.db():
        create_identity(f"Site {name}", "Testville")
        if hub is not None:
            from kit import settings
            from sync.agent.enrolment import enroll

            enroll(settings.load(kit.data_dir, environ={}), url or hub.url, hub.code(name))
            kit.kit_id = kit.status()["kit_id"]
    return kit


@pytest.fixture
def proxy_for():
    """Make fault proxies in front of a hub; closed after the test."""
    made = []

    def make(hub):
        proxy = FaultProxy(hub.port)
        made.append(proxy)
        return proxy

    yield make
    for proxy in made:
        proxy.close()


def wait_until(predicate, timeout=15.0, interval=0.1):
    """Poll until predicate() is true; return its value or fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")


def assert_converged(hub, kit, set_aside=()):
    """The exact set of event UUIDs on the kit is at the hub, once each."""
    at_hub = hub.uuids(kit.kit_id)
    assert len(at_hub) == len(set(at_hub)), "an event is stored twice at the hub"
    assert set(at_hub) == kit.uuids() - set(set_aside)


def sign_in_browser(page, hub, username="admin", password="correct horse"):
    """Sign in at the hub in a real browser page and wait to be taken on from /signin."""
    page.goto(hub.url + "/signin")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(lambda url: "/signin" not in url)
