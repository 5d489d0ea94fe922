"""Commands that create, upgrade and run a kit: init, migrate, serve."""

import click

from . import cli, pass_ctx


@cli.command()
@click.option("--site", required=True, help="Site name shown on pages and at the hub.")
@click.option("--location", default="", help="Village, district or region.")
@pass_ctx
def init(ctx, site, location):
    """Give this kit its identity (a UUID, a site name, a location).

    Refuses to run on a data folder that already has a kit.

    \b
    Example:
      kit --data /var/lib/classroom-kit init --site "Truck 3" --location "Mopti"
    """
    from ..hardware import board_id  # deferred: start time
    from ..identity import create_identity  # deferred: start time

    config = ctx.open()
    ident = create_identity(site, location, hardware_id=board_id(override=config["board_id"]))
    click.echo(f"kit {ident.kit_uuid} created for {ident.site}")


@cli.command()
@pass_ctx
def migrate(ctx):
    """Apply pending database migrations (`kit serve` does this at start too).

    \b
    Example:
      kit --data /var/lib/classroom-kit migrate
    """
    from ..datafolder import open_data  # deferred: start time
    from ..db import database  # deferred: start time
    from ..migrations import migrate as run  # deferred: start time

    config = open_data(ctx.data, run_migrations=False)
    database.connect(reuse_if_open=True)
    names = run(database)
    from ..datafolder import plugin_migration_packages  # deferred: start time

    for namespace, package in plugin_migration_packages():
        names += run(database, package, namespace)
    click.echo(f"applied {len(names)} migration(s)" + (": " + ", ".join(names) if names else ""))
    click.echo(f"database {config['data']}/kit.db is up to date")


@cli.command()
@click.option("--host", default=None, help="Address to listen on (default 0.0.0.0).")
@click.option("--port", default=None, type=int, help="Port (default 8080).")
@click.option("--threads", default=None, type=int, help="Threads per worker process (default 8).")
@click.option(
    "--workers",
    default=None,
    type=int,
    help="Worker processes, each on its own CPU (default 0: one per CPU, within memory).",
)
@pass_ctx
def serve(ctx, host, port, threads, workers):
    """Serve the kit to tablets and teachers with waitress, one pinned process per CPU.

    \b
    Example:
      kit --data /var/lib/classroom-kit serve --host 0.0.0.0 --port 8080 --workers 2
    """
    from ..server import serve as run  # deferred: start time

    run(ctx.data, host=host, port=port, threads=threads, workers=workers)


@cli.group(invoke_without_command=True)
@click.pass_context
def identity(click_ctx):
    """Show the kit's identity, rename its site, or check it against this board (cloned SD cards).

    Alone, `kit identity` shows the identity, as `kit identity show` does.

    \b
    Example:
      kit --data /var/lib/classroom-kit identity
    """
    if click_ctx.invoked_subcommand is None:
        click_ctx.invoke(identity_show)


@identity.command("show")
@pass_ctx
def identity_show(ctx):
    """Print the kit's UUID, site and board; exit 1 if `kit init` has not run.

    \b
    Example:
      kit --data /var/lib/classroom-kit identity show
    """
    from ..datafolder import identity as current  # deferred: start time

    ctx.open()
    ident = current()
    click.echo(f"kit {ident.kit_uuid}\nsite {ident.site}\nboard {ident.hardware_id or '-'}")


@identity.command("check")
@pass_ctx
def identity_check(ctx):
    """Take a fresh kit UUID if this card was cloned from another board (`kit serve` does too).

    The site name and location are kept; the old UUID stays with the original kit.

    \b
    Example:
      kit --data /var/lib/classroom-kit identity check
    """
    from ..server import check_clone  # deferred: start time

    ident, outcome = check_clone(ctx.data)
    if ident is None:
        raise click.ClickException("this kit has no identity yet: run `kit init --site NAME`")
    messages = {
        "renewed": f"cloned card: this kit is now {ident.kit_uuid}",
        "recorded": f"kit {ident.kit_uuid}: board {ident.hardware_id} recorded",
        "same": f"kit {ident.kit_uuid}: same board as before",
        "unknown": f"kit {ident.kit_uuid}: this board has no readable serial; nothing checked",
    }
    click.echo(messages[outcome])


@identity.command("set")
@click.option("--site", default=None, help="New site name.")
@click.option("--location", default=None, help="New village, district or region.")
@pass_ctx
def identity_set(ctx, site, location):
    """Rename the kit's site or location (for example on a card copied from another kit).

    The kit's UUID stays; the hub shows the new name at the next sync.

    \b
    Example:
      kit --data /var/lib/classroom-kit identity set --site "Truck 4" --location "Ségou"
    """
    from ..identity import rename  # deferred: start time

    if site is None and location is None:
        raise click.UsageError("give --site, --location or both")
    ctx.open()
    ident = rename(site, location)
    click.echo(f"kit {ident.kit_uuid}: site {ident.site!r}, location {ident.location!r}")
