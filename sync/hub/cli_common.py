"""What every `kit hub …` command module needs: the data folder it was given, and the hub opened there."""

from . import open_hub


def data_for(ctx):
    """The folder typed with --data, else None: the hub reads $KIT_HUB_DATA itself
    ($KIT_DATA, which click put in ctx.data, only with a warning: it names the kit's)."""
    return ctx.data if ctx.typed else None


def open_for(ctx, database_url=None):
    """Open the hub for a command (settings, database, migrations); return its config."""
    return open_hub(data_for(ctx), database_url)
