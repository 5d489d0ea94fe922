"""The hub's sign-ins end at once and idle out (issue 12, finding 2), it never redirects
off-site after sign-in (finding 5), and its sign-in limit counts an address across names
(finding 6). Against a real hub process."""

import re
import time

import requests

from .conftest import HUB_ENV, Hub


def csrf(page):
    return re.search(r'name="csrf_token" value="([^"]+)"', page)[1]


def sign_in(hub, password="correct horse", name="admin", next_=None):
    """Sign in through the real form; return (session, the POST's response)."""
    s = requests.Session()
    form = s.get(hub.url + "/signin", timeout=5).text
    answer = s.post(
        hub.url + "/signin",
        params={"next": next_} if next_ else None,
        allow_redirects=False,
        data={"username": name, "password": password, "csrf_token": csrf(form)},
        timeout=10,
    )
    return s, answer


def replay(hub, cookies):
    return requests.get(hub.url + "/", cookies=cookies, allow_redirects=False, timeout=5).status_code


def test_sign_out_a_new_password_and_deactivation_end_hub_sessions(hub):
    s, answer = sign_in(hub)
    assert answer.status_code == 302
    copy = s.cookies.get_dict()
    assert replay(hub, copy) == 200
    s.post(hub.url + "/signout", data={"csrf_token": csrf(s.get(hub.url + "/", timeout=5).text)}, timeout=5)
    assert replay(hub, copy) == 302

    phone, laptop = sign_in(hub)[0], sign_in(hub)[0]
    hub.kit("users", "password", "admin", "--password-stdin", input="a new horse 5\n")
    assert replay(hub, phone.cookies.get_dict()) == 302 and replay(hub, laptop.cookies.get_dict()) == 302
    assert sign_in(hub)[1].status_code == 401
    s, answer = sign_in(hub, "a new horse 5")
    assert answer.status_code == 302

    hub.kit("users", "deactivate", "admin")
    assert replay(hub, s.cookies.get_dict()) == 302
    assert sign_in(hub, "a new horse 5")[1].status_code == 401
    hub.kit("users", "activate", "admin")
    assert replay(hub, s.cookies.get_dict()) == 302  # ended, not paused
    assert sign_in(hub, "a new horse 5")[1].status_code == 302
    missing = hub.kit("users", "deactivate", "nobody", check=False)
    assert missing.returncode == 1 and "no hub account 'nobody'" in missing.stderr


def test_a_hub_session_idles_out(tmp_path):
    hub = Hub(tmp_path / "hub", env={**HUB_ENV, "KIT_HUB_SESSION_IDLE_S": "2"}).setup()
    try:
        s, _ = sign_in(hub)
        assert replay(hub, s.cookies.get_dict()) == 200
        time.sleep(3)
        assert replay(hub, s.cookies.get_dict()) == 302
    finally:
        hub.stop()


def test_sign_in_never_redirects_off_site(sqlite_hub):
    for hostile in (
        "/\t/evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "https://evil.example/",
        "/\n/evil.example",
        " //evil.example",
        "javascript:alert(1)",
    ):
        _, answer = sign_in(sqlite_hub, next_=hostile)
        assert answer.status_code == 302 and answer.headers["Location"] == "/", repr(hostile)
    raw = requests.Session()
    form = raw.get(sqlite_hub.url + "/signin", timeout=5).text
    encoded = raw.post(
        sqlite_hub.url + "/signin?next=/%09/evil.example/",
        allow_redirects=False,
        timeout=10,
        data={"username": "admin", "password": "correct horse", "csrf_token": csrf(form)},
    )
    assert encoded.headers["Location"] == "/"
    _, kept = sign_in(sqlite_hub, next_="/reports/hours")
    assert kept.headers["Location"] == "/reports/hours"


def test_hub_sign_in_limit_counts_an_address_across_names(tmp_path):
    hub = Hub(tmp_path / "hub", env={**HUB_ENV, "KIT_HUB_LOGIN_ADDRESS_ATTEMPTS": "4"}).setup()
    try:
        assert [sign_in(hub, "wrong", f"ghost{i}")[1].status_code for i in range(4)] == [401] * 4
        assert sign_in(hub)[1].status_code == 429  # the right password, from the same address
        hub.stop()
        hub.start()
        assert sign_in(hub)[1].status_code == 429
    finally:
        hub.stop()
