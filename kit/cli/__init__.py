"""The `kit` command: a thin layer that parses, calls one library function, and turns
our exceptions into one clear line and a non-zero exit.

Subcommands live in one module per feature; plugins (the sync agent and the hub)
add theirs through the ``classroom_kit.commands`` entry point group.

Every command module is loaded at every start, so each command imports the library it
calls inside its function ("deferred: start time"): `kit --help` loads 402 modules, and
would load ~700 with every command's library at the top (2.9 s against 5.6 s, the best
of four runs each on the shared 2-core Xeon @ 2.80GHz under load). peewee is imported
only after main() has hidden psycopg2 from `kit serve` (tests/core/test_serve.py).
"""

import functools
import logging
import os
import sys
from importlib.metadata import entry_points

import click

from ..errors import KitError

PLUGIN_GROUP = "classroom_kit.commands"


class Context:
    """What every command needs: where the data folder is. Opening it is up to the command."""

    def __init__(self, data, typed=False):
        self.data = data
        self.typed = typed  # given as `kit --data DIR`, not from $KIT_DATA or the default

    def open(self, **overrides):
        from ..datafolder import open_data  # deferred: peewee, after main() hid psycopg2

        return open_data(self.data, overrides=overrides or None)

    def with_data_after(self, data, command_path):
        """Return the Context for `kit COMMAND --data DIR`: that folder, unless `kit --data`
        named a different one (the command line beats $KIT_DATA, but two folders typed
        are a mistake to point out, not a guess to make)."""
        if data is None:
            return self
        if self.typed and os.path.realpath(self.data) != os.path.realpath(data):
            raise click.UsageError(
                f"--data given twice with two folders: {self.data} before the command and "
                f"{data} after it; give it once, before or after `{command_path}`"
            )
        return Context(data, typed=True)


def pass_ctx(command):
    """Pass the Context to `command`, and give it its own --data option too: people type
    `kit serve --data DIR` as often as `kit --data DIR serve`, so every command that uses
    the data folder takes it in either place."""

    @click.option(
        "--data",
        "data_after",
        type=click.Path(file_okay=False),
        default=None,
        help="Data folder; the same as `kit --data`, given after the command.",
    )
    @click.pass_context
    @functools.wraps(command)
    def with_ctx(click_ctx, *args, data_after=None, **kwargs):
        ctx = click_ctx.find_object(Context).with_data_after(data_after, click_ctx.command_path)
        return command(ctx, *args, **kwargs)

    return with_ctx


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--data",
    envvar="KIT_DATA",
    type=click.Path(file_okay=False),
    help="Data folder (default: $KIT_DATA, else ./kit-data); also accepted after the "
    "command: `kit serve --data DIR`.",
)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, to stderr.")
@click.version_option(package_name="classroom-kit")
@click.pass_context
def cli(click_ctx, data, verbose):
    """Classroom Kit: serve lessons to tablets, and carry learning records home.

    \b
    Example:
      kit --data /var/lib/classroom-kit serve --port 8080
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    typed = click_ctx.get_parameter_source("data") is click.core.ParameterSource.COMMANDLINE
    click_ctx.obj = Context(data, typed=typed)


def _load_commands(name=None):
    """Register the kit's commands, and the plugins' that `name` may need: all of them for
    help or an unknown word (so click lists or suggests them), only the one named, or none
    for a command of the kit's own. The hub's commands import the hub, ~0.3 s of every
    start otherwise, and the tests run `kit` thousands of times."""
    from . import certificates, content, maintenance, people, progress, setup  # noqa: F401  (they register on cli)

    if name in cli.commands:
        return
    plugins = entry_points(group=PLUGIN_GROUP)
    for ep in plugins:
        if name in plugins.names and ep.name != name:
            continue
        cli.add_command(ep.load(), ep.name)


def _command_name(args):
    """Return the subcommand in `args` (the first word that is not a global option)."""
    words = iter(args)
    for word in words:
        if word == "--data":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _without_postgres_driver():
    """`kit serve` only ever opens SQLite, but peewee imports psycopg2 whenever it is
    installed (a laptop that is also the hub, a developer's venv): 7 MB of the kit's
    memory for nothing. Hide it before peewee is imported; `kit hub …` still has it."""
    for name in ("psycopg2", "psycopg2cffi"):
        sys.modules.setdefault(name, None)


def main(argv=None):
    """Run the CLI; our errors become `error: …` on stderr and exit code 1 (or the class's)."""
    name = _command_name(sys.argv[1:] if argv is None else argv)
    if name == "serve":
        _without_postgres_driver()
    from peewee import DatabaseError  # deferred: after _without_postgres_driver()

    _load_commands(name)
    try:
        cli.main(args=argv, prog_name="kit", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except KitError as exc:
        click.echo(f"error: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except DatabaseError as exc:
        if os.environ.get("KIT_DEBUG"):
            raise
        click.echo(f"error: database problem: {exc} (run `kit doctor`)", err=True)
        sys.exit(1)
    except OSError as exc:
        if os.environ.get("KIT_DEBUG"):
            raise
        where = f" ({exc.filename})" if exc.filename else ""
        click.echo(f"error: {exc.strerror or exc}{where}", err=True)
        sys.exit(1)
