"""`kit hub users scope|role` and `kit hub export-for`: remote teachers' reach, and their changes on a USB stick."""

import click

from kit.cli import pass_ctx


def _open(ctx):
    from . import open_hub  # deferred: start time

    return open_hub(ctx.data if ctx.typed else None)


@click.command("scope")
@click.argument("username")
@click.option("--kit", "kit", required=True, help="The kit (id or name) whose classes they follow.")
@click.option("--class", "class_name", default=None, help="Only this class of the kit (name or id).")
@click.option("--remove", is_flag=True, help="Take this kit or class away from them instead.")
@pass_ctx
def scope(ctx, username, kit, class_name, remove):
    """Let a remote teacher follow a kit's classes, or one class (--remove takes it away).

    \b
    Example:
      kit --data /var/lib/kit-hub hub users scope juma --kit "Truck 1" --class "Morning class"
    """
    from .scopes import add_scope, remove_scope  # deferred: start time

    _open(ctx)
    if remove:
        remove_scope(username, kit, class_name)
        click.echo(f"{username} no longer follows {kit}" + (f", class {class_name}" if class_name else ""))
    else:
        click.echo(f"{username} now follows {add_scope(username, kit, class_name)}")


@click.command("role")
@click.argument("username")
@click.argument("role", type=click.Choice(["manager", "remote-teacher"]))
@pass_ctx
def role(ctx, username, role):
    """Make an account a programme manager (sees everything) or a remote teacher (sees their scope).

    \b
    Example:
      kit --data /var/lib/kit-hub hub users role juma remote-teacher
    """
    from .scopes import set_role  # deferred: start time

    _open(ctx)
    set_role(username, role)
    click.echo(f"hub account {username} is now a {role}")


@click.command("export-for")
@click.argument("kit")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Bundle file to write.")
@pass_ctx
def export_for(ctx, kit, out):
    """Write a kit's pending changes from remote teachers, and its receipt, to a signed file for a USB stick.

    On the kit, `kit sync import FILE` applies it.

    \b
    Example:
      kit --data /var/lib/kit-hub hub export-for "Truck 1" --out /media/usb/truck1.kitchanges
    """
    from .export_for import export_for as run  # deferred: start time

    _open(ctx)
    info = run(kit, out)
    click.echo(
        f"wrote {out} for kit {info['kit']}: {info['changes']} change(s) after change {info['after']}, "
        f"and the receipt for events up to {info['ack']}"
    )
