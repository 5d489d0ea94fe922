"""A kit or hub set up by hand keeps its records and keys to itself: folders 700, files 600.

Run with umask 022 (the usual default), as a person typing `kit init` would, not through
deploy/raspberrypi/install.sh, which makes the data folder itself.
"""

import os
import stat
import subprocess
import sys

from tests.conftest import ROOT

PRIVATE_FILES = ("kit.db", "kit.db-wal", "kit.db-shm", "secret_key")


def _kit(data, *args, **kwargs):
    env = {**os.environ, "KIT_DATA": str(data)}
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, sys; os.umask(0o022); from kit.cli import main; "
            "sys.argv = ['kit', *sys.argv[1:]]; main()",
            *map(str, args),
        ],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        **kwargs,
    )


def _mode(path):
    return stat.S_IMODE(path.stat().st_mode)


def test_kit_init_makes_its_folder_700_and_its_database_and_key_600(tmp_path):
    data = tmp_path / "new" / "kit-data"
    _kit(data, "init", "--site", "By hand")
    assert _mode(data) == 0o700
    for name in PRIVATE_FILES:
        if (data / name).exists():  # -wal and -shm exist while a connection is open
            assert _mode(data / name) == 0o600, name
    assert _mode(data / "kit.db") == 0o600 and _mode(data / "secret_key") == 0o600


def test_hub_init_makes_its_folder_700_and_its_database_and_key_600(tmp_path):
    data = tmp_path / "hub-data"
    _kit(data, "hub", "init")
    assert _mode(data) == 0o700
    assert _mode(data / "hub.db") == 0o600 and _mode(data / "hub_secret_key") == 0o600


def test_backup_is_600_says_it_holds_the_secret_key_and_restores_600(tmp_path):
    data = tmp_path / "kit-data"
    _kit(data, "init", "--site", "By hand")
    out = tmp_path / "backup.tar"
    _kit(data, "backup", "--out", out)
    assert _mode(out) == 0o600
    assert "secret key" in _kit(data, "backup", "--help").stdout
    (data / "kit.db").chmod(0o644)  # as an older kit may have left it
    _kit(data, "restore", out, "--force")
    assert _mode(data / "kit.db") == 0o600 and _mode(data / "secret_key") == 0o600
    aside = next(data.glob("replaced-*"))
    assert _mode(aside) == 0o700
