"""Start and stop the servers under test: `kit serve`, the bare Flask baseline, the hub.

Each runs as its own process (optionally pinned with taskset) so its memory and CPU
can be read from /proc and so the load generator never shares its interpreter.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port():
    """Return a TCP port that is free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_200(url, process, timeout=30.0):
    """Poll url until it answers 200; return seconds waited. Fail if the process dies."""
    start = time.monotonic()
    deadline = start + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode} before {url} answered")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.monotonic() - start
        except OSError:
            pass
        time.sleep(0.005)
    raise TimeoutError(f"{url} did not answer 200 within {timeout}s")


class Server:
    """A server subprocess on a loopback port; `url`, `pid`, `start()`, `stop()`."""

    health = "/healthz"

    def __init__(self, argv, env=None, cpus=None, log=None, host="127.0.0.1", port=None):
        self.port = port or free_port()
        self.host = host
        self.argv = [a.replace("{port}", str(self.port)) for a in argv]
        if cpus:
            self.argv = ["taskset", "-c", cpus, *self.argv]
        self.env = {**os.environ, **(env or {})}
        self.log = log or os.devnull
        self.process = None
        self.started_in = None

    @property
    def url(self):
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self):
        return self.process.pid

    def start(self, timeout=30.0):
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.argv, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        self.started_in = wait_200(self.url + self.health, self.process, timeout)
        return self

    def stop(self):
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class KitServer(Server):
    """A real `kit serve` for a data folder on a free loopback port, as shipped (the sync
    agent waits for enrolment); threads and workers left out take the kit's defaults.

    The benches and the tests use this one class (tests/conftest.py imports it); its log
    goes beside the data folder unless given.
    """

    def __init__(self, data_dir, port=None, env=None, threads=None, workers=None, cpus=None, log=None):
        argv = [PY, "-m", "kit", "serve", "--host", "127.0.0.1", "--port", "{port}"]
        if threads:
            argv += ["--threads", str(threads)]
        if workers is not None:
            argv += ["--workers", str(workers)]
        super().__init__(argv, env={"KIT_DATA": str(data_dir), **(env or {})}, cpus=cpus, port=port)
        self.data_dir = data_dir
        self.log = Path(log) if log else Path(data_dir).parent / f"serve-{self.port}.log"

    def kill(self):
        """kill -9 the server (the supervisor: its workers die with it)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(5)


def kit_server(data_dir, threads=None, cpus=None, log=None, workers=None):
    """A KitServer with the benches' options (see KitServer)."""
    return KitServer(data_dir, threads=threads, workers=workers, cpus=cpus, log=log)


def baseline_server(threads=8, cpus=None, log=None):
    """The bare Flask 'hello' app on waitress with the same thread count."""
    argv = [PY, "-m", "bench.baseline_app", "--port", "{port}", "--threads", str(threads)]
    return Server(argv, cpus=cpus, log=log)


def fresh_copy(template, target):
    """Copy a prepared data folder so each run starts from the same state."""
    target = Path(target)
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(template, target)
    return target
