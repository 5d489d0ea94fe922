"""A sync cycle that dies of an unexpected error leaves that fact in the state row, not a
stage that no longer runs (the status page and `kit sync status` read the row)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import make_kit


class BrokenHub(BaseHTTPRequestHandler):
    """Enrols a kit like a hub, has no changes for it, then answers hello without the clock."""

    def do_GET(self):
        self._answer({"changes": [], "more": False})  # /sync/v1/changes: nothing from afar

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path == "/sync/v1/enroll":
            body = {"secret": "s" * 43, "name": "Broken hub"}
        else:
            body = {"name": "Broken hub"}  # no hub_ms, ack, acked_anchor
        self._answer(body)

    def _answer(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def broken_hub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), BrokenHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_crashed_cycle_is_recorded_with_its_stage_and_backs_off(tmp_path, broken_hub):
    kit = make_kit(tmp_path, "k")
    kit("sync", "enroll", "--hub", broken_hub, "--code", "any-code")

    result = kit("sync", "now", check=False)

    assert result.returncode == 1 and result.stdout.strip() == "crashed"
    info = json.loads(kit("sync", "status", "--json").stdout)
    assert info["stage"] == "backoff"  # not "probing": the cycle is not running any more
    assert info["last_result"] == "crashed" and info["attempts"] == 1
    assert info["last_error"].startswith("sync stopped by an unexpected error in stage probing: KeyError")
    assert info["last_error_at"] and info["next_attempt"]
    assert info["problem"] == info["last_error"]

    again = kit("sync", "now", check=False)
    assert again.stdout.strip() == "crashed"
    assert json.loads(kit("sync", "status", "--json").stdout)["attempts"] == 2
