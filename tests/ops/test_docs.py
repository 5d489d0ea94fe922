"""Docs that must not drift from the code: settings, commands and their examples."""

import subprocess
import sys
from pathlib import Path

import click
import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "command, sections",
    [
        (["settings"], ["### The kit", "### The sync agent (on the kit)"]),
        (["hub", "settings"], ["### The hub (`kit hub …`)"]),
    ],
)
def test_every_setting_is_documented_exactly(command, sections):
    tables = subprocess.run(
        [sys.executable, "-m", "kit", *command, "--markdown"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout.strip()
    doc = (ROOT / "docs" / "configuration.md").read_text()
    assert tables in doc, f"docs/configuration.md is stale: paste in `kit {' '.join(command)} --markdown`"
    assert [line for line in tables.splitlines() if line.startswith("### ")] == sections


def _commands():
    from kit.cli import _load_commands, cli

    _load_commands()

    def walk(group, path):
        for name, command in sorted(group.commands.items()):
            yield path + [name], command
            if isinstance(command, click.Group):
                yield from walk(command, path + [name])

    return list(walk(cli, []))


@pytest.mark.parametrize(
    "path, command", _commands(), ids=lambda v: " ".join(v) if isinstance(v, list) else ""
)
def test_every_command_help_ends_with_an_example(path, command):
    help_text = (command.help or "").strip()
    assert "Example:" in help_text, f"kit {' '.join(path)}: help has no Example"
    example = help_text.split("Example:")[-1].strip()
    assert example.startswith("kit ") or " kit " in example, f"kit {' '.join(path)}: example does not run kit"


def test_kit_help_lists_every_command_the_issue_names():
    out = subprocess.run(
        [sys.executable, "-m", "kit", "--help"], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    for name in (
        "init",
        "serve",
        "migrate",
        "pack",
        "users",
        "learners",
        "backup",
        "restore",
        "doctor",
        "progress",
    ):
        assert f"  {name} " in out, name


def test_kit_identity_alone_shows_the_identity_as_help_says(initialised, kit):
    """`kit --help` says `identity` shows the identity: `kit identity` alone must, not print help."""
    listed = kit("--help").stdout
    assert "identity" in listed and "Show the kit's identity" in listed
    alone, shown = kit("identity").stdout, kit("identity", "show").stdout
    assert alone == shown and alone.startswith("kit ") and "\nsite " in alone
    assert "Usage:" not in alone
