"""The kit on its own networks: a "kit" namespace serves a "tablet" namespace over a veth
pair, and a link to a "base" namespace, where the hub runs, comes and goes.

NetworkManager is not in these namespaces; `ip monitor link` stands in for it and calls
the real dispatcher hook (deploy/raspberrypi/network/90-classroom-kit) with the
arguments and environment NetworkManager gives it when the uplink comes up.
"""

import os
import re
import subprocess
import sys
import threading
import time
import uuid

import pytest

from tests.conftest import ROOT
from tests.sync.conftest import FAST, Kit

from .conftest import DEPLOY, rootfs

pytestmark = pytest.mark.slow

HOOK = DEPLOY / "network" / "90-classroom-kit"
PROMISED_SECONDS = 10  # the field guide: "syncs within ten seconds of the link coming up"
KIT_TABLETS, TABLET = "10.42.0.1", "10.42.0.2"  # the hotspot's addresses, as on a Pi
KIT_UPLINK, BASE = "10.99.0.1", "10.99.0.2"


def ip(*args):
    return subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=10)


class Namespaces:
    """Three network namespaces joined by two veth pairs, removed afterwards."""

    def __init__(self):
        tag = uuid.uuid4().hex[:6]
        self.kit, self.tablet, self.base = (f"ck{tag}-{n}" for n in ("kit", "tab", "base"))

    def __enter__(self):
        try:
            for ns in (self.kit, self.tablet, self.base):
                ip("netns", "add", ns)
                ip("-n", ns, "link", "set", "lo", "up")
            self._pair("wlan0", self.kit, KIT_TABLETS, "tab0", self.tablet, TABLET)
            self._pair("uplink0", self.kit, KIT_UPLINK, "base0", self.base, BASE)
        except BaseException:  # __exit__ is not called when __enter__ fails: do not leave any behind
            self.__exit__()
            raise
        return self

    @staticmethod
    def _pair(left, left_ns, left_ip, right, right_ns, right_ip):
        ip("link", "add", left, "netns", left_ns, "type", "veth", "peer", right, "netns", right_ns)
        ip("-n", left_ns, "addr", "add", f"{left_ip}/24", "dev", left)
        ip("-n", right_ns, "addr", "add", f"{right_ip}/24", "dev", right)
        ip("-n", left_ns, "link", "set", left, "up")
        ip("-n", right_ns, "link", "set", right, "up")

    def __exit__(self, *exc):
        for ns in (self.kit, self.tablet, self.base):
            subprocess.run(["ip", "netns", "del", ns], check=False, capture_output=True)

    def popen(self, ns, args, env, log):
        return subprocess.Popen(
            ["ip", "netns", "exec", ns, *args],
            env={**os.environ, **env},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def get(self, ns, url, timeout=3):
        """GET a URL from inside a namespace; return (status, body) or (None, error)."""
        return rootfs.fetch(["ip", "netns", "exec", ns], url, timeout)

    def rx_bytes(self, ns, dev):
        out = ip("-n", ns, "-s", "link", "show", dev).stdout
        return int(re.search(r"RX:.*\n\s+(\d+)", out).group(1))


def wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise TimeoutError(what)


class DispatcherStandIn:
    """Watch the kit namespace's links and run the dispatcher hook as NetworkManager would."""

    def __init__(self, nets, kit_env):
        self.calls = []
        self.monitor = subprocess.Popen(
            ["ip", "-n", nets.kit, "monitor", "link"], stdout=subprocess.PIPE, text=True
        )
        self.env = {
            "PATH": os.environ["PATH"],
            "CONNECTION_ID": "Wired connection 1",
            "CLASSROOM_KIT_BIN": str(ROOT / ".venv/bin/kit"),
            "CLASSROOM_KIT_USER": "root",
            **kit_env,
        }
        self.thread = threading.Thread(target=self._watch, daemon=True)
        self.thread.start()

    def _watch(self):
        for line in self.monitor.stdout:
            if "uplink0" in line and "state UP" in line:
                started = time.monotonic()
                result = subprocess.run(
                    [str(HOOK), "uplink0", "up"], env=self.env, capture_output=True, text=True, timeout=30
                )
                self.calls.append((started, result.returncode))

    def close(self):
        self.monitor.terminate()
        self.monitor.wait(5)


@pytest.fixture
def nets():
    with Namespaces() as made:
        yield made


def start_hub(nets, folder, port):
    def run(*a):
        return subprocess.run(
            [sys.executable, "-m", "kit", "hub", *a],
            cwd=ROOT,
            env={**os.environ, "KIT_HUB_DATA": str(folder)},
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        )

    run("init")
    log = open(folder.parent / "hub.log", "ab")
    process = nets.popen(
        nets.base,
        [sys.executable, "-m", "kit", "hub", "serve", "--host", BASE, "--port", str(port)],
        {"KIT_DATA": str(folder)},
        log,
    )
    wait(
        lambda: nets.get(nets.base, f"http://{BASE}:{port}/sync/v1/ping")[0] == 200,
        30,
        "the hub did not start",
    )
    return process, run


def test_uplink_coming_up_makes_the_kit_sync_within_seconds(nets, tmp_path):
    port = 18090
    hub, hub_cli = start_hub(nets, tmp_path / "hub", port)
    kit = Kit(tmp_path / "kit", env={"KIT_HUB_ALLOW_HTTP": "1"})
    env = {**FAST, "KIT_DATA": str(kit.data_dir), "KIT_HUB_ALLOW_HTTP": "1"}
    kit("init", "--site", "Truck 3")
    code = hub_cli("enroll-code", "--name", "Truck 3").stdout.strip()
    subprocess.run(
        [
            "ip",
            "netns",
            "exec",
            nets.kit,
            sys.executable,
            "-m",
            "kit",
            "sync",
            "enroll",
            "--hub",
            f"http://{BASE}:{port}",
            "--code",
            code,
        ],
        env={**os.environ, **env},
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    server = nets.popen(
        nets.kit,
        [sys.executable, "-m", "kit", "serve", "--host", "0.0.0.0", "--port", "8080"],
        env,
        open(tmp_path / "kit.log", "ab"),
    )
    stand_in = None
    try:
        # The tablet reaches the kit over the hotspot link.
        wait(
            lambda: nets.get(nets.tablet, f"http://{KIT_TABLETS}:8080/healthz")[0] == 200,
            30,
            "the tablet cannot reach the kit",
        )
        # The agent's first sync at start is done: its next one is an hour away, so only
        # the hook's poke can make it sync again soon (a first attempt failing while the
        # link is down would retry on its own within the backoff and race the hook).
        wait(lambda: kit.status()["last_success"], 30, "the kit's first sync did not finish")
        # The kit leaves base: uplink down, then the class works.
        ip("-n", nets.kit, "link", "set", "uplink0", "down")
        made = kit.add_events(12)
        base_rx = nets.rx_bytes(nets.base, "base0")
        time.sleep(3)

        def held():
            return {r[0] for r in _hub_rows(tmp_path / "hub")}

        assert not held() & set(made), "events reached the hub while the link was down"
        assert nets.rx_bytes(nets.base, "base0") == base_rx, "the kit sent packets to base"
        # Back at base: the link comes up, the hook pokes the agent, the kit syncs.
        stand_in = DispatcherStandIn(nets, {"CLASSROOM_KIT_DATA": str(kit.data_dir)})
        time.sleep(0.3)
        up = time.monotonic()
        ip("-n", nets.kit, "link", "set", "uplink0", "up")
        wait(
            lambda: set(made) <= held(),
            PROMISED_SECONDS,
            f"the kit did not sync within {PROMISED_SECONDS} s of the link coming up",
        )
        took = time.monotonic() - up
        # The sync can land before the hook's `kit sync poke` process has even exited.
        wait(lambda: stand_in.calls, 30, "the dispatcher hook did not finish")
        assert stand_in.calls[0][1] == 0
        assert (kit.data_dir / "sync" / "poke").exists()  # the hook's `kit sync poke`
        assert took < PROMISED_SECONDS
        # The sync interval is an hour here: only the poke can have made it this fast.
        assert int(env["KIT_SYNC_INTERVAL_S"]) > 60
    finally:
        if stand_in:
            stand_in.close()
        for process in (server, hub):
            process.terminate()
            process.wait(10)


def _hub_rows(folder):
    import sqlite3

    conn = sqlite3.connect(folder / "hub.db")
    try:
        return conn.execute("SELECT uuid FROM hub_event").fetchall()
    finally:
        conn.close()


def test_hook_ignores_the_hotspot_and_other_actions_and_never_fails(tmp_path):
    kit = Kit(tmp_path / "kit")
    kit("init", "--site", "Truck 3")
    env = {
        "PATH": os.environ["PATH"],
        "CLASSROOM_KIT_BIN": str(ROOT / ".venv/bin/kit"),
        "CLASSROOM_KIT_DATA": str(kit.data_dir),
        "CLASSROOM_KIT_USER": "root",
    }
    before = sorted(p.name for p in (tmp_path / "kit").rglob("*"))
    cases = [
        (["wlan0", "up"], {"CONNECTION_ID": "classroom-kit-hotspot"}),
        (["eth0", "down"], {"CONNECTION_ID": "Wired connection 1"}),
        (["", "connectivity-change"], {"CONNECTIVITY_STATE": "LIMITED"}),
        (["eth0", "up"], {"CONNECTION_ID": "Wired connection 1"}),  # not enrolled: harmless
    ]
    for args, extra in cases:
        result = subprocess.run(
            [str(HOOK), *args], env={**env, **extra}, capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "kit").rglob("*")) == before
    missing = subprocess.run(
        [str(HOOK), "eth0", "up"],
        capture_output=True,
        text=True,
        env={**env, "CLASSROOM_KIT_BIN": "/nowhere/kit"},
        timeout=10,
    )
    assert missing.returncode == 0
