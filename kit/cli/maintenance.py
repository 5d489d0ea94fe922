"""Keeping a kit healthy: demo, backup, restore, doctor."""

import json as jsonlib
import sys

import click

from . import cli, pass_ctx


@cli.command()
@click.option(
    "--packs",
    type=click.Path(exists=True, file_okay=False),
    default=None,
    help="Folder of pack source folders (default: the repository's content_packs/).",
)
@pass_ctx
def demo(ctx, packs):
    """Fill the data folder with a demo: sample packs, a class, a teacher and an admin.

    Safe to run again: existing things are kept and the demo passwords are printed again.

    \b
    Example:
      kit --data ./demo-data demo && kit --data ./demo-data serve
    """
    from ..demo import SAMPLE_PACKS, demo_summary, make_demo  # deferred: start time

    config = ctx.open()
    credentials = make_demo(config, packs_root=packs or SAMPLE_PACKS, say=click.echo)
    for line in demo_summary(credentials):
        click.echo(line)


@cli.command("backup")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="Backup file to write (.tar).")
@click.option("--without-packs", is_flag=True, help="Leave the pack files out (only their list is kept).")
@pass_ctx
def backup_command(ctx, out, without_packs):
    """Write a consistent backup while the kit keeps serving.

    The backup holds the kit's secret key (it signs sessions and learner tokens), the
    teachers' password hashes and every learner's records: it is written mode 600 (only
    this account can read it). Keep the stick as safe as the kit itself.

    \b
    Example:
      kit --data /var/lib/classroom-kit backup --out /media/usb/kit-backup.tar
    """
    from ..backup import backup  # deferred: start time

    config = ctx.open()
    description = backup(config, out, with_packs=not without_packs)
    click.echo(
        f"backed up kit {description['kit_uuid']} ({description['site']}) to {out}: "
        f"database and {len(description['packs'])} pack(s)"
        + ("" if not without_packs else " listed, not included")
    )


@cli.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace an existing kit (it is moved to DATA/replaced-…).")
@pass_ctx
def restore_command(ctx, path, force):
    """Restore a backup made by `kit backup` into the data folder. Stop `kit serve` first.

    \b
    Example:
      kit --data /var/lib/classroom-kit restore /media/usb/kit-backup.tar --force
    """
    from ..backup import restore  # deferred: start time

    config = ctx.open()
    description = restore(config, path, force=force)
    click.echo(
        f"restored kit {description['kit_uuid']} ({description['site']}) from {description['created']}"
    )
    if not description.get("packs_included"):
        for pack in description["packs"]:
            click.echo(f"pack files not in the backup: import {pack['id']} {pack['version']} again")


@cli.command()
@click.option("--quick", is_flag=True, help="Check pack file sizes only, not their SHA-256.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def doctor(ctx, quick, as_json):
    """Check disk space, the database, the packs' files and the clock; exit 1 if any fails.

    \b
    Example:
      kit --data /var/lib/classroom-kit doctor || echo "see above"
    """

    from ..datafolder import open_data  # deferred: start time
    from ..doctor import run_checks  # deferred: start time

    config = open_data(ctx.data, run_migrations=False)  # a damaged database must still be examined
    result = run_checks(config, quick=quick)
    if as_json:
        click.echo(jsonlib.dumps(result, indent=1))
    else:
        for finding in result["findings"]:
            click.echo(f"{finding['status']:<5} {finding['check']:<9} {finding['message']}")
    if not result["ok"]:
        sys.exit(1)


@cli.command("settings")
@click.option("--markdown", is_flag=True, help="Print the reference table of every setting instead.")
@pass_ctx
def settings_command(ctx, markdown):
    """Show this kit's effective settings (secrets hidden), or the reference table.

    Settings come from defaults, DATA/settings.toml, then KIT_<NAME> variables.

    \b
    Example:
      kit --data /var/lib/classroom-kit settings
    """
    from ..settings import KIT  # deferred: start time

    print_settings(KIT, ctx.data, markdown)


def print_settings(registry, data, markdown):
    """Print a registry's reference tables, or the values in force for a data folder."""
    if markdown:
        click.echo(registry.markdown())
        return
    values = registry.load(data)
    for name in registry.by_name():
        value = values[name]
        if ("secret" in name or "passphrase" in name) and value:
            value = "(set, hidden)"
        elif isinstance(value, str):
            value = hide_password(value)
        click.echo(f"{name} = {value!r}")


def hide_password(url):
    """Hide the password in a URL (postgresql://user:secret@host/db) before printing it."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':')[0]}:***@{host}" if ":" in creds else url
    return url
