"""Open a kit's data folder: settings, database, migrations, secret key, identity.

The hub opens its own data folder with the same pieces (:func:`make_folder`,
:func:`secret_key`, the migration runner), with its own settings and database.
"""

import secrets
from importlib.metadata import entry_points
from pathlib import Path

from . import settings
from .db import database, init_database
from .errors import ConfigError, NotFound
from .migrations import migrate
from .models import KitIdentity
from .private_files import private_file, private_folder

MIGRATION_GROUP = "classroom_kit.migrations"


def plugin_migration_packages():
    """Yield (namespace, package) for every installed plugin that brings its own tables."""
    for ep in entry_points(group=MIGRATION_GROUP):
        yield ep.name, ep.value


def open_data(data_dir=None, overrides=None, create=True, run_migrations=True):
    """Load settings for a data folder, bind the database and apply pending migrations."""
    config = settings.load(data_dir, overrides)
    data = make_folder(config["data"], create)
    init_database(config)
    if run_migrations:
        database.connect(reuse_if_open=True)
        migrate(database)
        for namespace, package in plugin_migration_packages():
            migrate(database, package, namespace)
    if not config["secret_key"]:
        config["secret_key"] = secret_key(data)
    return config


def make_folder(path, create=True, what="data folder", init="kit init"):
    """Return the data folder as a Path, made private (700) with its packs/ folder if new.

    Without `create`, a missing folder is refused with the command that makes it."""
    data = Path(path)
    if not data.exists():
        if not create:
            raise ConfigError(f"{what} {data} does not exist (run `{init}` first)")
        private_folder(data)
    if not data.is_dir():
        raise ConfigError(f"{what} {data} is not a folder")
    (data / "packs").mkdir(exist_ok=True)
    return data


def secret_key(data, name="secret_key"):
    """Return the data folder's session-signing key, made once and kept private."""
    path = data / name
    if not path.exists():
        private_file(path).write_text(secrets.token_hex(32))
    return path.read_text().strip()


def identity():
    """Return the kit's identity row, or raise NotFound if `kit init` has not run."""
    row = KitIdentity.select().first()
    if row is None:
        raise NotFound("this kit has no identity yet: run `kit init --site NAME`")
    return row
