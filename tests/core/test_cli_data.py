"""`--data` in either place: `kit --data DIR serve` and `kit serve --data DIR`, as people type it."""

import os
import signal
import subprocess

import click
import pytest

from tests.conftest import KIT, ROOT, free_port, run_kit, wait_http

# Commands that never open a data folder, so take no --data of their own.
NO_DATA_FOLDER = {"pack build"}


def _leaf_commands():
    from kit.cli import _load_commands, cli

    _load_commands()

    def walk(group, path):
        for name, command in sorted(group.commands.items()):
            if isinstance(command, click.Group):
                yield from walk(command, path + [name])
            else:
                yield " ".join(path + [name]), command

    return list(walk(cli, []))


@pytest.mark.parametrize("name, command", _leaf_commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_that_uses_the_data_folder_takes_data_after_it(name, command):
    options = {opt for param in command.params for opt in param.opts}
    if name in NO_DATA_FOLDER:
        assert "--data" not in options, f"kit {name} takes --data it never uses"
    else:
        assert "--data" in options, f"`kit {name} --data DIR` would fail with 'No such option'"


def _init(folder, site):
    run_kit(folder, "init", "--site", site)


def _site(*args, env_data):
    """Return the site `kit identity show` reports, with $KIT_DATA set to env_data."""
    out = run_kit(env_data, *args).stdout
    return next(line.removeprefix("site ") for line in out.splitlines() if line.startswith("site "))


def test_data_after_the_command_creates_and_reads_that_folder(tmp_path):
    before, after, elsewhere = tmp_path / "before", tmp_path / "after", tmp_path / "env"
    run_kit(elsewhere, "init", "--site", "Env School", "--data", after)
    assert (after / "kit.db").exists() and not elsewhere.exists()
    run_kit(elsewhere, "--data", before, "init", "--site", "Before School")
    assert _site("identity", "show", "--data", after, env_data=elsewhere) == "Env School"
    assert _site("--data", before, "identity", "show", env_data=elsewhere) == "Before School"
    listed = run_kit(elsewhere, "pack", "list", "--data", after)  # a sub-command of a group
    assert listed.returncode == 0 and not elsewhere.exists()


def test_the_same_folder_in_both_places_is_fine(tmp_path):
    folder = tmp_path / "kit"
    _init(folder, "Same School")
    spelled_otherwise = tmp_path / "kit" / ".." / "kit"
    assert (
        _site("--data", folder, "identity", "show", "--data", spelled_otherwise, env_data=tmp_path / "unused")
        == "Same School"
    )


def test_two_different_folders_are_refused_and_nothing_is_made(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    result = run_kit(tmp_path / "env", "--data", first, "init", "--site", "X", "--data", second, check=False)
    assert result.returncode == 2
    assert (
        f"--data given twice with two folders: {first} before the command and {second} "
        f"after it; give it once, before or after `kit init`"
    ) in result.stderr
    assert not first.exists() and not second.exists() and not (tmp_path / "env").exists()


def test_serve_with_data_after_the_command_serves_that_folder(tmp_path):
    """The issue's own words: `kit serve --data DIR` failed with "No such option"."""
    served, elsewhere = tmp_path / "served", tmp_path / "env"
    _init(served, "Served School")
    _init(elsewhere, "Env School")
    port = free_port()
    env = {**os.environ, "KIT_DATA": str(elsewhere)}
    process = subprocess.Popen(
        [*KIT, "serve", "--data", str(served), "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        health = wait_http(f"http://127.0.0.1:{port}/healthz", process=process).json()
        assert health["site"] == "Served School"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
