"""One safe-redirect check for kit and hub (issue 12, finding 5): hostile next= values,
as browsers would read them, never leave the server."""

import pytest

from kit.web.redirects import local_path
from tests.conftest import ADMIN

FALLBACK = "/home"

HOSTILE = [
    None,
    5,
    "",
    "evil.example",
    "http://evil.example/",
    "https://evil.example",
    "HTTPS://evil.example",
    "//evil.example/",
    "///evil.example/",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "\\/evil.example",
    "/\t/evil.example/",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "\t//evil.example",
    " //evil.example",
    "/ /evil.example",
    "\x00//evil.example",
    "/\x00/evil.example",
    "/\x7f/evil.example",
    "/\x1b/evil.example",
    "/\u3000/evil.example",
    "/\u00a0/evil.example",
    "\uff0f\uff0fevil.example",
    "/\u2044evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>x</script>",
    "http:/evil.example",
    "http:evil.example",
    "mailto:a@evil.example",
    "/" + "a" * 3000,
]

SAFE = [
    "/",
    "/teach/",
    "/teach/classes/3?tab=roster",
    "/reports/hours",
    "/%2F%2Fevil.example",
    "/%09/evil.example/",
    "/a/b#c",
    "/teach/login?next=/teach/",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_targets_fall_back(target):
    assert local_path(target, FALLBACK) == FALLBACK


@pytest.mark.parametrize("target", SAFE)
def test_local_paths_are_kept(target):
    assert local_path(target, FALLBACK) == target


def test_the_kit_sign_in_never_redirects_off_site(kit_server_with_admin):
    server, sign_in = kit_server_with_admin
    for hostile in ("/\t/evil.example/", "//evil.example/", "/\\evil.example", "https://evil.example/"):
        assert sign_in(hostile).headers["Location"] == "/teach/", repr(hostile)
    assert sign_in("/teach/classes").headers["Location"] == "/teach/classes"


@pytest.fixture
def kit_server_with_admin(initialised):
    import re

    import requests

    from tests.conftest import KitServer, run_kit

    run_kit(
        initialised, "users", "add", "boss", "--role", "admin", "--password-stdin", input="boss-password-1\n"
    )
    server = KitServer(initialised).start()

    def sign_in(next_):
        s = requests.Session()
        form = s.get(server.url + "/teach/login", timeout=10).text
        token = re.search(r'name="csrf_token" value="([^"]+)"', form)[1]
        return s.post(
            server.url + "/teach/login",
            params={"next": next_},
            allow_redirects=False,
            timeout=20,
            data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token},
        )

    yield server, sign_in
    server.stop()
