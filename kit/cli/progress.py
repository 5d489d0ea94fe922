"""progress commands: recompute the derived progress tables from the event log."""

import click

from . import cli, pass_ctx


@cli.group()
def progress():
    """Learners' progress, derived from the event log.

    \b
    Example:
      kit progress rebuild
    """


@progress.command()
@pass_ctx
def rebuild(ctx):
    """Recompute lesson and question progress from the event log.

    The event log is the source of truth; run this after restoring a backup or if
    the progress tables look wrong. The result is the same rows the kit keeps live.
    It runs in one transaction (all or nothing) and holds the write lock meanwhile, so
    on a large log stop `kit serve` first.

    \b
    Example:
      kit --data /var/lib/classroom-kit progress rebuild
    """
    from ..progress import rebuild as run  # deferred: start time

    ctx.open()
    count = run()
    click.echo(f"progress rebuilt from {count} event(s)")
