"""`kit serve` as shipped: pinned worker processes on one socket, supervised, stopped gently."""

import os
import signal
import socket
import time

import pytest
import requests

from tests.conftest import KitServer


def children(pid):
    """Return the pids of a process's children (from /proc)."""
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as handle:
            found += [int(p) for p in handle.read().split()]
    return found


def wait_for(predicate, seconds=20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def two_workers(initialised):
    server = KitServer(initialised, env={"KIT_WORKERS": "2", "KIT_THREADS": "2"}).start()
    yield server
    server.stop()


def test_each_worker_is_pinned_to_its_own_cpu(two_workers):
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two CPUs")
    workers = wait_for(
        lambda: len(children(two_workers.process.pid)) == 2 and children(two_workers.process.pid)
    )
    pinned = [os.sched_getaffinity(pid) for pid in workers]
    assert all(len(cpus) == 1 for cpus in pinned)
    assert pinned[0] != pinned[1]
    assert (
        "(2 workers x 2 threads, and up to 64 more while live polls are held)" in two_workers.log.read_text()
    )


def test_a_single_process_kit_pins_itself(initialised):
    server = KitServer(initialised, env={"KIT_WORKERS": "1"}).start()
    try:
        assert children(server.process.pid) == []
        assert len(os.sched_getaffinity(server.process.pid)) == 1
    finally:
        server.stop()


def test_a_killed_worker_is_replaced_and_the_kit_keeps_answering(two_workers):
    parent = two_workers.process.pid
    first = wait_for(lambda: len(children(parent)) == 2 and children(parent))
    os.kill(first[0], signal.SIGKILL)
    replaced = wait_for(
        lambda: len(children(parent)) == 2 and first[0] not in children(parent) and children(parent)
    )
    assert first[1] in replaced
    for _ in range(20):  # whichever worker takes the connection answers
        with requests.Session() as fresh:
            assert fresh.get(two_workers.url + "/healthz", timeout=10).status_code == 200
    assert "was killed by signal 9" in two_workers.log.read_text()


def test_workers_stop_when_their_supervisor_is_killed(two_workers):
    parent = two_workers.process.pid
    workers = wait_for(lambda: len(children(parent)) == 2 and children(parent))
    ours = requests.get(two_workers.url + "/healthz", timeout=10).json()["kit_id"]
    two_workers.process.kill()
    two_workers.process.wait(10)

    def gone(pid):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                return stat.read().rsplit(")", 1)[1].split()[0] == "Z"  # reaped by init soon
        except FileNotFoundError:
            return True

    wait_for(lambda: all(gone(pid) for pid in workers))
    try:
        socket.create_connection(("127.0.0.1", two_workers.port), timeout=2).close()
    except OSError:
        return  # nobody serves the port any more
    # The freed port went to another test's server (the suite runs on several workers, each
    # starting servers on free ports; a clean-clone run once connected here): not this kit.
    try:
        answer = requests.get(two_workers.url + "/healthz", timeout=5).json().get("kit_id")
    except (requests.RequestException, ValueError):
        return
    assert answer != ours, "the killed supervisor's workers still serve its port"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_finishes_the_request_in_hand_then_stops(initialised, workers):
    """A request half received when SIGTERM comes is still answered; then the kit exits 0."""
    server = KitServer(initialised, env={"KIT_WORKERS": workers}).start()
    body = b'{"pack_id": "mini"}'
    conn = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    try:
        conn.sendall(
            b"POST /api/v1/answers HTTP/1.1\r\nHost: kit\r\nContent-Type: "
            b"application/json\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:5]
        )
        time.sleep(0.3)  # the worker has the request's head
        server.process.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert server.process.poll() is None  # waiting for the rest of the request
        conn.sendall(body[5:])
        answer = b""
        while chunk := conn.recv(65536):  # until the stopping worker closes it
            answer += chunk
    finally:
        conn.close()
    assert answer.startswith(b"HTTP/1.1 ")
    assert b'"error"' in answer  # the API's envelope: the app handled it
    assert server.process.wait(20) == 0
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2).close()


def test_idle_keep_alive_connections_do_not_hold_up_a_stop(two_workers):
    session = requests.Session()
    assert session.get(two_workers.url + "/healthz", timeout=5).status_code == 200
    started = time.monotonic()
    two_workers.process.send_signal(signal.SIGTERM)
    assert two_workers.process.wait(20) == 0
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("value", ["-1", "many"])
def test_a_bad_worker_count_is_refused_with_a_clear_message(initialised, kit, value):
    import subprocess

    from tests.conftest import KIT, ROOT

    result = subprocess.run(
        [*KIT, "serve", "--port", "0"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "KIT_DATA": str(initialised), "KIT_WORKERS": value},
    )
    assert result.returncode == 2
    assert "workers" in result.stderr and result.stderr.startswith("error: ")
