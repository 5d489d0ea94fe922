"""People commands: `kit users add|list` for teachers and admins, `kit learners import`."""

import json
import sys

import click

from ..errors import KitError
from . import cli, pass_ctx


@cli.group()
def users():
    """Teachers and admins who sign in at /teach.

    \b
    Example:
      kit users add amina --role teacher --name "Amina Diallo"
    """


@users.command("add")
@click.argument("username")
@click.option(
    "--role",
    type=click.Choice(["teacher", "admin"]),
    required=True,
    help="teacher: classes and progress; admin: also users, packs, kit status.",
)
@click.option("--name", "display_name", default="", help="Name shown on pages (default: USERNAME).")
@click.option(
    "--password", default=None, help="The password (visible in the shell history: prefer the prompt)."
)
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@pass_ctx
def users_add(ctx, username, role, display_name, password, password_stdin):
    """Add a teacher or an admin; asks for the password unless given.

    \b
    Example:
      kit users add amina --role teacher --name "Amina Diallo"
      echo 's3cret-pass' | kit users add ops --role admin --password-stdin
    """
    from ..users import create_user  # deferred: start time

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    ctx.open()
    user = create_user(username, role, password, display_name)
    click.echo(f"added {user.role} {user.username} ({user.display_name})")


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_ctx
def users_list(ctx, as_json):
    """List teachers and admins.

    \b
    Example:
      kit users list --json
    """
    from ..users import list_users  # deferred: start time

    ctx.open()
    rows = [
        {"username": u.username, "name": u.display_name, "role": u.role, "active": u.active}
        for u in list_users()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        state = "" if row["active"] else "  (deactivated)"
        click.echo(f"{row['username']:<20} {row['role']:<8} {row['name']}{state}")
    if not rows:
        click.echo("no users yet: kit users add NAME --role admin")


@cli.group()
def learners():
    """Learners and their classes.

    \b
    Example:
      kit learners import roster.csv --class "Morning class" --dry-run
    """


@learners.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--class", "class_name", required=True, help="Class to import into; made if it does not exist.")
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option(
    "--skip-bad-lines", is_flag=True, help="Import the good lines even when some lines have errors."
)
@pass_ctx
def learners_import(ctx, file, class_name, dry_run, skip_bad_lines):
    """Add and update a class's learners from a CSV file; never removes anyone.

    The first line names the columns: name (required), avatar, colour,
    picture_password (two pictures, e.g. sun+moon), language. A file with a bad
    line changes nothing unless --skip-bad-lines is given.

    \b
    Example:
      kit learners import roster.csv --class "Morning class" --dry-run
      kit learners import roster.csv --class "Morning class"
    """
    from ..roster import apply_import, plan_import  # deferred: start time

    ctx.open()
    with open(file, "rb") as handle:
        plan = plan_import(handle.read(), class_name)
    for line, message in plan.errors:
        click.echo(f"{file}:{line}: {message}", err=True)
    add, update = ("would be added", "would be updated") if dry_run else ("to add", "to update")
    click.echo(
        f"class {plan.class_name}{'' if plan.class_exists else ' (new)'}: "
        f"{plan.count('add')} {add}, {plan.count('update')} {update}, "
        f"{plan.count('unchanged')} unchanged"
    )
    if plan.errors and not skip_bad_lines:
        raise KitError(
            f"{len(plan.errors)} line(s) with errors; nothing imported (fix them, or use --skip-bad-lines)"
        )
    if dry_run:
        return
    result = apply_import(plan)
    click.echo(f"imported: {result['added']} added, {result['updated']} updated")
