"""install.sh on the Pi's own architecture: an arm64 Debian Bookworm root, run on this
x86-64 machine through qemu-user (Debian's qemu-user-static, registered with binfmt_misc).

The root is built once by `debootstrap --arch=arm64` and cached beside the x86-64 one.
pip inside it (the root's own arm64 Python, so the tags it accepts are the Pi's) fetches
every dependency with --only-binary=:all:, cached by the dependency list; a dependency
with no arm64 or pure-Python wheel fails here with its name, and there is no compiler in
the root to hide one. install.sh then runs offline from those wheels (what it wrote is
cached, keyed by the contents of everything it read: see arm64_installed), and the root is
booted with `systemd-nspawn --boot`: the kit starts by itself, answers /healthz and a
learner's lesson page, and imports a sample pack.

What emulation does not cover (deploy/raspberrypi/README.md says the same):
- seccomp: qemu-user refuses a program's own seccomp filters, so the units'
  SystemCallFilter=, SystemCallArchitectures= and MemoryDenyWriteExecute= are not in
  force in this root (systemd finds seccomp unavailable and carries on). They are
  checked on x86-64 (test_boot.py, test_files.py), not on arm64.
- the Pi's kernel, firmware, Wi-Fi radio and its speed: the kernel is this machine's,
  and emulated code runs several times slower than a Pi, so no timing is judged here.
- Raspberry Pi OS itself: the root is Debian 12 arm64, the base Raspberry Pi OS Lite
  64-bit is built on, not the image with its raspi-config and firmware packages.
- Stopping the booted root: nspawn's halt signal (SIGRTMIN+3) does not reach an emulated
  init, so the test halts it with `systemctl poweroff`.
- The sync agent enrols from the root not booted (sharing this machine's loopback, where
  the hub runs); the booted root has only its own private network.
"""

import compileall
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from tests.sync.conftest import Hub

from . import emulation
from .conftest import ANSWERS, DEPLOY, ROOT, Installed, dependency_key, install_args, rootfs
from .notes_heard import a_learner_hears_a_note

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]  # a cold root build is minutes

SAMPLE_PACK = ROOT / "content_packs" / "first-steps"


@pytest.fixture(scope="module")
def arm64_root():
    """The cached arm64 Bookworm root; skipped (saying why) only where binfmt_misc is absent."""
    try:
        emulation.ensure()
    except emulation.NoBinfmt as exc:
        pytest.skip(str(exc))
    return rootfs.base_root("arm64")


@pytest.fixture(scope="module")
def root_pip(arm64_root):
    """Debian's own pip (the wheel python3-venv brings), unpacked and byte-compiled here.

    Bytecode does not depend on the machine, so this machine's Python 3.11 compiles it
    once: pip run from its wheel recompiles itself under emulation every time (38 s for
    `pip --version` against 9 s, measured with the machine loaded).
    """
    wheel = next((arm64_root / "usr/share/python-wheels").glob("pip-*.whl"))
    folder = rootfs.CACHE / ("arm64-" + wheel.stem)
    if not (folder / ".complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(folder)
        if (arm64_root / f"usr/bin/python{sys.version_info[0]}.{sys.version_info[1]}").exists():
            compileall.compile_dir(folder, quiet=1)
        (folder / ".complete").touch()
    return folder


def pip_in_root(overlay, root_pip, *args, binds=(), timeout=900):
    """Run pip with the arm64 root's Python, trusting the CA bundle pip here trusts."""
    binds = [*binds, f"{root_pip}:/src/pip"]
    env = {"PYTHONPATH": "/src/pip", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    bundle = os.environ.get("PIP_CERT") or os.environ.get("SSL_CERT_FILE")
    if bundle and Path(bundle).is_file():  # e.g. a proxy's CA, added to this machine's store
        binds.append(f"{bundle}:/src/ca-bundle.crt")
        env["PIP_CERT"] = "/src/ca-bundle.crt"
    return overlay.run("python3", "-m", "pip", *args, binds=binds, env=env, check=False, timeout=timeout)


def download_wheels(overlay, root_pip, requirement, *pip_args, binds=()):
    """Have pip in the arm64 root fetch the wheels `requirement` needs, binaries only.

    Returns the folder (in the overlay) holding them; fails naming each dependency that
    has no wheel for arm64 and is not pure Python.
    """
    result = pip_in_root(
        overlay,
        root_pip,
        "download",
        "--quiet",
        "--no-cache-dir",
        "--only-binary=:all:",
        "-d",
        "/var/tmp/wheels",
        *pip_args,
        requirement,
        binds=binds,
    )
    if result.returncode:
        names = emulation.unresolved(result.stdout + result.stderr)
        raise AssertionError(
            f"no arm64 or pure-Python wheel for {', '.join(names) or 'a dependency'} "
            f"(the Pi would need a compiler):\n{result.stderr[-1500:]}"
        )
    return overlay.merged / "var" / "tmp" / "wheels"


@pytest.fixture(scope="module")
def arm64_wheels(arm64_root, root_pip, kit_wheel, scratch):
    """The kit's dependencies as arm64 wheels, chosen by the root's pip, cached like the root."""
    folder = rootfs.CACHE / f"wheels-arm64-{dependency_key()}"
    if not (folder / ".complete").exists():
        with rootfs.Overlay(arm64_root, scratch / "arm64-pip") as overlay:
            got = download_wheels(
                overlay,
                root_pip,
                f"/src/kitwheel/{kit_wheel.name}",
                binds=[f"{kit_wheel.parent}:/src/kitwheel"],
            )
            shutil.rmtree(folder, ignore_errors=True)
            shutil.copytree(got, folder)
        for wheel in folder.glob("classroom_kit-*.whl"):
            wheel.unlink()
        (folder / ".complete").touch()
    return folder


@pytest.fixture(scope="module")
def sample_pack(scratch):
    """A sample pack (content_packs/first-steps) built with the kit's own builder."""
    out = scratch / "packs"
    out.mkdir(exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "kit",
            "pack",
            "build",
            str(SAMPLE_PACK),
            "--out",
            str(out / "first-steps.kitpack"),
        ],
        check=True,
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    return out


@pytest.fixture(scope="module")
def arm64_installed(arm64_root, kit_wheel, arm64_wheels):
    """install.sh run, offline from the arm64 wheels, into the arm64 root: cached.

    Under emulation the install takes minutes, so what it wrote (the overlay's upper
    layer) and printed is kept, keyed by everything it read: the root, the wheels, the
    kit wheel's contents and the deploy folder. Any change to the kit or the installer
    is a new key, and install.sh runs again; the lead's run and CI on the same commit
    share one. Layers unused for two days are removed.
    """
    key = install_key(arm64_root, kit_wheel, arm64_wheels)
    folder = rootfs.CACHE / f"arm64-installed-{key}"
    if not (folder / ".complete").exists():
        building = rootfs.CACHE / f"arm64-installed-{key}.building"
        subprocess.run(["umount", "-l", str(building / "merged")], capture_output=True)
        shutil.rmtree(building, ignore_errors=True)
        binds, command = install_args(kit_wheel, arm64_wheels, *ANSWERS)
        with rootfs.Overlay(arm64_root, building) as overlay:
            output = overlay.run(*command, binds=binds, timeout=900).stdout
        shutil.rmtree(building / "work", ignore_errors=True)
        shutil.rmtree(building / "merged", ignore_errors=True)
        (building / "output.txt").write_text(output)
        (building / ".complete").touch()
        building.rename(folder)
    (folder / ".complete").touch()  # last used: kept while in use
    prune_installed(keep=folder)
    return Installed(arm64_root, folder / "upper", (folder / "output.txt").read_text())


def install_key(root, kit_wheel, wheels):
    """Return a hash of everything install.sh reads here (file contents, not their dates)."""
    digest = hashlib.sha256(f"{root.name} {wheels.name} {ANSWERS}".encode())
    with zipfile.ZipFile(kit_wheel) as archive:
        for name in sorted(archive.namelist()):
            digest.update(name.encode() + b"\0" + archive.read(name))
    for path in sorted(p for p in DEPLOY.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(DEPLOY)).encode() + b"\0" + path.read_bytes())
        digest.update(b"x" if os.access(path, os.X_OK) else b"-")
    return digest.hexdigest()[:12]


def prune_installed(keep, days=2):
    """Remove installed layers not used for `days` (never one a run may still be using)."""
    cutoff = time.time() - days * 86400
    for folder in rootfs.CACHE.glob("arm64-installed-*"):
        stamp = folder / ".complete"
        if folder != keep and stamp.exists() and stamp.stat().st_mtime < cutoff:
            shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def arm64_copy(arm64_installed, scratch_dir):
    with arm64_installed.copy(scratch_dir) as copy:
        yield copy


def site_packages(root):
    return next((Path(root) / "opt/classroom-kit/venv/lib").glob("python3*/site-packages"))


def test_the_root_runs_arm64_code_and_has_no_compiler(arm64_root, scratch_dir):
    with rootfs.Overlay(arm64_root, scratch_dir) as overlay:
        out = overlay.run(
            "sh",
            "-c",
            "uname -m; dpkg --print-architecture; for c in cc gcc c++ clang; do command -v $c || true; done",
        ).stdout
    assert out.split() == ["aarch64", "arm64"]  # no compiler path printed after them
    assert emulation.elf_machine(arm64_root / "usr/bin/python3.11") == emulation.EM_AARCH64


def test_a_dependency_with_only_an_x86_64_wheel_fails_with_its_name(
    arm64_root, root_pip, scratch_dir, tmp_path
):
    # A real pip decision: offered only an x86-64 wheel, the Pi's pip finds nothing to install.
    links = tmp_path / "links"
    links.mkdir()
    (links / "x86_only-1.0-cp311-cp311-manylinux_2_17_x86_64.whl").write_bytes(b"")
    with rootfs.Overlay(arm64_root, scratch_dir) as overlay:
        with pytest.raises(AssertionError, match=r"no arm64 or pure-Python wheel for x86-only"):
            download_wheels(
                overlay,
                root_pip,
                "x86-only",
                "--no-index",
                "--find-links",
                "/src/links",
                binds=[f"{links}:/src/links"],
            )


def test_every_installed_dependency_is_an_arm64_wheel_or_pure_python(arm64_installed):
    assert "Classroom Kit is installed." in arm64_installed.output
    packages = site_packages(arm64_installed.layer)
    assert emulation.foreign_code(packages) == []
    # Not vacuous: compiled arm64 code is there and was looked at (PyYAML, MarkupSafe).
    tags = {t for d in packages.glob("*.dist-info") for t in emulation.wheel_tags(d)}
    assert any("aarch64" in t for t in tags), tags
    machines = {emulation.elf_machine(p) for p in packages.rglob("*.so")}
    assert machines == {emulation.EM_AARCH64}


def test_a_kernel_without_binfmt_misc_is_said_in_one_line(tmp_path):
    filesystems = tmp_path / "filesystems"
    filesystems.write_text("nodev\tsysfs\nnodev\tproc\n\text4\n")
    with pytest.raises(emulation.NoBinfmt) as caught:
        emulation.ensure(filesystems)
    assert str(caught.value) == (
        "arm64 root not tested: this kernel has no binfmt_misc, so "
        "it cannot run arm64 binaries through qemu-user"
    )


def test_foreign_code_names_an_x86_64_wheel_and_its_binary(tmp_path):
    packages = tmp_path / "site-packages"
    dist = packages / "fastthing-2.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fastthing\nVersion: 2.0\n")
    (dist / "WHEEL").write_text("Wheel-Version: 1.0\nTag: cp311-cp311-manylinux_2_17_x86_64\n")
    (packages / "fastthing").mkdir()
    shutil.copy(
        next(Path(sys.base_prefix).glob("lib/python3*/lib-dynload/_json*.so")),
        packages / "fastthing" / "_speed.so",
    )  # this machine's own x86-64 code
    (dist / "RECORD").write_text("fastthing/_speed.so,,\nfastthing-2.0.dist-info/WHEEL,,\n")
    pure = packages / "plain-1.0.dist-info"
    pure.mkdir()
    (pure / "METADATA").write_text("Name: plain\n")
    (pure / "WHEEL").write_text("Tag: py3-none-any\n")
    problems = emulation.foreign_code(packages)
    assert len(problems) == 2 and all(p.startswith("fastthing: ") for p in problems)
    assert "manylinux_2_17_x86_64" in problems[0] and "_speed.so is ELF machine 62" in problems[1]


def test_kit_version_and_doctor_are_clean_on_arm64(arm64_copy):
    version = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.M)[1]
    out = arm64_copy.run("/usr/local/bin/kit", "--version").stdout
    assert out.split()[-1] == version
    doctor = arm64_copy.run("/usr/local/bin/kit", "doctor", check=False)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    findings = doctor.stdout.strip().splitlines()
    assert findings and all(line.split()[0] == "ok" for line in findings), doctor.stdout


def test_sync_agent_in_the_arm64_root_enrols_with_a_hub_on_this_machine(arm64_copy, tmp_path):
    hub = Hub(tmp_path / "hub").setup()  # outside the root, on this machine's loopback
    try:
        out = arm64_copy.run(
            "/usr/local/bin/kit",
            "sync",
            "enroll",
            "--hub",
            hub.url,
            "--code",
            hub.code("Truck 3"),
            timeout=120,
        ).stdout
        assert "enrolled with" in out
        now = arm64_copy.run("/usr/local/bin/kit", "sync", "now", timeout=120)
        assert now.stdout.strip() and not now.stdout.startswith("failed")
        kits = hub.query("SELECT name, site, last_contact FROM hub_kit")
        assert len(kits) == 1 and kits[0][:2] == ("Truck 3", "Truck 3") and kits[0][2]
    finally:
        hub.stop()


# qemu-user runs every program with threads of its own, and the kernel refuses a new user
# namespace to a threaded process (EINVAL): the one hardening line that cannot start here.
EMULATION_DROPIN = "[Service]\nPrivateUsers=no\n"


@pytest.fixture(scope="module")
def booted(arm64_installed, scratch, kit_wheel, arm64_wheels, sample_pack):
    where = scratch / "arm64-booted"
    with arm64_installed.copy(where) as copy:
        for unit in ("classroom-kit.service", "classroom-kit-doctor.service"):
            dropin = copy.merged / "etc/systemd/system" / f"{unit}.d"
            dropin.mkdir(parents=True, exist_ok=True)
            (dropin / "emulation.conf").write_text(EMULATION_DROPIN)
        binds, _ = install_args(kit_wheel, arm64_wheels)
        binds.append(f"{sample_pack}:/src/packs")
        with rootfs.Booted(copy, scratch / "arm64-boot.log", binds=binds, boot_timeout=300) as machine:
            yield machine
            machine.poweroff()


def wait_healthy(machine, timeout=120):
    """Wait for /healthz; allow for emulation (the kit starts in seconds on a Pi)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        status, body = rootfs.fetch(
            ["nsenter", "-t", str(machine.leader), "-n", "--"], "http://127.0.0.1:8080/healthz", timeout=5
        )
        if status == 200:
            return json.loads(body)
        last = body
        time.sleep(0.5)
    journal = machine.sh("journalctl -u classroom-kit --no-pager | tail -30", check=False)
    raise TimeoutError(f"/healthz did not answer: {last}\n{journal.stdout}")


LEARNER_VISIT = """
import re, sys, requests
base, name = sys.argv[1], sys.argv[2]
s = requests.Session()
room = re.search(r'href="/class/(\\d+)"', s.get(base + "/", timeout=30).text)[1]
names = s.get(f"{base}/class/{room}", timeout=30).text
token = re.search(r'name="csrf_token" value="([^"]+)"', names)[1]
learner = next(re.search(r'value="(\\d+)"', b)[1] for b in names.split("<button")[1:] if name in b)
lessons = s.post(base + "/signin", data={"csrf_token": token, "learner_id": learner}, timeout=30)
lesson = re.search(r'href="(/lesson/[^"]+)"', lessons.text)[1]
page = s.get(base + lesson, timeout=30)
print(page.status_code, lesson)
print(page.text)
"""


def test_booted_arm64_root_serves_a_lesson_from_an_imported_pack(booted):
    body = wait_healthy(booted)
    assert body["status"] == "ok" and body["site"] == "Truck 3"
    assert booted.sh("systemctl is-active classroom-kit").stdout.strip() == "active"
    doctor = booted.sh("systemctl show -p Result --value classroom-kit-doctor").stdout.strip()
    assert doctor == "success"
    imported = booted.sh("kit pack import /src/packs/first-steps.kitpack", timeout=300)
    assert "first-steps" in imported.stdout
    assert "first-steps" in booted.sh("kit pack list").stdout
    # A class, learners and the pack assigned: the demo's roster, with no packs of its own.
    booted.sh("mkdir -p /var/tmp/no-packs && kit demo --packs /var/tmp/no-packs", timeout=120)
    visit = subprocess.run(
        [
            "nsenter",
            "-t",
            str(booted.leader),
            "-n",
            "--",
            sys.executable,
            "-c",
            LEARNER_VISIT,
            "http://127.0.0.1:8080",
            "Baraka",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert visit.returncode == 0, visit.stderr
    status_line, _, page = visit.stdout.partition("\n")
    assert status_line.startswith("200 /lesson/first-steps/")
    assert "Touching the screen" in page


def test_booted_arm64_kit_reads_a_remote_teachers_note_aloud(booted):
    """espeak-ng from Debian's arm64 packages, run by the kit's unit (its system-call
    filters are not checked under emulation, test_boot.py checks them on x86-64)."""
    wait_healthy(booted)
    seconds = a_learner_hears_a_note(booted, timeout=300)
    assert 1 < seconds < 10  # eight words at 135 a minute
