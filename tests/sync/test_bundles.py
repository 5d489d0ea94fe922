"""USB carry: a signed bundle imported twice and also synced online counts every event once."""

import json

from .conftest import assert_converged, make_kit


def test_bundle_imported_twice_and_synced_online(hub, tmp_path):
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(12)
    kit("sync", "now")
    kit.add_events(30, learner_name="Kofi")
    bundle = tmp_path / "usb" / "k.kitbundle"
    bundle.parent.mkdir()
    out = kit("sync", "export", "--out", bundle).stdout
    assert "30 event(s) (seq 13-42)" in out
    first = hub.kit("import", bundle).stdout
    assert "imported 30 new event(s)" in first
    second = hub.kit("import", bundle, "--receipt", tmp_path / "again.receipt").stdout
    assert "imported 0 new event(s)" in second
    assert hub.query("SELECT COUNT(DISTINCT via) FROM hub_event WHERE via = 'bundle'")[0][0] == 1
    assert kit.status()["events_waiting"] == 30
    applied = kit("sync", "import-receipt", f"{bundle}.receipt").stdout
    assert "up to event 42" in applied
    assert kit.status()["events_waiting"] == 0
    again = kit("sync", "import-receipt", tmp_path / "again.receipt").stdout
    assert "nothing changed" in again
    assert kit("sync", "now").stdout.startswith("ok: 0 event(s)")
    assert hub.query("SELECT events_received FROM hub_kit")[0][0] == 42
    assert_converged(hub, kit)


def test_online_sync_after_import_moves_the_cursor_without_receipt(sqlite_hub, tmp_path, proxy_for):
    hub = sqlite_hub
    proxy = proxy_for(hub)
    kit = make_kit(tmp_path, "k", hub, url=proxy.url)
    kit.add_events(20)
    bundle = tmp_path / "k.kitbundle"
    kit("sync", "export", "--out", bundle)
    hub.kit("import", bundle)
    assert kit("sync", "now").stdout.startswith("ok: 0 event(s)")  # the hello told it the hub's cursor
    assert proxy.requests("/events") == []
    assert_converged(hub, kit)


def test_tampered_or_foreign_bundles_and_receipts_change_nothing(sqlite_hub, tmp_path):
    hub = sqlite_hub
    a, b = make_kit(tmp_path, "a", hub), make_kit(tmp_path, "b", hub)
    a.add_events(5)
    bundle = tmp_path / "a.kitbundle"
    a("sync", "export", "--out", bundle)
    document = json.loads(bundle.read_text())
    document["upto"] += 1
    tampered = tmp_path / "tampered.kitbundle"
    tampered.write_text(json.dumps(document))
    refused = hub.kit("import", tampered, check=False)
    assert refused.returncode == 1 and "signature does not match" in refused.stderr
    junk = tmp_path / "junk.kitbundle"
    junk.write_text("hello")
    assert "not a bundle file" in hub.kit("import", junk, check=False).stderr
    assert hub.query("SELECT COUNT(*) FROM hub_event")[0][0] == 0
    hub.kit("import", bundle)
    foreign = b("sync", "import-receipt", f"{bundle}.receipt", check=False)
    assert foreign.returncode == 1 and "not this kit" in foreign.stderr
    assert b.status()["cursor"] == 0
    hub.kit("revoke", "a")
    revoked = hub.kit("import", bundle, check=False)
    assert "revoked" in revoked.stderr
