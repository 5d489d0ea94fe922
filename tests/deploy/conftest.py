"""Fixtures for the deploy tests: the cached Bookworm root, the kit as a wheel, its wheels.

The installer runs offline in these tests (--wheels), from wheels built here once and
cached beside the root, so a run costs seconds, not a download of every dependency.
"""

import hashlib
import importlib.util
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy" / "raspberrypi"


def _load_rootfs():
    spec = importlib.util.spec_from_file_location("deploy_rootfs", Path(__file__).with_name("rootfs.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rootfs = _load_rootfs()


@pytest.fixture(scope="session")
def scratch():
    """A private scratch folder for roots and overlays, removed at the end.

    Not pytest's tmp_path: concurrent pytest runs prune each other's old basetemp
    folders, which would pull a mounted overlay from under a booted container.
    """
    folder = Path(tempfile.mkdtemp(prefix="classroom-kit-deploy-", dir="/var/tmp"))
    yield folder
    subprocess.run(
        ["sh", "-c", f"grep -o ' {folder}[^ ]*' /proc/mounts | xargs -r -n1 umount -l"], check=False
    )
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def scratch_dir(scratch, request):
    """A fresh folder in the private scratch folder for one test."""
    return Path(tempfile.mkdtemp(prefix=request.node.name[:40].replace("/", "_") + "-", dir=scratch))


@pytest.fixture(scope="session")
def base_root():
    """The cached Debian Bookworm root (built by debootstrap on first use)."""
    return rootfs.base_root()


@pytest.fixture(scope="session")
def kit_wheel(scratch):
    """The kit from this working tree, as a wheel."""
    out = scratch / "kit-wheel"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return next(out.glob("classroom_kit-*.whl"))


def dependency_key():
    """Return a short hash of the kit's dependency list: wheel caches are keyed by it."""
    text = (ROOT / "pyproject.toml").read_text()
    return hashlib.sha256(text.split("[project.optional-dependencies]")[0].encode()).hexdigest()[:10]


@pytest.fixture(scope="session")
def wheelhouse():
    """The kit's dependencies as wheels, cached by the dependency list in pyproject.toml."""
    folder = rootfs.CACHE / f"wheels-{dependency_key()}"
    if not (folder / ".complete").exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "wheel", "--quiet", "-w", str(folder), str(ROOT)],
            check=True,
            capture_output=True,
            timeout=600,
        )
        for wheel in folder.glob("classroom_kit-*.whl"):
            wheel.unlink()
        (folder / ".complete").touch()
    return folder


def install_args(kit_wheel, wheelhouse, *extra):
    """Return the binds and the install.sh command line used inside a root."""
    binds = [f"{DEPLOY.parent}:/src/deploy", f"{kit_wheel.parent}:/src/kitwheel", f"{wheelhouse}:/src/wheels"]
    command = [
        "/src/deploy/raspberrypi/install.sh",
        "--source",
        f"/src/kitwheel/{kit_wheel.name}",
        "--wheels",
        "/src/wheels",
        *extra,
    ]
    return binds, command


class Installed:
    """A layer holding a first install (on top of the base root) and what it printed.

    `below`: layers between the base root and this one, newest first (the arm64 root's
    cached dependencies: test_arm64.py)."""

    def __init__(self, base, layer, output, below=()):
        self.base, self.layer, self.output = base, layer, output
        self.layers = [layer, *below]

    def copy(self, where):
        """Return an Overlay (to enter) starting from this installed state."""
        return rootfs.Overlay(self.base, where, layers=self.layers)


ANSWERS = [
    "--site",
    "Truck 3",
    "--location",
    "Mopti",
    "--ssid",
    "Truck 3",
    "--passphrase",
    "mangoes-and-tea",
    "--country",
    "ML",
    "--channel",
    "11",
]


@pytest.fixture(scope="session")
def installed(base_root, kit_wheel, wheelhouse, scratch):
    """install.sh run once, with ANSWERS, into the base root; reused as a read-only layer."""
    where = scratch / "installed"
    binds, command = install_args(kit_wheel, wheelhouse, *ANSWERS)
    with rootfs.Overlay(base_root, where) as overlay:
        output = overlay.run(*command, binds=binds, timeout=300).stdout
    return Installed(base_root, where / "upper", output)
