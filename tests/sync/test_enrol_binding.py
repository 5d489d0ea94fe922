"""Enrol codes are bound when made: to a new kit, or to one kit's re-enrolment (issue 12,
finding 1). Kit ids are public, so a code must never take over a known kit, and a
revoked kit stays revoked. Against a real hub process."""

import re

import requests

from .conftest import assert_converged, make_kit


def enrol(hub, code, kit_id):
    """Enrol as an attacker would: a code and somebody else's (public) kit id."""
    return requests.post(
        hub.url + "/sync/v1/enroll",
        timeout=10,
        json={"code": code, "kit_id": kit_id, "site": "Somewhere else"},
    )


def secret_hash(hub, kit_id):
    return hub.query("SELECT secret_hash FROM hub_kit WHERE kit_id = ?", kit_id)[0][0]


def test_a_code_for_a_new_kit_never_takes_over_an_enrolled_or_revoked_kit(hub, tmp_path):
    real = make_kit(tmp_path, "real", hub)
    before = secret_hash(hub, real.kit_id)
    code = hub.code("Attacker")
    taken = enrol(hub, code, real.kit_id)
    assert taken.status_code == 403 and "secret" not in taken.json()
    assert "already enrolled" in taken.json()["error"]["message"]
    assert secret_hash(hub, real.kit_id) == before
    real.add_events(3)
    assert real("sync", "now").stdout.startswith("ok")  # the real kit is not locked out
    assert_converged(hub, real)
    assert make_kit(tmp_path, "new")("sync", "enroll", "--hub", hub.url, "--code", code).returncode == 0

    hub.kit("revoke", "real")
    again = enrol(hub, hub.code("Attacker 2"), real.kit_id)
    assert again.status_code == 403 and "stays revoked" in again.json()["error"]["message"]
    assert hub.query("SELECT revoked_at IS NOT NULL FROM hub_kit WHERE kit_id = ?", real.kit_id)[0][0]
    refused = hub.kit("enroll-code", "--kit", "real", check=False)
    assert refused.returncode == 1 and "stays revoked" in refused.stderr
    assert real("sync", "now", check=False).returncode == 1


def test_a_re_enrolment_code_works_for_its_kit_alone(sqlite_hub, tmp_path):
    hub = sqlite_hub
    a, b = make_kit(tmp_path, "a", hub), make_kit(tmp_path, "b", hub)
    made = hub.kit("enroll-code", "--kit", "a")
    code = made.stdout.strip()
    assert f"re-enrolling kit {a.kit_id} only" in made.stderr
    wrong = b("sync", "enroll", "--hub", hub.url, "--code", code, check=False)
    assert wrong.returncode == 1 and "re-enrols another kit" in wrong.stderr
    fresh = make_kit(tmp_path, "c")("sync", "enroll", "--hub", hub.url, "--code", code, check=False)
    assert fresh.returncode == 1 and "re-enrols another kit" in fresh.stderr
    b.add_events(2)
    assert b("sync", "now").stdout.startswith("ok")
    old = secret_hash(hub, a.kit_id)
    a("sync", "enroll", "--hub", hub.url, "--code", code)
    assert secret_hash(hub, a.kit_id) != old
    a.add_events(2)
    assert a("sync", "now").stdout.startswith("ok")
    assert_converged(hub, a)
    assert hub.query("SELECT COUNT(*) FROM hub_kit")[0][0] == 2
    unbound = hub.kit("enroll-code", check=False)
    assert unbound.returncode == 1 and "give --name for a new kit, or --kit" in unbound.stderr
    unknown = hub.kit("enroll-code", "--kit", "no-such-kit", check=False)
    assert unknown.returncode == 1 and "no kit 'no-such-kit'" in unknown.stderr


def test_the_enrol_page_makes_bound_codes(sqlite_hub, tmp_path):
    hub = sqlite_hub
    a = make_kit(tmp_path, "a", hub)
    s = requests.Session()
    form = s.get(hub.url + "/signin", timeout=5).text
    s.post(
        hub.url + "/signin",
        timeout=5,
        data={
            "username": "admin",
            "password": "correct horse",
            "csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', form)[1],
        },
    )
    page = s.get(hub.url + "/enroll", params={"kit": a.kit_id}, timeout=5).text
    assert f'<option value="{a.kit_id}" selected>' in page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    made = s.post(hub.url + "/enroll", data={"kit": a.kit_id, "name": "", "csrf_token": csrf}, timeout=5)
    code = re.search(r'id="code">([^<]+)<', made.text)[1]
    assert "It re-enrols only this kit" in made.text
    other = make_kit(tmp_path, "b")
    assert (
        "re-enrols another kit"
        in other("sync", "enroll", "--hub", hub.url, "--code", code, check=False).stderr
    )
    a("sync", "enroll", "--hub", hub.url, "--code", code)
    empty = s.post(hub.url + "/enroll", data={"kit": "", "name": " ", "csrf_token": csrf}, timeout=5)
    assert empty.status_code == 400 and "give the kit a name" in empty.text
    assert (
        a.kit_id in s.get(hub.url + "/", timeout=5).text
        and "Re-enrolment code" in s.get(hub.url + "/", timeout=5).text
    )
