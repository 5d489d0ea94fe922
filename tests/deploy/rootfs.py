"""A Debian Bookworm root made with debootstrap, cached, and containers booted from it.

The root is built once (about a minute and a half) into a cache folder and never changed
afterwards: each test mounts an overlay on it, so every test starts from a fresh copy
and an empty upper layer is proof that nothing was written. Containers run with
systemd-nspawn, with a private network so NetworkManager, avahi and nftables inside
touch nothing on this machine.
"""

import fcntl
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

CACHE = Path(os.environ.get("KIT_DEPLOY_CACHE", Path.home() / ".cache" / "classroom-kit"))
MIRROR = os.environ.get("KIT_DEBIAN_MIRROR", "http://deb.debian.org/debian")
# What install.sh relies on, so the test's apt step only checks: what Raspberry Pi OS Lite
# already has, and espeak-ng, which the installer adds there (test_install.py removes it
# once to see it added back from the root's own apt cache). Changing this list changes
# ROOT_NAME, so a stale cache is not used.
PACKAGES = (
    "systemd,systemd-sysv,libpam-systemd,dbus,python3,python3-venv,ca-certificates,"
    "iproute2,procps,network-manager,dnsmasq-base,avahi-daemon,libnss-mdns,nftables,"
    "fake-hwclock,espeak-ng,iw"
)
ROOT_NAME = "bookworm-root-" + hashlib.sha256(PACKAGES.encode()).hexdigest()[:10]
# The Pi's architecture, run under qemu-user: its own cache folder beside the x86-64 one.
ARM64_ROOT_NAME = "bookworm-arm64-root-" + hashlib.sha256(PACKAGES.encode()).hexdigest()[:10]
NSPAWN = [
    "systemd-nspawn",
    "--register=no",
    "--keep-unit",
    "--quiet",
    "--resolv-conf=off",
    "--timezone=off",
    "--link-journal=no",
]


def base_root(arch=None):
    """Return the cached Bookworm root, building it with debootstrap if it is missing.

    arch="arm64" builds the Pi's architecture; its binaries run through qemu-user,
    which binfmt_misc must already know (tests/deploy/emulation.py).
    """
    name = ARM64_ROOT_NAME if arch == "arm64" else ROOT_NAME
    root = CACHE / name
    if (root / "etc" / "os-release").exists():
        return root
    CACHE.mkdir(parents=True, exist_ok=True)
    # Two test runs on one machine (two checkouts) once built the same root at once and
    # both failed: the second waits here for the first, then finds the root made.
    with open(CACHE / (name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (root / "etc" / "os-release").exists():
            return root
        return _debootstrap(name, root, arch)


def _debootstrap(name, root, arch):
    """Build the root in a side folder and move it into place only when whole."""
    building = CACHE / (name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    result = subprocess.run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={PACKAGES}",
            *([f"--arch={arch}"] if arch else []),
            "bookworm",
            str(building),
            MIRROR,
        ],
        capture_output=True,
        text=True,
        timeout=1800 if arch else 900,
    )
    if result.returncode:
        log = building / "debootstrap" / "debootstrap.log"
        tail = log.read_text(errors="replace")[-3000:] if log.exists() else ""
        raise RuntimeError(
            f"debootstrap {arch or ''} failed ({result.returncode}):\n{result.stderr[-2000:]}\n{tail}"
        )
    building.rename(root)
    return root


def _quiet(stderr):
    """Drop nspawn's own note about its propagation folder, printed on every exit here."""
    return "".join(
        line for line in stderr.splitlines(keepends=True) if "/run/systemd/nspawn/propagate/" not in line
    )


class Overlay:
    """A throw-away copy of the base root: an overlay mount whose upper layer is ours."""

    def __init__(self, base, where, layers=()):
        self.base = Path(base)
        self.layers = [Path(p) for p in layers]  # upper layers of earlier copies, newest first
        self.where = Path(where)
        self.upper = self.where / "upper"
        self.merged = self.where / "merged"

    def __enter__(self):
        for name in ("upper", "work", "merged"):
            (self.where / name).mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "mount",
                "-t",
                "overlay",
                "overlay",
                "-o",
                f"lowerdir={':'.join(map(str, [*self.layers, self.base]))},"
                f"upperdir={self.upper},workdir={self.where / 'work'}",
                str(self.merged),
            ],
            check=True,
            capture_output=True,
        )
        return self

    def __exit__(self, *exc):
        subprocess.run(["umount", "-l", str(self.merged)], check=False, capture_output=True)

    def changed(self):
        """Return the paths written in this copy (relative), sorted.

        /src is left out: nspawn makes the mount points for our --bind-ro folders there.
        """
        paths = (str(p.relative_to(self.upper)) for p in self.upper.rglob("*"))
        return sorted(p for p in paths if p != "src" and not p.startswith("src/"))

    def run(self, *command, binds=(), env=None, timeout=300, check=True, offline=False):
        """Run a command in the root (not booted), like a chroot with /proc and /dev.

        offline=True gives it a network of its own (only its loopback): proof that it
        fetched nothing, as on a Pi with no link.
        """
        args = [*NSPAWN, "--pipe", "-D", str(self.merged), *(["--private-network"] if offline else [])]
        args += [f"--bind-ro={b}" for b in binds]
        args += [f"--setenv={k}={v}" for k, v in (env or {}).items()]
        result = subprocess.run([*args, *command], capture_output=True, text=True, timeout=timeout)
        result.stderr = _quiet(result.stderr)
        if check and result.returncode != 0:
            raise AssertionError(f"{command} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result


class Booted:
    """The overlay booted with `systemd-nspawn --boot`, on a private network."""

    def __init__(self, overlay, log_path, binds=(), boot_timeout=60):
        self.overlay = overlay
        self.log_path = Path(log_path)
        self.binds = list(binds)
        self.boot_timeout = boot_timeout  # longer for an arm64 root under qemu-user
        self.process = None
        self.leader = None

    def __enter__(self):
        log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [
                *NSPAWN,
                "--boot",
                "--private-network",
                "--console=pipe",
                *(f"--bind-ro={b}" for b in self.binds),
                "-D",
                str(self.overlay.merged),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        self.leader = self._find_leader()
        # "running" or "degraded": booted; a unit that failed is for the test to judge.
        self.wait_for(
            "systemctl is-system-running --wait | grep -Eq '^(running|degraded)$'", timeout=self.boot_timeout
        )
        return self

    def _find_leader(self, timeout=20):
        """Return the PID of the container's init (the nspawn process's only child)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nspawn exited early: {self.log_path.read_text()}")
            kids = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
            pids = kids.read_text().split() if kids.exists() else []
            if pids:
                return int(pids[0])
            time.sleep(0.05)
        raise TimeoutError("the container's init did not start")

    def sh(self, script, timeout=60, check=True):
        """Run a shell script inside the booted container (all its namespaces)."""
        result = subprocess.run(
            ["nsenter", "-t", str(self.leader), "-m", "-u", "-i", "-n", "-p", "--", "/bin/sh", "-c", script],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{script!r} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
        return result

    def wait_for(self, script, timeout=30, ok=(0,)):
        deadline = time.monotonic() + timeout
        while True:
            result = self.sh(script, timeout=timeout, check=False)
            if result.returncode in ok:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(f"{script!r} still fails: {result.stdout}{result.stderr}")
            time.sleep(0.2)

    def get(self, url, timeout=5):
        """GET a URL from inside the container's network namespace (host's Python)."""
        status, body = fetch(["nsenter", "-t", str(self.leader), "-n", "--"], url, timeout)
        if status is None:
            raise requests.ConnectionError(body)
        return status, body

    def poweroff(self, timeout=60):
        """Halt through systemctl: an emulated init never sees nspawn's halt signal.

        (nspawn asks with SIGRTMIN+3, which qemu-user does not hand on as that signal.)
        """
        try:
            self.sh("systemctl poweroff", check=False, timeout=timeout)
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            pass  # __exit__ kills it

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # nspawn asks the container's systemd to halt
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
                # A killed nspawn leaves its container running; its init, killed, takes
                # every process of the container's PID namespace with it.
                try:
                    os.kill(self.leader, signal.SIGKILL)
                except (ProcessLookupError, TypeError):
                    pass


def fetch(enter, url, timeout=5):
    """GET a URL with this machine's Python run under `enter` (a namespace-entering prefix).

    Returns (status, body), or (None, the error's last line) when nothing answered.
    """
    script = (
        "import sys, urllib.request as u\n"
        "r = u.urlopen(sys.argv[1], timeout=float(sys.argv[2]))\n"
        "sys.stdout.write(str(r.status) + '\\n' + r.read().decode())\n"
    )
    result = subprocess.run(
        [*enter, sys.executable, "-c", script, url, str(timeout)],
        capture_output=True,
        text=True,
        timeout=timeout + 10,
    )
    if result.returncode:
        return None, result.stderr.strip().splitlines()[-1:]
    status, _, body = result.stdout.partition("\n")
    return int(status), body


if __name__ == "__main__":
    print(base_root())
