"""Keeping a kit healthy: demo, backup, restore, doctor."""

import click

from . import cli, pass_ctx


@cli.command()
@click.option("--packs", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder of pack source folders (default: the repository's content_packs/).")
@pass_ctx
def demo(ctx, packs):
    """Fill the data folder with a demo: sample packs, a class, a teacher and an admin.

    Safe to run again: existing things are kept and the demo passwords are printed again.

    \b
    Example:
      kit --data ./demo-data demo && kit --data ./demo-data serve
    """
    from ..demo import SAMPLE_PACKS, demo_summary, make_demo

    config = ctx.open()
    credentials = make_demo(config, packs_root=packs or SAMPLE_PACKS, say=click.echo)
    for line in demo_summary(credentials):
        click.echo(line)
