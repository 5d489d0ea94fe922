"""Shared fixtures: a fresh data folder per test, the app, the CLI, a real `kit serve`.

Tests live under tests/ with importlib import mode, so they never shadow `kit` or `sync`.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from bench.servers import KitServer  # one `kit serve` wrapper for tests and benches

__all__ = ["KitServer"]  # imported from here by many tests

ROOT = Path(__file__).resolve().parent.parent
KIT = [sys.executable, "-m", "kit"]
ADMIN = ("boss", "boss-password-1")  # the admin account the teacher, browser and route tests make


def free_port():
    """Return a TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=20.0, process=None):
    """Poll a URL until it answers 200; fail early if the process died."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            response = requests.get(url, timeout=1)
            if response.status_code == 200:
                return response
            last = response.status_code
        except requests.RequestException as exc:
            last = exc
        time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer 200 within {timeout}s (last: {last})")


@pytest.fixture
def data_dir(tmp_path):
    """A fresh, empty data folder for one test."""
    path = tmp_path / "data"
    path.mkdir()
    return path


def run_kit(data_dir, *args, check=True, env=None, input=None, timeout=120):
    """Run the real `kit` command in a subprocess; return the CompletedProcess."""
    full_env = {**os.environ, "KIT_DATA": str(data_dir), **(env or {})}
    result = subprocess.run(
        [*KIT, *map(str, args)],
        capture_output=True,
        text=True,
        env=full_env,
        input=input,
        timeout=timeout,
        cwd=ROOT,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"kit {' '.join(map(str, args))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
        )
    return result


@pytest.fixture
def kit(data_dir):
    """Call `kit …` against this test's data folder: kit("pack", "list")."""
    return lambda *args, **kw: run_kit(data_dir, *args, **kw)


@pytest.fixture(scope="session")
def _initialised_template(tmp_path_factory):
    """`kit init` run once per session; tests get a copy (a copy is ~1 ms, a run ~1 s)."""
    path = tmp_path_factory.mktemp("template") / "data"
    path.mkdir()
    run_kit(path, "init", "--site", "Test School", "--location", "Testville")
    return path


@pytest.fixture
def initialised(data_dir, _initialised_template):
    """A data folder with a kit identity (a copy of one made by the real `kit init`)."""
    shutil.copytree(_initialised_template, data_dir, dirs_exist_ok=True)
    return data_dir


FIXTURE_PACKS = ROOT / "tests" / "fixtures" / "packs"


@pytest.fixture(scope="session")
def mini_pack_file(tmp_path_factory):
    """The tests' mini pack (tests/fixtures/packs/mini), built once with the real builder."""
    from kit.packs.archive import build

    out = tmp_path_factory.mktemp("packs") / "mini.kitpack"
    build(FIXTURE_PACKS / "mini", out)
    return out


@pytest.fixture(scope="session")
def _installed_template(tmp_path_factory, _initialised_template, mini_pack_file):
    path = tmp_path_factory.mktemp("installed") / "data"
    shutil.copytree(_initialised_template, path)
    run_kit(path, "pack", "import", mini_pack_file)
    return path


@pytest.fixture
def installed_kit(data_dir, _installed_template):
    """A data folder with the mini pack imported through `kit pack import` (a copy, as above)."""
    shutil.copytree(_installed_template, data_dir, dirs_exist_ok=True)
    return data_dir


@pytest.fixture
def app(initialised):
    from kit.app import create_app

    app = create_app(data_dir=initialised)
    app.config.update(TESTING=True)
    yield app
    from kit.db import database

    database.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def kit_server(initialised):
    """Start a real `kit serve` on loopback for this test's data folder; stop it after."""
    server = KitServer(initialised)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def served_kit(installed_kit):
    """A real `kit serve` on loopback with the mini pack installed."""
    server = KitServer(installed_kit)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance():
    """One Playwright for the whole run: its sync API refuses a second in one process."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    """Debian's Chromium, headless, once per session (never a downloaded browser)."""
    browser = playwright_instance.chromium.launch(
        executable_path="/usr/bin/chromium", args=["--no-sandbox"], headless=True
    )
    yield browser
    browser.close()


def pytest_xdist_make_scheduler(config, log):
    """Under pytest-xdist (`-n`, as dev/test runs the suite), each test goes to whichever
    worker is free, but all of tests/deploy to one worker and all of tests/bench to one:
    the deploy tests share the cached Debian roots, their install layers, the kit's wheel
    built from this tree, nspawn machines and network namespaces; the bench smokes share a
    work folder and time their own load. (xdist's own `--dist loadgroup` does not group
    under pytest 9: it renames node ids through an attribute pytest no longer reads.)"""
    from xdist.scheduler import LoadScopeScheduling

    class OneWorkerForSharedState(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            for folder in ("tests/deploy/", "tests/bench/"):
                if nodeid.startswith(folder):
                    return folder
            return nodeid

    return OneWorkerForSharedState(config, log)
