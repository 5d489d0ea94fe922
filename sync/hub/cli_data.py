"""`kit hub reports …` and `kit hub xapi …`: the hub's data for others (summaries, an LRS)."""

import click

from kit.cli import pass_ctx

from .cli_common import open_for
from .lrs import forward, status
from .summaries import rebuild


@click.group("reports")
def reports_group():
    """The summary tables behind the report pages.

    \b
    Example:
      kit --data /var/lib/kit-hub hub reports rebuild
    """


@reports_group.command("rebuild")
@pass_ctx
def reports_rebuild(ctx):
    """Remake the report summaries from the stored events (kept up as events arrive; this is for repair).

    \b
    Example:
      kit --data /var/lib/kit-hub hub reports rebuild
    """
    open_for(ctx)
    click.echo(f"rebuilt the report summaries from {rebuild()} event(s)")


@click.group("xapi")
def xapi_group():
    """Forward events to a learning record store as xAPI statements.

    \b
    Example:
      kit --data /var/lib/kit-hub hub xapi forward
    """


@xapi_group.command("forward")
@click.option("--max-batches", default=1000, show_default=True, help="Stop after this many requests.")
@pass_ctx
def xapi_forward(ctx, max_batches):
    """Send the statements the LRS has not acknowledged yet, in order (run it from a timer).

    \b
    Example:
      kit --data /var/lib/kit-hub hub xapi forward
    """
    config = open_for(ctx)
    click.echo(f"sent {forward(config, max_batches)} statement(s) to {config['lrs_endpoint']}")


@xapi_group.command("status")
@pass_ctx
def xapi_status(ctx):
    """Show where forwarding stands: statements sent, the last event acknowledged, the last problem.

    \b
    Example:
      kit --data /var/lib/kit-hub hub xapi status
    """
    open_for(ctx)
    for key, value in status().items():
        click.echo(f"{key}: {value}")
