"""Sync plugs into the kit one way only, and every `kit sync`/`kit hub` command shows an example."""

import re
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parents[2]


def test_kit_never_imports_sync():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "kit").rglob("*.py")
                 if re.search(r"^\s*(from sync\b|import sync\b)", p.read_text(encoding="utf-8"), re.M)]
    assert offenders == []


def _commands(group, prefix):
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")


def test_every_sync_and_hub_command_ends_its_help_with_an_example():
    from sync.cli import sync_group
    from sync.hub.cli import hub_group

    for name, command in [*_commands(sync_group, "kit sync"), *_commands(hub_group, "kit hub")]:
        assert "Example:" in (command.help or ""), name
        assert "\b" in command.help, name


def test_modules_stay_small():
    big = [str(p.relative_to(ROOT)) for p in (ROOT / "sync").rglob("*.py")
           if len(p.read_text(encoding="utf-8").splitlines()) > 400]
    assert big == []
