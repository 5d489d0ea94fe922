"""Run arm64 binaries on this x86-64 machine: Debian's qemu-user-static, registered with
the kernel's binfmt_misc, and the checks that what pip put in an arm64 root is arm64.

binfmt_misc is the kernel's table of "files that start with these bytes run through
this interpreter". Debian's qemu-user-static ships the aarch64 line for it
(/usr/lib/binfmt.d/qemu-aarch64.conf) with the F flag: the kernel opens qemu once, at
registration, so it also runs inside a root that has no qemu of its own. Where systemd
is not PID 1 (a CI container), nothing registers that line at boot: `ensure()` does.
"""

import os
import re
import subprocess
from pathlib import Path

BINFMT = Path("/proc/sys/fs/binfmt_misc")
ENTRY = BINFMT / "qemu-aarch64"
QEMU_LINE = Path("/usr/lib/binfmt.d/qemu-aarch64.conf")  # from Debian's qemu-user-static
EM_AARCH64 = 183  # ELF e_machine of arm64 code
PURE_PYTHON = re.compile(r"^(py\d+(\.py\d+)*|cp\d+)-none-any$")


class NoBinfmt(Exception):
    """The kernel cannot run foreign binaries here: arm64 tests are skipped, saying so."""


def ensure(filesystems=Path("/proc/filesystems")):
    """Make the kernel run arm64 ELF files through qemu-aarch64-static.

    Raises NoBinfmt where the kernel has no binfmt_misc at all (the only reason to skip),
    and RuntimeError when qemu-user-static is missing (dev/system-deps installs it).
    """
    if "binfmt_misc" not in filesystems.read_text():
        try:  # a module not loaded yet, on a kernel that has it
            subprocess.run(["modprobe", "binfmt_misc"], capture_output=True, check=False)
        except FileNotFoundError:  # no kmod here (a container): nothing to load with
            pass
        if "binfmt_misc" not in filesystems.read_text():
            raise NoBinfmt(
                "arm64 root not tested: this kernel has no binfmt_misc, so it "
                "cannot run arm64 binaries through qemu-user"
            )
    if not (BINFMT / "register").exists():
        subprocess.run(
            ["mount", "-t", "binfmt_misc", "binfmt_misc", str(BINFMT)],
            capture_output=True,
            text=True,
            check=True,
        )
    if not ENTRY.exists():
        if not QEMU_LINE.exists():
            raise RuntimeError(
                f"{QEMU_LINE} is missing: install Debian's qemu-user-static "
                "(dev/system-deps does, run by ./dev/test)"
            )
        (BINFMT / "register").write_text(QEMU_LINE.read_text().strip() + "\n")
    state = ENTRY.read_text()
    if state.startswith("disabled"):
        ENTRY.write_text("1")
    flags = re.search(r"^flags: *(\S*)", ENTRY.read_text(), re.M)
    if not flags or "F" not in flags.group(1):
        raise RuntimeError(
            f"{ENTRY} lacks the F flag, so a root without its own qemu "
            f"cannot run arm64 binaries:\n{ENTRY.read_text()}"
        )


def elf_machine(path):
    """Return the ELF e_machine of a file, or None if it is not an ELF file."""
    with open(path, "rb") as f:
        head = f.read(20)
    if len(head) < 20 or head[:4] != b"\x7fELF":
        return None
    return int.from_bytes(head[18:20], "little" if head[5] == 1 else "big")


def wheel_tags(dist_info):
    """Return the Tag: lines of an installed distribution's WHEEL file."""
    text = (Path(dist_info) / "WHEEL").read_text()
    return re.findall(r"^Tag: *(\S+)", text, re.M)


def distribution_name(dist_info):
    """Return the project name of a .dist-info folder, as pip would print it."""
    for line in (Path(dist_info) / "METADATA").read_text(errors="replace").splitlines():
        if line.startswith("Name:"):
            return line.split(":", 1)[1].strip()
    return Path(dist_info).name.split("-")[0]


def foreign_code(site_packages):
    """Return one line per installed distribution that is not arm64 or pure Python.

    Two independent checks, so neither a mislabelled wheel nor a stray binary passes:
    every WHEEL tag is pure Python or an aarch64 platform, and every ELF file the
    distribution installed (its RECORD) is arm64 code.
    """
    problems = []
    for dist_info in sorted(Path(site_packages).glob("*.dist-info")):
        name = distribution_name(dist_info)
        wheel = dist_info / "WHEEL"
        if not wheel.exists():
            problems.append(f"{name}: not installed from a wheel (built here from source?)")
            continue
        bad = [t for t in wheel_tags(dist_info) if not PURE_PYTHON.match(t) and "aarch64" not in t]
        if bad:
            problems.append(f"{name}: wheel tagged {', '.join(bad)}, not arm64 or pure Python")
        for path in _recorded_files(site_packages, dist_info):
            machine = elf_machine(path) if path.is_file() else None
            if machine not in (None, EM_AARCH64):
                problems.append(
                    f"{name}: {os.path.relpath(path, site_packages)} is ELF machine "
                    f"{machine}, not arm64 ({EM_AARCH64})"
                )
    return problems


def _recorded_files(site_packages, dist_info):
    record = dist_info / "RECORD"
    if not record.exists():
        return []
    paths = (line.split(",")[0] for line in record.read_text().splitlines() if line)
    return [(Path(site_packages) / p).resolve() for p in paths]


def unresolved(pip_output):
    """Return the names pip could not find a usable wheel for, from its error output."""
    found = re.findall(r"No matching distribution found for ([A-Za-z0-9._-]+)", pip_output)
    found += re.findall(
        r"Could not find a version that satisfies the requirement "
        r"([A-Za-z0-9._-]+)",
        pip_output,
    )
    return sorted(set(found))
