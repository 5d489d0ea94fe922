"""Content commands: kit pack build | import | list | remove."""

import json

import click

from . import cli, pass_ctx


@cli.group()
def pack():
    """Build, install, list and remove content packs.

    \b
    Example:
      kit pack build content_packs/numeracy -o numeracy.kitpack
      kit pack import numeracy.kitpack
    """


@pack.command("build")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option(
    "-o",
    "--out",
    required=True,
    type=click.Path(dir_okay=False),
    help="Archive to write (conventionally NAME.kitpack).",
)
def build_command(folder, out):
    """Validate a pack's source folder and write its archive.

    Needs no data folder: authors can build anywhere.

    \b
    Example:
      kit pack build content_packs/first-steps -o first-steps.kitpack
    """
    from ..packs.archive import build  # deferred: start time

    manifest = build(folder, out)
    size = sum(item["size"] for item in manifest["files"])
    click.echo(
        f"built {out}: {manifest['id']} {manifest['version']}, "
        f"{len(manifest['lessons'])} lessons, {len(manifest['files'])} files, {size} bytes"
    )


@pack.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@pass_ctx
def import_command(ctx, files, quiet):
    """Verify pack archives and install them (a newer version replaces the old one).

    A bad pack is refused with the file and the problem, and nothing changes.

    \b
    Example:
      kit --data /var/lib/classroom-kit pack import /media/usb/numeracy-1.1.0.kitpack
    """
    from ..packs.install import import_pack  # deferred: start time

    config = ctx.open()
    for path in files:
        with _progress_bar(path, quiet) as progress:
            result = import_pack(path, config, progress=progress)
        click.echo(result.describe())


class _progress_bar:
    """Report unpacking every 10 %, only for packs worth waiting for (over 5 MB).

    Plain lines rather than a redrawn bar: they read the same in a terminal, a log
    file and the journal.
    """

    def __init__(self, path, quiet):
        self.label, self.quiet, self.shown = f"unpacking {path}", quiet, -1

    def __enter__(self):
        return self.update

    def update(self, done, total):
        if self.quiet or total < 5 * 1024 * 1024:
            return
        step = done * 10 // total
        if step > self.shown:
            self.shown = step
            click.echo(f"{self.label}: {step * 10}%", err=True)

    def __exit__(self, *exc):
        return False


@pack.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_ctx
def list_command(ctx, as_json):
    """List installed packs.

    \b
    Example:
      kit pack list --json
    """
    from ..models import Pack  # deferred: start time

    ctx.open()
    rows = [
        {
            "id": p.pack_id,
            "version": p.version,
            "title": p.title,
            "language": p.language,
            "lessons": p.lessons.count(),
            "files": p.file_count,
            "bytes": p.total_bytes,
        }
        for p in Pack.select().order_by(Pack.pack_id)
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=1, ensure_ascii=False))
        return
    if not rows:
        click.echo("no packs installed (kit pack import FILE.kitpack)")
    for row in rows:
        click.echo(
            f"{row['id']:<24} {row['version']:<10} {row['language']:<5} "
            f"{row['lessons']:>3} lessons  {row['title']}"
        )


@pack.command("remove")
@click.argument("pack_id")
@pass_ctx
def remove_command(ctx, pack_id):
    """Uninstall a pack. Learners' progress in it is kept, in case it comes back.

    \b
    Example:
      kit pack remove numeracy
    """
    from ..packs.install import remove_pack  # deferred: start time

    config = ctx.open()
    removed = remove_pack(pack_id, config)
    click.echo(f"removed {pack_id}" + (f" and {removed} assignment(s)" if removed else ""))
