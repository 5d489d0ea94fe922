"""`kit sync …`: enrol with a hub, sync now, see status, carry records on a USB stick."""

import json
import time

import click

from kit import settings
from kit.cli import pass_ctx
from kit.errors import KitError


@click.group("sync")
def sync_group():
    """Send learning records to the programme's hub, online or on a USB stick.

    \b
    Example:
      kit sync enroll --hub https://hub.example.org --code ABCD-EFGH-JKMN
      kit sync status
    """


@sync_group.command()
@click.option("--hub", "hub_url", required=True, help="The hub's address, https://…")
@click.option("--code", required=True, help="The one-time enrol code from the hub admin.")
@pass_ctx
def enroll(ctx, hub_url, code):
    """Enrol this kit with a hub using a one-time code.

    \b
    Example:
      kit sync enroll --hub https://hub.example.org --code ABCD-EFGH-JKMN
    """
    from .enrolment import enroll as run  # deferred: start time

    config = ctx.open()
    name = run(config, hub_url, code)
    click.echo(f"enrolled with {hub_url} as {name!r}; records will sync when the hub is in reach")


@sync_group.command()
@click.option("--wait", default=60, show_default=True, help="Seconds to wait if the agent is mid-cycle.")
@pass_ctx
def now(ctx, wait):
    """Sync at once (waits for a running agent's cycle to finish first).

    \b
    Example:
      kit sync now
    """
    from .scheduler import run_locked  # deferred: start time

    config = ctx.open()
    deadline = time.monotonic() + wait
    result = run_locked(config, force=True)
    while result is None and time.monotonic() < deadline:
        time.sleep(0.5)
        result = run_locked(config, force=True)
    if result is None:
        raise KitError(f"another sync agent is still busy after {wait} s; try again later")
    click.echo(result)
    if result.startswith(("failed", "crashed", "not enrolled")):
        raise SystemExit(1)


@sync_group.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@pass_ctx
def status(ctx, as_json):
    """Show the hub, last attempt and success, events waiting and the last error.

    \b
    Example:
      kit sync status --json
    """
    from .status import lines  # deferred: start time
    from .status import status as read  # deferred: start time

    ctx.open()
    info = read()
    click.echo(json.dumps(info, indent=1) if as_json else "\n".join(lines(info)))


@sync_group.command()
@pass_ctx
def poke(ctx):
    """Wake the running agent so it syncs within seconds (for NetworkManager's dispatcher).

    Safe to run at any time: does nothing when the kit is not enrolled or no agent runs,
    and never opens the database.

    \b
    Example:
      kit sync poke
    """
    from .poke import poke as run  # deferred: start time

    click.echo(run(settings.load(ctx.data)["data"]))


@sync_group.command()
@pass_ctx
def agent(ctx):
    """Run the sync agent in the foreground (for its own systemd unit; set sync_agent = "off").

    \b
    Example:
      kit sync agent
    """
    from .scheduler import run_foreground  # deferred: start time

    config = ctx.open()
    click.echo(f"sync agent running for {config['data']} every {config['sync_interval_s']} s")
    run_foreground(config)


@sync_group.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Bundle file to write.")
@pass_ctx
def export_cmd(ctx, out):
    """Write everything the hub has not acknowledged to one signed bundle file.

    \b
    Example:
      kit sync export --out /media/usb/truck3.kitbundle
    """
    from .bundle import export_bundle  # deferred: start time

    config = ctx.open()
    info = export_bundle(config, out)
    click.echo(
        f"wrote {out}: {info['events']} event(s) (seq {info['after'] + 1}-{info['upto']}), "
        f"{info['records']} record(s), {info['bytes']} bytes"
    )


@sync_group.command("import-receipt")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_ctx
def import_receipt_cmd(ctx, file):
    """Apply the receipt the hub wrote for a bundle: the kit stops resending those records.

    \b
    Example:
      kit sync import-receipt /media/usb/truck3.kitbundle.receipt
    """
    from .bundle import import_receipt  # deferred: start time

    ctx.open()
    info = import_receipt(file)
    click.echo(
        f"receipt applied: the hub holds everything up to event {info['ack']}"
        + ("" if info["moved"] else " (already known; nothing changed)")
    )
    if info["set_aside"]:
        click.echo(f"{info['set_aside']} event(s) the hub could not store are set aside: see kit sync status")
    if info["revoked"]:
        click.echo(f"{info['revoked']} certificate(s) of this kit were revoked at the hub")


@sync_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_ctx
def import_cmd(ctx, file):
    """Apply a bundle from the hub (`kit hub export-for`): remote teachers' changes, and the receipt.

    \b
    Example:
      kit sync import /media/usb/truck1.kitchanges
    """
    from .downstream import import_changes  # deferred: start time

    ctx.open()
    info = import_changes(file)
    if info["applied"]:
        click.echo(f"applied {info['applied']} change(s) from the hub (now up to change {info['upto']})")
    else:
        click.echo(
            f"nothing new: the {info['in_bundle']} change(s) in this bundle were already applied "
            f"(this kit is up to change {info['upto']})"
        )
    if info["receipt"]:
        click.echo(f"receipt applied: the hub holds everything up to event {info['receipt']['ack']}")


@sync_group.command("retry-set-aside")
@pass_ctx
def retry_set_aside_cmd(ctx):
    """Send the events the hub once refused again (after the hub was fixed or upgraded).

    \b
    Example:
      kit sync retry-set-aside && kit sync now
    """
    from .agent import retry_set_aside  # deferred: start time

    ctx.open()
    count = retry_set_aside()
    click.echo(
        f"{count} set-aside event(s) will be sent at the next sync" if count else "no event is set aside"
    )
