"""The kit's own side of deployment: board ids and cloned cards, systemd's notify socket
and watchdog, captive-portal answers, and the settings file under /etc.
"""

import os
import re
import socket
import time

import pytest
import requests

from kit import hardware
from tests.conftest import KitServer


def test_pi_serial_comes_from_the_devicetree_then_cpuinfo(tmp_path):
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc/cpuinfo").write_text("processor\t: 0\nSerial\t\t: 10000000abcdef01\n")
    assert hardware.board_id(tmp_path, environ={}) == "pi:10000000abcdef01"
    dt = tmp_path / "sys/firmware/devicetree/base"
    dt.mkdir(parents=True)
    (dt / "serial-number").write_bytes(b"ABCDEF0123456789\x00")
    assert hardware.board_id(tmp_path, environ={}) == "pi:abcdef0123456789"


def test_laptop_uuid_comes_from_the_systemd_credential(tmp_path):
    creds = tmp_path / "creds"
    creds.mkdir()
    (creds / "product_uuid").write_text("4C4C4544-0042-3510-8052-B4C04F384E32\n")
    env = {"CREDENTIALS_DIRECTORY": str(creds)}
    assert hardware.board_id(tmp_path, environ=env) == "dmi:4c4c4544-0042-3510-8052-b4c04f384e32"


@pytest.mark.parametrize(
    "placeholder",
    [
        "00000000-0000-0000-0000-000000000000",
        "03000200-0400-0500-0006-000700080009",
        "Not Settable",
        "0000000000000000",
    ],
)
def test_firmware_placeholders_are_no_board_id(tmp_path, placeholder):
    dmi = tmp_path / "sys/class/dmi/id"
    dmi.mkdir(parents=True)
    (dmi / "product_uuid").write_text(placeholder + "\n")
    assert hardware.board_id(tmp_path, environ={}) == ""
    assert hardware.board_id(tmp_path, environ={}, override=" pi:given ") == "pi:given"


def identity(kit):
    out = kit("identity", "show").stdout
    return dict(line.split(" ", 1) for line in out.strip().splitlines())


def test_cloned_card_takes_a_fresh_uuid_and_keeps_its_site(kit):
    kit("init", "--site", "Truck 3", "--location", "Mopti", env={"KIT_BOARD_ID": "pi:aaa"})
    first = identity(kit)
    assert first["board"] == "pi:aaa"
    same = kit("identity", "check", env={"KIT_BOARD_ID": "pi:aaa"}).stdout
    assert "same board as before" in same and identity(kit) == first
    unknown = kit("identity", "check", env={"KIT_BOARD_ID": ""}).stdout
    assert "no readable serial" in unknown or "same board" in unknown
    assert identity(kit)["kit"] == first["kit"]
    cloned = kit("identity", "check", env={"KIT_BOARD_ID": "pi:bbb"}).stdout
    after = identity(kit)
    assert after["kit"] != first["kit"] and f"this kit is now {after['kit']}" in cloned
    assert after["site"] == "Truck 3" and after["board"] == "pi:bbb"


def test_kit_serve_renews_a_cloned_identity_before_it_serves(initialised, kit):
    kit("identity", "check", env={"KIT_BOARD_ID": "pi:original"})
    before = identity(kit)["kit"]
    server = KitServer(initialised, env={"KIT_BOARD_ID": "pi:other", "KIT_CAPTIVE_PORTAL": "1"})
    server.start()
    try:
        body = requests.get(server.url + "/healthz", timeout=5).json()
    finally:
        server.stop()
    assert body["kit_id"] != before and body["site"] == "Test School"
    assert "cloned card" in server.log.read_text()


def test_identity_check_without_a_kit_says_what_to_do(kit, data_dir):
    result = kit("identity", "check", check=False)
    assert result.returncode == 1
    assert "this kit has no identity yet: run `kit init --site NAME`" in result.stderr


def notify_socket(tmp_path):
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(0.2)
    return sock, path


def messages(sock, until, seconds=15):
    """Collect datagrams until one contains `until` (bounded in time)."""
    got = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not any(until in m for m in got):
        try:
            got.append(sock.recv(4096).decode())
        except TimeoutError:
            pass
    return got


def test_serve_says_ready_and_pings_the_watchdog_after_healthy_answers(initialised, tmp_path):
    sock, path = notify_socket(tmp_path)
    server = KitServer(initialised, env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "400000"})
    server.start()
    try:
        got = messages(sock, "WATCHDOG=1")
    finally:
        server.stop()
        sock.close()
    assert got[0].startswith("READY=1\nSTATUS=serving on port")
    assert "WATCHDOG=1" in got


def test_watchdog_meant_for_another_process_is_not_started(initialised, tmp_path):
    sock, path = notify_socket(tmp_path)
    server = KitServer(
        initialised, env={"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "400000", "WATCHDOG_PID": "1"}
    )
    server.start()
    try:
        got = messages(sock, "WATCHDOG=1", seconds=1.5)
    finally:
        server.stop()
        sock.close()
    assert got and got[0].startswith("READY=1") and not any("WATCHDOG" in m for m in got)


def test_notify_without_systemd_does_nothing_and_a_dead_socket_is_only_logged(tmp_path, caplog):
    from kit import systemd

    assert systemd.notify("READY=1", environ={}) is False
    assert systemd.notify("READY=1", environ={"NOTIFY_SOCKET": str(tmp_path / "gone")}) is False
    assert "could not notify systemd" in caplog.text


def test_captive_checks_get_the_welcome_page_with_the_kit_address(initialised):
    server = KitServer(initialised, env={"KIT_PUBLIC_URL": "http://school.lan/"}).start()
    try:
        for path in ("/generate_204", "/hotspot-detect.html", "/connecttest.txt"):
            response = requests.get(server.url + path, timeout=5)
            assert response.status_code == 200
            assert "Welcome to Classroom Kit" in response.text
            assert 'href="http://school.lan/"' in response.text and "Test School" in response.text
            assert response.headers["Cache-Control"] == "no-store"
        french = requests.get(server.url + "/generate_204", timeout=5, headers={"Accept-Language": "fr"})
        assert "Bienvenue" in french.text
    finally:
        server.stop()


def test_silent_kit_answers_captive_checks_as_the_internet_would(initialised):
    server = KitServer(initialised, env={"KIT_CAPTIVE_PORTAL": "false"}).start()
    try:
        android = requests.get(server.url + "/generate_204", timeout=5)
        assert android.status_code == 204 and android.content == b""
        apple = requests.get(server.url + "/hotspot-detect.html", timeout=5)
        assert apple.status_code == 200 and "<TITLE>Success</TITLE>" in apple.text
        windows = requests.get(server.url + "/connecttest.txt", timeout=5)
        assert windows.text == "Microsoft Connect Test"
    finally:
        server.stop()


def test_settings_file_under_etc_is_read_and_data_folder_file_wins(initialised, kit, tmp_path):
    etc = tmp_path / "settings.toml"
    etc.write_text('captive_portal = false\npublic_url = "http://etc.lan/"\n')
    (initialised / "settings.toml").write_text('public_url = "http://data.lan/"\n')
    from kit import settings

    values = settings.load(initialised, environ={"KIT_SETTINGS_FILE": str(etc)})
    assert values["captive_portal"] is False and values["public_url"] == "http://data.lan/"


@pytest.mark.parametrize(
    "content,message",
    [
        (None, "KIT_SETTINGS_FILE: {path} is not a file"),
        ("nonsense = 1\n", "{path}: unknown setting 'nonsense'"),
        ('data = "/elsewhere"\n', "{path}: unknown setting 'data'"),
        ('captive_portal = "maybe"\n', "{path}: captive_portal must be true or false"),
        ("port = [\n", "{path}: not valid TOML"),
    ],
)
def test_bad_settings_file_is_refused_with_a_clear_message(initialised, kit, tmp_path, content, message):
    path = tmp_path / "etc-settings.toml"
    if content is not None:
        path.write_text(content)
    before = sorted(os.listdir(initialised)), (initialised / "kit.db").read_bytes()
    result = kit("identity", "show", check=False, env={"KIT_SETTINGS_FILE": str(path)})
    assert result.returncode == 2
    assert message.format(path=path) in result.stderr
    assert (sorted(os.listdir(initialised)), (initialised / "kit.db").read_bytes()) == before
    assert re.match(r"error: ", result.stderr)


def test_identity_set_renames_the_site_and_keeps_the_uuid(initialised, kit):
    before = identity(kit)
    out = kit("identity", "set", "--site", "Truck 4", "--location", "Ségou").stdout
    after = identity(kit)
    assert after["kit"] == before["kit"] and after["site"] == "Truck 4"
    assert "location 'Ségou'" in out


@pytest.mark.parametrize(
    "args,message",
    [
        ((), "give --site, --location or both"),
        (("--site", "  "), "error: the site name must not be empty"),
    ],
)
def test_identity_set_refuses_nothing_or_an_empty_site(initialised, kit, args, message):
    before = identity(kit)
    result = kit("identity", "set", *args, check=False)
    assert result.returncode != 0 and message in result.stderr
    assert identity(kit) == before
