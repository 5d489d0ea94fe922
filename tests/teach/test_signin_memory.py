"""Teachers signing in at once on a real `kit serve`: scrypt's 16 MB are taken one at a time
and handed back after each."""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.conftest import KitServer, run_kit

TEACHERS = 6
PASSWORD = "long-enough-pass-1"


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        line = next(l for l in status if l.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def sign_in(url, username):
    with requests.Session() as session:
        page = session.get(url + "/teach/login", timeout=30).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        answer = session.post(
            url + "/teach/login",
            timeout=60,
            allow_redirects=False,
            data={"username": username, "password": PASSWORD, "csrf_token": token},
        )
        return answer.status_code, answer.headers.get("Location")


def test_a_burst_of_sign_ins_adds_one_hash_worth_of_memory(initialised):
    for n in range(TEACHERS):
        run_kit(
            initialised,
            "users",
            "add",
            f"teacher{n}",
            "--role",
            "admin" if n == 0 else "teacher",
            "--password-stdin",
            input=PASSWORD + "\n",
        )
    server = KitServer(initialised).start()
    try:
        assert sign_in(server.url, "teacher0") == (302, "/teach/")  # warm: pages, one hash
        time.sleep(0.5)
        before, peak, done = rss_mb(server.process.pid), 0.0, threading.Event()

        def watch():
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_mb(server.process.pid))
                time.sleep(0.002)

        watcher = threading.Thread(target=watch)
        watcher.start()
        with ThreadPoolExecutor(TEACHERS) as pool:
            codes = list(pool.map(lambda n: sign_in(server.url, f"teacher{n}"), range(TEACHERS)))
        done.set()
        watcher.join()
        time.sleep(0.3)
        settled = rss_mb(server.process.pid)
    finally:
        server.stop()
    assert codes == [(302, "/teach/")] * TEACHERS  # each password really checked
    # One scrypt at a time: +16 MB and change; six at once would have added up to 96 MB,
    # and without handing the block back each thread's malloc arena would keep its 16 MB.
    assert peak - before < 28, (before, peak)
    assert settled - before < 10, (before, settled)
