"""`kit hub …`: set up and run the hub, its accounts, enrol codes, bundles and packs."""

import sys

import click

from kit.cli import main as kit_main
from kit.cli import pass_ctx
from kit.cli.maintenance import hide_password, print_settings
from kit.errors import KitError

from . import cli_certificates, cli_data, cli_remote
from .cli_common import data_for, open_for

DB_OPTION = click.option(
    "--database",
    "database_url",
    default=None,
    help="postgresql://user@host/db (default: hub.db in the data folder).",
)


@click.group("hub")
def hub_group():
    """Run the programme's hub: kits send it their records; managers read its pages.

    \b
    Example:
      kit --data /var/lib/kit-hub hub init
      kit --data /var/lib/kit-hub hub serve --port 8090
    """


@hub_group.command("settings")
@click.option("--markdown", is_flag=True, help="Print the reference table of every hub setting instead.")
@pass_ctx
def settings_command(ctx, markdown):
    """Show the hub's effective settings (passwords hidden), or the reference table.

    Settings come from defaults, DATA/settings.toml, then KIT_HUB_<NAME> variables.

    \b
    Example:
      kit --data /var/lib/kit-hub hub settings
    """
    from .settings import HUB  # deferred: start time

    print_settings(HUB, data_for(ctx), markdown)


@hub_group.command()
@DB_OPTION
@pass_ctx
def init(ctx, database_url):
    """Create the hub's data folder and database (safe to run again).

    \b
    Example:
      kit --data /var/lib/kit-hub hub init --database postgresql://hub@localhost/hub
    """
    config = open_for(ctx, database_url)
    click.echo(f"hub ready in {config['data']} (database {hide_password(config['database'])})")


@hub_group.command()
@click.option("--host", default=None, help="Address to listen on (default 0.0.0.0).")
@click.option("--port", default=None, type=int, help="Port (default 8090).")
@click.option(
    "--workers",
    default=None,
    type=int,
    help="Worker processes on PostgreSQL, each on its own CPU (default 0: one per "
    "CPU); a hub on SQLite serves from one.",
)
@DB_OPTION
@pass_ctx
def serve(ctx, host, port, workers, database_url):
    """Serve the hub with waitress (put TLS in front of it: a reverse proxy).

    \b
    Example:
      kit --data /var/lib/kit-hub hub serve --database postgresql://hub@localhost/hub --workers 4
    """
    from .serving import serve_hub  # deferred: start time

    serve_hub(data_for(ctx), host=host, port=port, database_url=database_url, workers=workers)


@hub_group.group()
def users():
    """Manage the hub's own accounts (programme managers, admins).

    \b
    Example:
      kit hub users add amina
    """


def _read_password(from_stdin):
    """Return a new password: one line of standard input, or asked twice at the terminal."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("password", hide_input=True, confirmation_prompt=True)


@users.command("add")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option(
    "--role",
    type=click.Choice(["manager", "remote-teacher"]),
    default="manager",
    show_default=True,
    help="A manager sees every kit; a remote teacher only what `users scope` gives them.",
)
@pass_ctx
def users_add(ctx, username, password_stdin, role):
    """Add a hub account; asks for the password twice.

    \b
    Example:
      kit --data /var/lib/kit-hub hub users add amina
      kit --data /var/lib/kit-hub hub users add juma --role remote-teacher
    """
    from .accounts import add_user  # deferred: start time

    open_for(ctx)
    add_user(username, _read_password(password_stdin), role)
    click.echo(f"hub account {username} added ({role})")


@users.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_ctx
def users_password(ctx, username, password_stdin):
    """Give a hub account a new password; its sign-ins end at once.

    \b
    Example:
      kit --data /var/lib/kit-hub hub users password amina
    """
    from .accounts import set_password  # deferred: start time

    open_for(ctx)
    set_password(username, _read_password(password_stdin))
    click.echo(f"hub account {username}: new password; every sign-in of it has ended")


@users.command("deactivate")
@click.argument("username")
@pass_ctx
def users_deactivate(ctx, username):
    """Switch a hub account off; its sign-ins end at once (`activate` switches it on).

    \b
    Example:
      kit --data /var/lib/kit-hub hub users deactivate amina
    """
    from .accounts import set_active  # deferred: start time

    open_for(ctx)
    set_active(username, False)
    click.echo(f"hub account {username} deactivated; every sign-in of it has ended")


@users.command("activate")
@click.argument("username")
@pass_ctx
def users_activate(ctx, username):
    """Switch a deactivated hub account on again (it signs in afresh).

    \b
    Example:
      kit --data /var/lib/kit-hub hub users activate amina
    """
    from .accounts import set_active  # deferred: start time

    open_for(ctx)
    set_active(username, True)
    click.echo(f"hub account {username} activated")


@hub_group.command("enroll-code")
@click.option(
    "--name", default=None, help='What to call the kit at the hub, e.g. "Truck 1" (needed for a new kit).'
)
@click.option(
    "--kit", "kit", default=None, help="Re-enrol this kit (id or name) instead: the code works for it alone."
)
@click.option("--ttl", default=None, type=int, help="Seconds the code stays valid (default 2 days).")
@pass_ctx
def enroll_code(ctx, name, kit, ttl):
    """Make a one-time enrol code for a new kit, or one kit's re-enrolment; give it to the field staff.

    A code for a new kit never enrols a kit the hub already knows; a code made with
    --kit re-enrols that kit only (a new secret, after a lost data folder). A revoked
    kit stays revoked: no code is made for it.

    \b
    Example:
      kit --data /var/lib/kit-hub hub enroll-code --name "Truck 1"
      kit --data /var/lib/kit-hub hub enroll-code --kit "Truck 1"
    """
    from .enrol import find_kit, new_code  # deferred: start time

    config = open_for(ctx)
    if not name and not kit:
        raise KitError("give --name for a new kit, or --kit for a kit to re-enrol")
    ttl = ttl or config["enroll_code_ttl_s"]
    code = new_code(name, ttl, kit=kit)
    click.echo(code)
    what = f"re-enrolling kit {find_kit(kit).kit_id} only" if kit else f"a new kit called {name!r}"
    click.echo(
        f"one-time code for {what}, valid {ttl // 3600} h: kit sync enroll --hub URL --code {code}", err=True
    )


@hub_group.command("revoke")
@click.argument("kit")
@pass_ctx
def revoke_cmd(ctx, kit):
    """Refuse every further request from a kit (by id or name); its records stay.

    \b
    Example:
      kit --data /var/lib/kit-hub hub revoke "Truck 1"
    """
    from .enrol import revoke  # deferred: start time

    open_for(ctx)
    revoke(kit)
    click.echo(f"kit {kit} revoked; it must be enrolled again with a new code")


@hub_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--receipt",
    default=None,
    type=click.Path(dir_okay=False),
    help="Where to write the receipt (default FILE.receipt).",
)
@pass_ctx
def import_cmd(ctx, file, receipt):
    """Import a kit's USB bundle, idempotently, and write its receipt.

    The whole bundle is checked first, then stored at once, or nothing is. An event this
    hub cannot store is set aside and listed (its id and why); the rest is stored.

    \b
    Example:
      kit --data /var/lib/kit-hub hub import /media/usb/truck3.kitbundle
    """
    from .bundles import import_bundle, write_receipt  # deferred: start time

    config = open_for(ctx)
    document = import_bundle(file, config)
    out = write_receipt(document, receipt or f"{file}.receipt")
    click.echo(
        f"imported {document['events_stored']} new event(s) from kit {document['kit']}; "
        f"receipt written to {out} (carry it back: kit sync import-receipt {out.name})"
    )
    if document["set_aside"]:
        click.echo(
            f"set aside {len(document['set_aside'])} event(s) this hub cannot store "
            "(the rest is stored; the receipt tells the kit):"
        )
        for item in document["set_aside"]:
            click.echo(f"  event {item['uuid']} (seq {item['seq']}): {item['reason']}")


@hub_group.group()
def pack():
    """The hub's catalogue of content packs, which kits download as they sync.

    \b
    Example:
      kit hub pack publish numeracy-1.2.0.kitpack
    """


@pack.command("publish")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_ctx
def pack_publish(ctx, file):
    """Check a .kitpack and offer it to every kit.

    \b
    Example:
      kit --data /var/lib/kit-hub hub pack publish numeracy-1.2.0.kitpack
    """
    from .catalogue import publish  # deferred: start time

    config = open_for(ctx)
    row = publish(file, config)
    click.echo(f"published {row.pack_id} {row.version} ({row.size} bytes, sha256 {row.sha256[:12]}…)")


@hub_group.command("kits")
@pass_ctx
def kits_cmd(ctx):
    """List enrolled kits: last contact, events received, clock offset, version.

    \b
    Example:
      kit --data /var/lib/kit-hub hub kits
    """
    from .reports import kits  # deferred: start time

    open_for(ctx)
    for row in kits():
        click.echo(
            "\t".join(
                str(row[k])
                for k in (
                    "name",
                    "kit_id",
                    "status",
                    "last_contact",
                    "events_received",
                    "clock_offset",
                    "version",
                )
            )
        )


users.add_command(cli_remote.scope)
users.add_command(cli_remote.role)
hub_group.add_command(cli_remote.export_for)
hub_group.add_command(cli_data.reports_group)
hub_group.add_command(cli_data.xapi_group)
hub_group.add_command(cli_certificates.certificates_group)

GLOBAL_FLAGS = {"-v", "--verbose", "--version"}


def main(argv=None):
    """`kit-hub ARGS`: the hub's own command on a headquarters server, the same as `kit hub ARGS`.

    The kit's global options (--data, -v) may come first, as with `kit`; they are put
    before `hub` so `kit-hub --data DIR serve` means `kit --data DIR hub serve`.
    """
    args, leading = list(sys.argv[1:] if argv is None else argv), []
    while args and (args[0] in GLOBAL_FLAGS or args[0] == "--data" or args[0].startswith("--data=")):
        leading.append(args.pop(0))
        if leading[-1] == "--data" and args:
            leading.append(args.pop(0))
    kit_main([*leading, "hub", *args])
