"""`kit hub certificates …`: check and revoke certificates from a shell at headquarters,
as the Certificates page does (a manager on a server without a browser, or a script)."""

import getpass

import click

from kit.cli import pass_ctx

from .certificates import lookup, revoke
from .cli_common import open_for


@click.group("certificates")
def certificates_group():
    """The certificates the kits issued: check one, revoke one.

    \b
    Example:
      kit --data /var/lib/kit-hub hub certificates show K7QM-3XPD-9TRR
    """


@certificates_group.command("show")
@click.argument("code")
@pass_ctx
def certificates_show(ctx, code):
    """Say whether a certificate is valid, revoked or unknown here (exit 1 unless valid).

    \b
    Example:
      kit --data /var/lib/kit-hub hub certificates show K7QM-3XPD-9TRR
    """
    open_for(ctx)
    answer = lookup(code)
    unknown = (
        " at this hub (not issued, or its kit has not synced yet)" if answer["status"] == "unknown" else ""
    )
    click.echo(f"{answer['code']}: {answer['status']}{unknown}")
    for key in ("name", "course", "site", "date", "reason"):
        if answer.get(key):
            click.echo(f"  {key}: {answer[key]}")
    if answer["status"] != "valid":
        raise SystemExit(1)


@certificates_group.command("revoke")
@click.argument("code")
@click.option("--reason", required=True, help="Why, in a sentence: the kit and /verify show it.")
@pass_ctx
def certificates_revoke(ctx, code, reason):
    """Revoke a certificate; its kit learns it on its next sync (or USB receipt).

    \b
    Example:
      kit --data /var/lib/kit-hub hub certificates revoke K7QM-3XPD-9TRR --reason "exam taken by someone else"
    """
    open_for(ctx)
    done = revoke(code, reason, f"{getpass.getuser()} (command line)")
    click.echo(f"{done}: revoked; its kit learns it on its next sync")
