"""Numbered schema migrations, applied in order at start, each in one transaction.

A migration is a file ``NNNN_name.sql`` (statements separated by ``;`` at line ends)
or ``NNNN_name.py`` with ``up(database)``, inside a migrations package. The kit's own
live here; a plugin (the sync agent) keeps its own package and namespace, so numbers
never collide. Applied migrations are rows in ``schema_migrations``.

The hub, a program of its own on SQLite or PostgreSQL, runs its migrations with this
same runner: it passes its own :class:`Ledger` (the ``hub_schema`` table it has always
had) and a ``prepare`` step that spells the primary key for its engine (sync.hub.db).
"""

import importlib
import importlib.resources
import logging
import re

from ..models import utcnow

logger = logging.getLogger(__name__)

NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.(sql|py)$")


def discover(package):
    """[(number, file)] of a migration package, in order; refuses two with one number."""
    found = []
    for entry in importlib.resources.files(package).iterdir():
        match = NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry))
    found.sort(key=lambda item: item[0])
    numbers = [n for n, _ in found]
    if len(numbers) != len(set(numbers)):
        raise RuntimeError(f"{package}: two migrations share a number")
    return found


class Ledger:
    """Where a database keeps the migrations it has had: the kit's ``schema_migrations``."""

    def applied(self, database, namespace):
        """Return the set of migration numbers already applied for a namespace."""
        database.execute_sql(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " namespace TEXT NOT NULL, number INTEGER NOT NULL, name TEXT NOT NULL,"
            " applied_at TEXT NOT NULL, PRIMARY KEY (namespace, number))"
        )
        rows = database.execute_sql("SELECT number FROM schema_migrations WHERE namespace = ?", (namespace,))
        return {row[0] for row in rows}

    def record(self, database, namespace, number, name):
        """Note a migration as applied, inside its own transaction."""
        database.execute_sql(
            "INSERT INTO schema_migrations (namespace, number, name, applied_at) VALUES (?, ?, ?, ?)",
            (namespace, number, name, utcnow().isoformat()),
        )


KIT_LEDGER = Ledger()


def applied(database, namespace="kit"):
    """Return the set of migration numbers already applied for a namespace."""
    return KIT_LEDGER.applied(database, namespace)


def pending(database, package="kit.migrations", namespace="kit", ledger=KIT_LEDGER):
    done = ledger.applied(database, namespace)
    return [(n, entry) for n, entry in discover(package) if n not in done]


def _run(database, package, entry, prepare):
    if entry.name.endswith(".sql"):
        for statement in re.split(r";\s*\n", prepare(entry.read_text(encoding="utf-8"))):
            lines = [ln for ln in statement.splitlines() if not ln.strip().startswith("--")]
            if "".join(lines).strip():
                database.execute_sql("\n".join(lines))
    else:
        module = importlib.import_module(f"{package}.{entry.name[:-3]}")
        module.up(database)


def migrate(database, package="kit.migrations", namespace="kit", ledger=KIT_LEDGER, prepare=str):
    """Apply every pending migration of a package; return the names applied.

    `ledger` records what was applied (the hub keeps its own table); `prepare` rewrites an
    SQL file's text before it runs (the hub spells its primary key per engine)."""
    names = []
    for number, entry in pending(database, package, namespace, ledger):
        with database.atomic():
            _run(database, package, entry, prepare)
            ledger.record(database, namespace, number, entry.name)
        logger.info("applied migration %s/%s", namespace, entry.name)
        names.append(entry.name)
    return names
