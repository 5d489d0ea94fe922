"""A real Ralph LRS (ralph-malph, file-system backend) on a loopback port, for the forwarding tests."""

import json
import os
import subprocess
import sys
from pathlib import Path

import bcrypt

from tests.conftest import free_port

USER, PASSWORD = "hub", "lrs-password-1"
# Ralph's file-system LRS backend writes each request with "index", which refuses a file that
# exists: a second POST fails with 500 (Ralph 5.1.0). Its data backend appends when told to, so
# the server starts with that one default changed; the rest (the API, auth, the duplicate-id
# check against stored statements) is Ralph's own.
SERVE = """
import sys
import uvicorn
from ralph.backends.data.base import BaseOperationType
from ralph.backends.lrs.fs import FSLRSBackend
FSLRSBackend.default_operation_type = BaseOperationType.APPEND
uvicorn.run("ralph.api:app", host="127.0.0.1", port=int(sys.argv[1]), log_level="info")
"""


class Ralph:
    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.process = None
        hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode()
        self.auth = self.folder / "auth.json"
        self.auth.write_text(
            json.dumps(
                [
                    {
                        "username": USER,
                        "hash": hashed,
                        "scopes": ["all"],
                        "agent": {"mbox": "mailto:hub@example.org"},
                    }
                ]
            )
        )

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def start(self):
        import requests

        env = {
            **os.environ,
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.folder / "data"),
            "RALPH_AUTH_FILE": str(self.auth),
            "RALPH_APP_DIR": str(self.folder),
        }
        (self.folder / "data").mkdir(exist_ok=True)
        with open(self.folder / "ralph.log", "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", SERVE, str(self.port)],
                env=env,
                cwd=self.folder,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        import time

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError((self.folder / "ralph.log").read_text()[-2000:])
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=2).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise RuntimeError("Ralph did not start within 60 s")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)
        self.process = None

    def stored_ids(self):
        """Every statement id in the backend's files, as a list (a duplicate would show)."""
        ids = []
        for path in sorted((self.folder / "data").glob("*")):
            for line in path.read_text().splitlines():
                if line.strip():
                    ids.append(json.loads(line)["id"])
        return ids
