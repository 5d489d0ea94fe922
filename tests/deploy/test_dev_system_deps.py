"""The README's `./dev/test` on a fresh Debian: dev/system-deps finds the system tools the
tests drive, installs the missing ones with apt-get, or stops before running anything
with the one command that installs them.

The fresh machine is a copy of the cached debootstrap Bookworm root (tests/deploy/rootfs.py):
it has Python and systemd but no Chromium, npm, ffmpeg, PostgreSQL, shellcheck... The
expected list comes from the root's own package database, not from the script.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import rootfs

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CLONE = "/opt/classroom-kit"  # where the "git clone" sits in the fresh root
DEV_SCRIPTS = ["dev/test", "dev/run", "dev/system-deps", ".ci/run"]


def test_every_dev_script_is_listed_and_passes_shellcheck():
    found = sorted(
        str(p.relative_to(ROOT))
        for folder in ("dev", ".ci")
        for p in (ROOT / folder).iterdir()
        if p.is_file() and p.read_bytes()[:9] == b"#!/bin/sh"
    )
    assert found == sorted(DEV_SCRIPTS)
    result = subprocess.run(
        ["shellcheck", "--severity=style", "--shell=sh", *(str(ROOT / s) for s in DEV_SCRIPTS)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
    for script in DEV_SCRIPTS:
        assert os.access(ROOT / script, os.X_OK), f"{script} is not executable"


def table():
    """Return dev/system-deps's table as (check, package, why) rows."""
    out = subprocess.run(
        [ROOT / "dev/system-deps", "--list"], capture_output=True, text=True, check=True
    ).stdout
    return [tuple(line.split(None, 2)) for line in out.splitlines()]


def test_every_table_row_names_a_check_a_package_and_why():
    rows = table()
    assert len(rows) >= 10 and all(len(row) == 3 for row in rows), rows


@pytest.fixture
def fresh(base_root, scratch_dir):
    """A fresh copy of the bare Bookworm root with the repository's dev scripts at CLONE."""
    with rootfs.Overlay(base_root, scratch_dir) as copy:
        clone = copy.merged / CLONE.lstrip("/")
        clone.mkdir(parents=True)
        shutil.copytree(ROOT / "dev", clone / "dev")
        for name in ("pyproject.toml", "README.md"):
            shutil.copy(ROOT / name, clone / name)
        yield copy


def missing_in(root):
    """Return the table's packages that the root's dpkg does not have installed."""
    packages = sorted({package for _, package, _ in table()})
    out = root.run("dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\\n", *packages, check=False).stdout
    installed = {line.split()[0] for line in out.splitlines() if line.endswith(" installed")}
    return set(packages) - installed


def the_one_command(stderr):
    """Return the command line the stop message gives (the line after "one command")."""
    lines = stderr.splitlines()
    at = next(i for i, line in enumerate(lines) if "one command" in line or "on Debian or Ubuntu" in line)
    return lines[at + 1].strip()


def listed_packages(text):
    """Return the packages listed one a line ("  package   why") under the line ending "):"."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.endswith("):")) + 1
    names = set()
    for line in lines[start:]:
        if not line.startswith("  "):
            break
        names.add(line.split()[0])
    return names


def test_fresh_root_has_none_of_the_browser_media_or_database_tools(fresh):
    """The premise: the copy really is a machine without the tools."""
    missing = missing_in(fresh)
    assert {"chromium", "npm", "ffmpeg", "postgresql", "shellcheck"} <= missing
    assert "python3-venv" not in missing  # debootstrap put it there: not asked for


@pytest.mark.parametrize(
    "how", [("--no-install",), ("env", "KIT_TEST_NO_INSTALL=1")], ids=["flag", "variable"]
)
def test_no_install_stops_before_anything_naming_the_tools_and_the_command(fresh, how):
    command = [f"{CLONE}/dev/test", "-x", "-q"]
    if how[0] == "env":
        command = ["env", how[1], *command]
    else:
        command = [*command, *how]
    result = fresh.run(*command, check=False)
    expected = missing_in(fresh)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(
        "dev/test: stopped before running anything: installing was "
        "switched off (--no-install or KIT_TEST_NO_INSTALL)."
    )
    assert listed_packages(result.stderr) == expected
    why = {package: reason for _, package, reason in table()}
    for package in expected:
        assert f"  {package:<18} {why[package]}" in result.stderr
    one = the_one_command(result.stderr)
    assert one.startswith("apt-get update && apt-get install -y ")  # root: no sudo needed
    assert set(one.split("install -y ", 1)[1].split()) == expected
    assert not (fresh.merged / CLONE.lstrip("/") / ".venv").exists()  # nothing ran


def test_dry_run_as_root_would_apt_get_exactly_the_missing_packages(fresh):
    result = fresh.run(f"{CLONE}/dev/system-deps", "--dry-run")
    expected = missing_in(fresh)
    lines = result.stdout.splitlines()
    assert lines[0] == (
        "dev/test: installing the system tools the tests drive "
        "(skip with --no-install or KIT_TEST_NO_INSTALL=1):"
    )
    assert listed_packages(result.stdout) == expected
    assert lines[-2] == "+ env DEBIAN_FRONTEND=noninteractive apt-get update -qq"
    prefix = "+ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
    assert lines[-1].startswith(prefix)
    assert set(lines[-1].removeprefix(prefix).split()) == expected
    assert result.returncode == 0


def test_not_root_and_no_sudo_stops_with_the_su_command(fresh):
    """No --no-install: it would install, but nobody without sudo cannot. With a user's
    PATH (no sbin), nftables still counts as there: nft is in /usr/sbin."""
    assert fresh.run("sh", "-c", "command -v sudo", check=False).stdout == ""  # no sudo here
    result = fresh.run(
        "env",
        "PATH=/usr/local/bin:/usr/bin:/bin",
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        f"{CLONE}/dev/test",
        check=False,
    )
    assert result.returncode == 1
    assert "stopped before running anything: installing needs root, and there is no sudo" in result.stderr
    expected = " ".join(sorted(missing_in(fresh)))
    assert the_one_command(result.stderr) == f"su -c 'apt-get update && apt-get install -y {expected}'"


def test_when_apt_get_cannot_reach_its_mirror_it_stops_with_the_command(fresh):
    """An offline machine: the mirror is a closed port on loopback. No test runs."""
    (fresh.merged / "etc/apt/sources.list").write_text("deb http://127.0.0.1:9/debian bookworm main\n")
    expected = missing_in(fresh)
    result = fresh.run(f"{CLONE}/dev/test", check=False, timeout=120)
    assert result.returncode == 1
    assert result.stdout.startswith("dev/test: installing the system tools the tests drive")
    assert "127.0.0.1" in result.stderr  # apt-get's own message, not hidden
    assert re.search(
        r"^dev/test: stopped before running anything: apt-get install "
        r"failed \(its message is above\)\.$",
        result.stderr,
        re.M,
    ), result.stderr
    assert the_one_command(result.stderr) == (
        "apt-get update && apt-get install -y " + " ".join(sorted(expected))
    )
    assert not (fresh.merged / CLONE.lstrip("/") / ".venv").exists()


@pytest.fixture(scope="session")
def sudo_deb():
    """Debian's sudo package, fetched once with apt-get into the cache beside the root."""
    folder = rootfs.CACHE / "debs"
    folder.mkdir(parents=True, exist_ok=True)
    if not list(folder.glob("sudo_*.deb")):
        subprocess.run(
            ["apt-get", "download", "sudo"], cwd=folder, check=True, capture_output=True, timeout=300
        )
    return sorted(folder.glob("sudo_*.deb"))[-1]


def test_a_user_with_sudo_is_told_the_sudo_command_and_would_run_apt_get_through_it(fresh, sudo_deb):
    fresh.run("dpkg", "-i", f"/src/debs/{sudo_deb.name}", binds=[f"{sudo_deb.parent}:/src/debs"])
    fresh.run("useradd", "--create-home", "ada")
    rule = fresh.merged / "etc/sudoers.d/ada"
    rule.write_text("ada ALL=(ALL) NOPASSWD: ALL\n")
    rule.chmod(0o440)
    as_ada = ["runuser", "-u", "ada", "--", "env", "PATH=/usr/local/bin:/usr/bin:/bin"]
    assert fresh.run(*as_ada, "sudo", "-n", "id", "-u").stdout == "0\n"  # sudo really works
    expected = missing_in(fresh)
    dry = fresh.run(*as_ada, f"{CLONE}/dev/system-deps", "--dry-run").stdout.splitlines()
    assert dry[-2] == "+ sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq"
    prefix = "+ sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "
    assert dry[-1].startswith(prefix) and set(dry[-1].removeprefix(prefix).split()) == expected
    stopped = fresh.run(*as_ada, f"{CLONE}/dev/test", "--no-install", check=False)
    assert stopped.returncode == 1
    assert the_one_command(stopped.stderr) == (
        "sudo apt-get update && sudo apt-get install -y " + " ".join(sorted(expected))
    )


def test_not_debian_stops_and_names_the_debian_packages(fresh):
    (fresh.merged / "etc/debian_version").unlink()  # what tells a Debian-family system
    result = fresh.run(f"{CLONE}/dev/system-deps", check=False)
    assert result.returncode == 1
    assert "this is not a Debian-family system (no apt-get), so it cannot install them" in result.stderr
    assert listed_packages(result.stderr) == missing_in(fresh)
    assert the_one_command(result.stderr).startswith("sudo apt-get update && sudo apt-get install -y ")


def test_this_machine_has_everything_so_the_check_is_silent():
    """Here (after dev/test installed them) nothing is missing: no output, exit 0."""
    result = subprocess.run([ROOT / "dev/system-deps", "--no-install"], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_an_unknown_option_is_refused():
    result = subprocess.run([ROOT / "dev/system-deps", "--nope"], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr == "dev/system-deps: unknown option --nope (see --help)\n"


def test_dev_test_keeps_no_install_to_itself(tmp_path):
    """pytest never sees --no-install (it would refuse an unknown option)."""
    result = subprocess.run(
        [ROOT / "dev/test", "--no-install", "--collect-only", "-q", "tests/core/test_init.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_init_creates_identity_then_refuses_to_overwrite" in result.stdout
