"""certificates commands: check a certificate's code against this kit's records and key."""

import click

from . import cli, pass_ctx


@cli.group()
def certificates():
    """Certificates this kit issued when learners passed a course.

    \b
    Example:
      kit certificates verify K7QM-3XPD-9TRR
    """


@certificates.command()
@click.argument("code")
@pass_ctx
def verify(ctx, code):
    """Check CODE: valid, revoked, not valid (records altered) or unknown to this kit.

    Exits 0 only for a valid certificate (1 for revoked, not valid or unknown), so a
    script can rely on it.

    \b
    Example:
      kit certificates verify K7QM-3XPD-9TRR
    """
    from ..courses.certificates import check  # deferred: start time

    ctx.open()
    verdict = check(code)
    click.echo(f"{verdict.code}: {verdict.status}")
    if verdict.document:
        doc = verdict.document
        click.echo(f"  name: {verdict.holder_name}")
        click.echo(f"  course: {doc['title']} ({doc['course']} {doc['pack_version']})")
        click.echo(f"  score: {doc['score_pct']} %   credit hours: {doc['credit_hours']}")
        click.echo(f"  site: {doc['site']}   issued: {doc['issued_at']}")
    if verdict.reason:
        click.echo(f"  reason: {verdict.reason}")
    if verdict.status != "valid":
        raise SystemExit(1)
