"""Two kits and a hub, as separate processes, converge to identical event sets."""

from concurrent.futures import ThreadPoolExecutor

import requests

from .conftest import assert_converged, make_kit


def test_two_kits_converge_and_records_arrive(hub, tmp_path):
    a, b = make_kit(tmp_path, "a", hub), make_kit(tmp_path, "b", hub)
    a.add_events(40)
    b.add_events(25, learner_name="Kofi")
    with ThreadPoolExecutor(2) as pool:  # both kits at once, as separate processes
        results = list(pool.map(lambda k: k("sync", "now").stdout, (a, b)))
    assert results[0].startswith("ok: 40 event(s)") and results[1].startswith("ok: 25 event(s)")
    a.add_events(5)
    assert a("sync", "now").stdout.startswith("ok: 5 event(s), 0 record(s)")
    assert_converged(hub, a)
    assert_converged(hub, b)
    learners = {r[0] for r in hub.query("SELECT uuid FROM hub_record WHERE kind = 'learner'")}
    assert {r[0] for r in hub.query("SELECT DISTINCT learner_uuid FROM hub_event")} == learners
    assert len(learners) == 2
    names = {r[0] for r in hub.query("SELECT data FROM hub_record WHERE kind = 'learner'")}
    assert any('"display_name":"Ama"' in n for n in names) and any("Kofi" in n for n in names)
    assert not any(
        "picture_password" in n or "password_hash" in n for (n,) in hub.query("SELECT data FROM hub_record")
    )
    assert a.status()["events_waiting"] == 0 and a.status()["last_error"] is None


def test_pseudonymous_kit_sends_no_learner_names(hub, tmp_path):
    kit = make_kit(tmp_path, "p", hub, env={"KIT_PSEUDONYMOUS_SYNC": "true"})
    kit.add_events(3, learner_name="Secret Name")
    kit("sync", "now")
    data = [r[0] for r in hub.query("SELECT data FROM hub_record WHERE kind = 'learner'")]
    assert data and not any("Secret Name" in d for d in data)
    assert_converged(hub, kit)


def test_noop_sync_costs_under_2kb(sqlite_hub, tmp_path, proxy_for):
    proxy = proxy_for(sqlite_hub)
    kit = make_kit(tmp_path, "n", sqlite_hub, url=proxy.url)
    kit.add_events(10)
    kit("sync", "now")
    before = len(proxy.log)
    kit("sync", "now")
    wire = sum(entry[2] + entry[3] for entry in proxy.log[before:])
    print(f"no-op sync: {wire} bytes in {len(proxy.log) - before} request(s)")
    assert wire < 2048


def test_status_says_not_enrolled_and_poke_is_harmless(tmp_path):
    kit = make_kit(tmp_path, "lonely")
    assert kit.status()["enrolled"] is False
    result = kit("sync", "poke")
    assert "not enrolled" in result.stdout
    missing = kit("sync", "now", check=False)
    assert missing.returncode == 1 and "not enrolled" in missing.stdout


def test_hub_api_refuses_requests_without_credentials(sqlite_hub):
    response = requests.post(sqlite_hub.url + "/sync/v1/hello", json={}, timeout=5)
    assert response.status_code == 401
    assert "Authorization" in response.json()["error"]["message"]


def test_status_json_from_the_cli(sqlite_hub, tmp_path):
    import json

    kit = make_kit(tmp_path, "s", sqlite_hub)
    kit.add_events(2)
    info = json.loads(kit("sync", "status", "--json").stdout)
    assert info["enrolled"] and info["events_waiting"] == 2 and info["hub"] == sqlite_hub.url
    kit("sync", "now")
    text = kit("sync", "status").stdout
    assert "events waiting: 0" in text and "last error:     none" in text


def test_enrolling_with_a_new_hub_sends_everything_again(sqlite_hub, tmp_path):
    from kit import settings
    from sync.agent.enrolment import enroll

    from .conftest import Hub

    kit = make_kit(tmp_path, "k", sqlite_hub)
    kit.add_events(7)
    kit("sync", "now")
    second = Hub(tmp_path / "hub2").setup()
    try:
        with kit.db():
            enroll(settings.load(kit.data_dir, environ={}), second.url, second.code("k again"))
        assert kit("sync", "now").stdout.startswith("ok: 7 event(s), 2 record(s)")
        assert_converged(second, kit)
        assert second.query("SELECT COUNT(*) FROM hub_record WHERE kind = 'learner'")[0][0] == 1
    finally:
        second.stop()
