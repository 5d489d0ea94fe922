"""Kit administration: first-run setup, users, packs upload and removal, status, Wi-Fi sheet."""

import re

import pytest
import requests

from kit import passwords
from kit.models import KitIdentity, Pack, User
from kit.web.admin.status import human_bytes, wifi_payload
from tests.conftest import ADMIN

from .helpers import csrf_token, post


@pytest.fixture
def fresh(app):
    """A client on an initialised kit with no accounts yet."""
    from kit.db import database

    database.connect(reuse_if_open=True)
    return app.test_client()


SETUP = {
    "site": "Truck 7",
    "location": "Mopti",
    "display_name": "Awa",
    "username": "awa",
    "password": "awa-password-1",
    "password2": "awa-password-1",
}


def test_new_kit_sends_everyone_to_setup(fresh):
    for url in ("/teach/", "/teach/login", "/admin/", "/admin/users"):
        response = fresh.get(url)
        assert response.status_code == 302 and response.location.endswith("/admin/setup"), url


@pytest.mark.parametrize(
    "change, message",
    [
        ({"site": "  "}, "The site name must not be empty."),
        ({"password2": "something-else"}, "The two passwords are not the same."),
        ({"password": "short", "password2": "short"}, "at least 8 characters"),
        ({"username": "Awa Diallo"}, "a user name is 2 to 32 characters"),
    ],
)
def test_setup_refuses_bad_input_and_changes_nothing(fresh, change, message):
    token = csrf_token(fresh, "/admin/setup")
    response = fresh.post("/admin/setup", data={**SETUP, **change, "csrf_token": token})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert User.select().count() == 0
    assert KitIdentity.get().site == "Test School"


def test_setup_makes_the_admin_names_the_kit_then_closes(fresh):
    token = csrf_token(fresh, "/admin/setup")
    response = fresh.post("/admin/setup", data={**SETUP, "csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/admin/")
    ident = KitIdentity.get()
    assert (ident.site, ident.location) == ("Truck 7", "Mopti")
    assert User.get(User.username == "awa").role == "admin"
    assert "Truck 7" in fresh.get("/admin/").get_data(as_text=True)
    closed = fresh.get("/admin/setup")
    assert closed.status_code == 404 and "already set up" in closed.get_data(as_text=True)
    again = fresh.post(
        "/admin/setup", data={**SETUP, "username": "mallory", "csrf_token": csrf_token(fresh, "/teach/")}
    )
    assert again.status_code == 404
    assert not User.select().where(User.username == "mallory").exists()


def test_setup_on_a_kit_without_identity(data_dir):
    from kit.app import create_app
    from kit.db import database

    app = create_app(data_dir=data_dir)
    client = app.test_client()
    token = csrf_token(client, "/admin/setup")
    assert client.post("/admin/setup", data={**SETUP, "csrf_token": token}).status_code == 302
    assert KitIdentity.get().site == "Truck 7"
    database.close()


def test_admin_adds_and_deactivates_users(admin):
    post(
        admin,
        "/admin/users",
        {"username": "omar", "role": "teacher", "display_name": "Omar", "password": "omar-password"},
        page="/admin/users",
    )
    omar = User.get(User.username == "omar")
    assert omar.role == "teacher" and passwords.check_password(omar.password_hash, "omar-password")
    dup = post(
        admin,
        "/admin/users",
        {"username": "omar", "role": "admin", "password": "omar-password"},
        page="/admin/users",
    )
    assert "already taken" in admin.get(dup.location).get_data(as_text=True).replace("&#39;", "'")
    assert User.select().where(User.username == "omar").count() == 1
    post(admin, f"/admin/users/{omar.id}", {"action": "deactivate"}, page="/admin/users")
    assert not User.get_by_id(omar.id).active
    short = post(
        admin, f"/admin/users/{omar.id}", {"action": "password", "password": "x"}, page="/admin/users"
    )
    assert "at least 8" in admin.get(short.location).get_data(as_text=True)
    assert passwords.check_password(User.get_by_id(omar.id).password_hash, "omar-password")


def test_admin_cannot_deactivate_themselves(admin):
    me = User.get(User.username == ADMIN[0])
    response = post(admin, f"/admin/users/{me.id}", {"action": "deactivate"}, page="/admin/users")
    assert "cannot deactivate your own account" in admin.get(response.location).get_data(as_text=True)
    assert User.get_by_id(me.id).active


def test_status_page_shows_facts_and_plugin_panels(admin, teach_app):
    def sync_panel():
        return {"title": "Sync", "rows": [["Events waiting to sync", "42"]], "problem": None}

    def broken_panel():
        raise RuntimeError("hub unreachable")

    teach_app.config["KIT_STATUS_PANELS"] = [sync_panel, broken_panel]
    page = admin.get("/admin/").get_data(as_text=True)
    for label in ("Disk free", "Database size", "Events today", "Version", "Clock (UTC)"):
        assert f"<dt>{label}</dt>" in page
    assert "<dt>Events waiting to sync</dt><dd>42</dd>" in page
    assert "This panel failed: hub unreachable" in page


def test_wifi_sheet_has_both_qr_codes(admin, teach_app):
    teach_app.config["KIT"].update(wifi_ssid="Kit;3", wifi_passphrase='p:a"ss')
    page = admin.get("/admin/sheet").get_data(as_text=True)
    assert page.count("<svg") == 2
    assert "QR code to join the Wi-Fi network Kit;3" in page
    assert wifi_payload("Kit;3", 'p:a"ss') == 'WIFI:T:WPA;S:Kit\\;3;P:p\\:a\\"ss;;'
    assert wifi_payload("Open", "") == "WIFI:T:nopass;S:Open;P:;;"
    teach_app.config["KIT"].update(wifi_ssid="")
    assert "The Wi-Fi name is not set" in admin.get("/admin/sheet").get_data(as_text=True)


def test_human_bytes():
    assert human_bytes(512) == "512 B"
    assert human_bytes(1536) == "1.5 KB"
    assert human_bytes(3 * 1024**3) == "3.0 GB"


def test_sizes_are_written_as_the_pages_language_writes_numbers(teach_app):
    written = {"en": "1.5 KB", "fr": "1,5 KB", "sw": "1.5 KB", "wo": "1,5 KB"}
    for lang, expected in written.items():
        with teach_app.test_request_context(headers={"Accept-Language": lang}):
            assert human_bytes(1536) == expected, lang
    with teach_app.test_request_context(headers={"Accept-Language": "wo"}):
        assert human_bytes(1023) == "1.023 B"


def served_admin(server):
    """A requests session signed in as the admin on a real server; return (session, token)."""
    http = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(server.url + "/teach/login").text).group(
        1
    )
    http.post(
        server.url + "/teach/login", data={"username": ADMIN[0], "password": ADMIN[1], "csrf_token": token}
    )
    token = re.search(r'name="csrf_token" value="([^"]+)"', http.get(server.url + "/admin/packs").text).group(
        1
    )
    return http, token


def test_pack_upload_and_remove_on_a_real_server(teach_server, mini_pack_file, tmp_path):
    http, token = served_admin(teach_server)
    with open(mini_pack_file, "rb") as handle:
        same = http.post(
            teach_server.url + "/admin/packs",
            data={"csrf_token": token},
            files={"file": ("mini.kitpack", handle)},
            headers={"Accept": "application/json"},
        )
    assert same.status_code == 200
    assert same.json()["action"] == "unchanged"
    bad = tmp_path / "bad.kitpack"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    with open(bad, "rb") as handle:
        refused = http.post(
            teach_server.url + "/admin/packs",
            data={"csrf_token": token},
            files={"file": ("bad.kitpack", handle)},
            headers={"Accept": "application/json"},
        )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "bad_pack"
    removed = http.post(teach_server.url + "/admin/packs/mini/remove", data={"csrf_token": token})
    assert removed.status_code == 200 and "Removed mini" in removed.text
    assert "No packs installed yet." in removed.text
    with open(mini_pack_file, "rb") as handle:
        again = http.post(
            teach_server.url + "/admin/packs",
            data={"csrf_token": token},
            files={"file": ("mini.kitpack", handle)},
        )
    assert "Installed mini 1.0.0." in again.text
    cookie = next(c for c in http.cookies if c.name == "kit_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert cookie.get_nonstandard_attr("SameSite") == "Lax"
    assert not list((teach_server.data_dir).glob(".upload-*"))


def test_upload_without_a_file_is_refused(admin):
    before = list(Pack.select().tuples())
    response = post(admin, "/admin/packs", {}, page="/admin/packs", headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "Choose a pack file (.kitpack) to upload."
    assert list(Pack.select().tuples()) == before


def test_admin_forms_refuse_a_forged_csrf_token(admin):
    before = User.select().count()
    response = admin.post(
        "/admin/users",
        data={"username": "forged", "role": "admin", "password": "long-enough-1", "csrf_token": "forged"},
    )
    assert response.status_code == 400
    assert "Form refused" in response.get_data(as_text=True)
    assert User.select().count() == before
