"""A kit and a hub on one machine (a field laptop, a training room): one browser signed in
to both stays signed in to both. A browser sends a host's cookies to every port on it, so
the two must not share a cookie name."""

import re

import requests

from tests.conftest import KitServer, run_kit

from .test_hub_sessions import csrf

PASSWORD = "long-enough-pass-1"


def test_one_browser_stays_signed_in_to_a_kit_and_a_hub_on_the_same_host(initialised, sqlite_hub):
    for name, role in (("boss", "admin"), ("tina", "teacher")):
        run_kit(initialised, "users", "add", name, "--role", role, "--password-stdin", input=PASSWORD + "\n")
    kit = KitServer(initialised).start()
    try:
        browser = requests.Session()  # one cookie jar for 127.0.0.1, whatever the port
        form = browser.get(kit.url + "/teach/login", timeout=30).text
        signed = browser.post(
            kit.url + "/teach/login",
            data={"username": "tina", "password": PASSWORD, "csrf_token": csrf(form)},
            allow_redirects=False,
            timeout=30,
        )
        assert signed.status_code == 302 and signed.headers["Location"] == "/teach/"
        form = browser.get(sqlite_hub.url + "/signin", timeout=30).text
        signed = browser.post(
            sqlite_hub.url + "/signin",
            data={"username": "admin", "password": "correct horse", "csrf_token": csrf(form)},
            allow_redirects=False,
            timeout=30,
        )
        assert signed.status_code == 302
        assert sorted(c.name for c in browser.cookies) == ["hub_session", "kit_session"]
        # Both still signed in, each after the other has set its cookie again.
        for _ in range(2):
            teach = browser.get(kit.url + "/teach/", allow_redirects=False, timeout=30)
            assert teach.status_code == 200 and re.search(r"Sign out", teach.text)
            home = browser.get(sqlite_hub.url + "/", allow_redirects=False, timeout=30)
            assert home.status_code == 200
    finally:
        kit.stop()
