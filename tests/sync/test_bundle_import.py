"""`kit hub import`: one bad event is set aside, never blocking the bundle; a refused bundle stores nothing."""

import json

from .conftest import assert_converged, make_kit
from .test_hub_pages import _signed_in, _token


def _export(kit, path):
    path.parent.mkdir(exist_ok=True)
    kit("sync", "export", "--out", path)
    return path


def test_an_event_the_hub_cannot_store_is_set_aside_and_the_rest_of_the_bundle_delivered(hub, tmp_path):
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(5)
    bad = kit.add_events(1, boot_id="page\x00one")  # taken by an older kit; the hub cannot store a NUL
    kit.add_events(5)
    bundle = _export(kit, tmp_path / "usb" / "k.kitbundle")
    out = hub.kit("import", bundle).stdout
    assert "imported 10 new event(s)" in out
    assert f"event {bad[0]} (seq 6):" in out and "NUL character" in out
    receipt = json.loads((tmp_path / "usb" / "k.kitbundle.receipt").read_text())
    assert receipt["ack"] == 11 and [(i["seq"], i["uuid"]) for i in receipt["set_aside"]] == [(6, bad[0])]
    [(seq, uuid, reason)] = hub.query("SELECT seq, uuid, reason FROM hub_set_aside")
    assert (seq, uuid) == (6, bad[0]) and reason.startswith("set aside by the hub: ") and "NUL" in reason
    assert_converged(hub, kit, set_aside=bad)
    again = hub.kit("import", bundle, "--receipt", tmp_path / "again.receipt").stdout
    assert "imported 0 new event(s)" in again and f"event {bad[0]}" in again
    applied = kit("sync", "import-receipt", tmp_path / "usb" / "k.kitbundle.receipt").stdout
    assert "up to event 11" in applied and "1 event(s) the hub could not store are set aside" in applied
    status = kit.status()
    assert status["events_waiting"] == 0 and [i["uuid"] for i in status["set_aside"]] == bad
    assert "NUL" in status["set_aside"][0]["error"] and "set aside" in status["problem"]
    kit.add_events(2)  # the next bundle carries only what came after: the bad event blocks nothing
    assert "2 event(s) (seq 12-13)" in kit("sync", "export", "--out", tmp_path / "next.kitbundle").stdout
    assert "imported 2 new event(s)" in hub.kit("import", tmp_path / "next.kitbundle").stdout
    assert hub.query("SELECT acked_seq FROM hub_kit")[0][0] == 13
    assert kit("sync", "now").stdout.startswith("ok: 0 event(s)")
    assert_converged(hub, kit, set_aside=bad)


def test_the_import_page_lists_what_it_set_aside(sqlite_hub, tmp_path):
    hub = sqlite_hub
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(3)
    bad = kit.add_events(1, boot_id="x\x00y")
    bundle = _export(kit, tmp_path / "k.kitbundle")
    session, _ = _signed_in(hub)
    form = session.get(hub.url + "/import", timeout=5).text
    with open(bundle, "rb") as handle:
        done = session.post(
            hub.url + "/import",
            data={"csrf_token": _token(form)},
            files={"bundle": ("k.kitbundle", handle)},
            timeout=10,
        )
    assert done.status_code == 200 and "Imported 3 new event(s)" in done.text
    assert 'id="set-aside"' in done.text and f"event {bad[0]} (seq 4)" in done.text and "NUL" in done.text
    receipt = json.loads(session.get(hub.url + "/import/receipt", timeout=5).text)
    assert [i["uuid"] for i in receipt["set_aside"]] == bad


def test_a_batch_broken_as_a_whole_refuses_the_bundle_and_stores_nothing(sqlite_hub, tmp_path):
    """Only an event that fails alone is set aside; a batch whose frame is broken refuses the whole bundle."""
    import base64
    import zlib

    from sync.agent.state import get_state
    from sync.bundle_format import sign, signing_key

    hub = sqlite_hub
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(4)
    bundle = _export(kit, tmp_path / "k.kitbundle")
    document = json.loads(bundle.read_text())
    batch = json.loads(zlib.decompress(base64.b64decode(document["batches"][0])))
    batch["seq"] = [1, 1, -1, 1]  # seqs out of order: no one event is to blame
    document["batches"][0] = base64.b64encode(zlib.compress(json.dumps(batch).encode())).decode()
    with kit.db():
        secret = get_state().secret
    bundle.write_text(json.dumps(sign(document, signing_key(secret))))
    refused = hub.kit("import", bundle, check=False)
    assert refused.returncode == 1 and "out of order" in refused.stderr
    assert hub.query("SELECT COUNT(*) FROM hub_event")[0][0] == 0
    assert hub.query("SELECT COUNT(*) FROM hub_anchor")[0][0] == 0
    assert hub.query("SELECT COUNT(*) FROM hub_set_aside")[0][0] == 0
    assert hub.query("SELECT acked_seq, acked_anchor FROM hub_kit") == [(0, 0)]


def test_a_bundle_refused_for_its_records_stores_nothing_not_even_its_anchors(hub, tmp_path):
    """A bundle re-labelled as kit B holds kit A's records: refused whole, so B's next sync stays exact."""
    from kit.db import write
    from sync.agent.state import Anchor, boot_id, clocks, get_state
    from sync.bundle_format import sign, signing_key

    a, b = make_kit(tmp_path, "a", hub), make_kit(tmp_path, "b", hub)
    a.add_events(0)  # a class and a learner: records, no events
    wall, _, mono = clocks()
    with a.db():
        with write():
            for i in range(3):
                Anchor.create(boot_id=boot_id(), wall_ms=wall + i, mono_ms=mono + i, last_seq=0)
    document = json.loads(_export(a, tmp_path / "a.kitbundle").read_text())
    assert len(document["anchors"]) >= 3 and document["records"]
    document["kit"] = b.kit_id
    with b.db():
        secret = get_state().secret
    relabelled = tmp_path / "b.kitbundle"
    relabelled.write_text(json.dumps(sign(document, signing_key(secret))))
    refused = hub.kit("import", relabelled, check=False)
    assert refused.returncode == 1 and f"these records belong to kit '{a.kit_id}'" in refused.stderr
    assert hub.query("SELECT COUNT(*) FROM hub_anchor WHERE kit_id = ?", b.kit_id)[0][0] == 0
    assert hub.query("SELECT acked_seq, acked_anchor FROM hub_kit WHERE kit_id = ?", b.kit_id) == [(0, 0)]
    assert hub.query("SELECT COUNT(*) FROM hub_record")[0][0] == 0
    assert hub.query("SELECT COUNT(*) FROM hub_bundle")[0][0] == 0
    b.add_events(3)
    assert b("sync", "now").stdout.startswith("ok: 3 event(s)")
    flags = hub.query("SELECT time_estimated FROM hub_event WHERE kit_id = ?", b.kit_id)
    assert len(flags) == 3 and not any(flag for (flag,) in flags)
    assert_converged(hub, b)


def test_a_wrong_clock_carried_by_usb_is_corrected_when_the_same_boot_syncs_online(hub, tmp_path):
    """USB first, from a kit whose clock read five years back; then an online hello from the same boot."""
    import datetime as dt

    from kit.db import write
    from sync.agent.state import Anchor, boot_id, clocks
    from sync.hub.reports import learners_reached

    kit = make_kit(tmp_path, "k", hub)
    wall, _, mono = clocks()
    years = 5 * 365 * 86400 * 1000
    wrong = dt.datetime.utcnow() - dt.timedelta(milliseconds=years)
    kit.add_events(5, device_time=wrong, received_at=wrong)
    with kit.db():
        with write():  # what the agent noted while the clock was wrong, this boot
            Anchor.create(boot_id=boot_id(), wall_ms=wall - years, mono_ms=mono, last_seq=5)
    bundle = _export(kit, tmp_path / "k.kitbundle")
    hub.kit("import", bundle)
    before = hub.query("SELECT corrected_time, time_estimated FROM hub_event")
    assert len(before) == 5 and all(_dt(t).year == wrong.year and flag for t, flag in before)
    assert kit("sync", "now").stdout.startswith("ok: 0 event(s)")  # hello from the same boot: offset learnt
    after = hub.query("SELECT corrected_time, time_estimated FROM hub_event")
    for corrected, estimated in after:
        assert abs((_dt(corrected) - dt.datetime.utcnow()).total_seconds()) < 120 and not estimated
    assert hub.query("SELECT COUNT(*) FROM hub_anchor WHERE estimated")[0][0] == 0
    with hub.db():
        assert [r["month"] for r in learners_reached()] == [dt.datetime.utcnow().strftime("%Y-%m")]
    assert_converged(hub, kit)


def _dt(value):
    import datetime as dt

    return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))


def test_malformed_bundles_are_refused_clearly_and_store_nothing(sqlite_hub, tmp_path):
    """Missing fields, text where a number belongs, deep nesting: a one-line reason, exit 1, nothing stored."""
    from sync.agent.state import get_state
    from sync.bundle_format import sign, signing_key

    hub = sqlite_hub
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(3)
    good = json.loads(_export(kit, tmp_path / "k.kitbundle").read_text())
    with kit.db():
        key = signing_key(get_state().secret)
    cases = {
        "batches": ({"batches": None}, "lacks its batches"),
        "after": ({"after": "40"}, "after and upto must be whole numbers"),
        "anchors": ({"anchors": [["x", "b", 1, 2, 3]]}, "'anchors' must be a list"),
        "bundle_id": ({"bundle_id": 7}, "bundle_id must be"),
        "records": ({"records": 5}, "records must be"),
    }
    for name, (change, message) in cases.items():
        path = tmp_path / f"{name}.kitbundle"
        path.write_text(json.dumps(sign({**{k: v for k, v in good.items() if k != "sig"}, **change}, key)))
        refused = hub.kit("import", path, check=False)
        assert refused.returncode == 1 and message in refused.stderr, (name, refused.stderr)
        assert "Traceback" not in refused.stderr
    deep = tmp_path / "deep.kitbundle"
    deep.write_text("[" * 100000 + "]" * 100000)
    refused = hub.kit("import", deep, check=False)
    assert refused.returncode == 1 and "nests arrays or objects too deeply" in refused.stderr
    for table in ("hub_event", "hub_anchor", "hub_record", "hub_bundle", "hub_set_aside"):
        assert hub.query(f"SELECT COUNT(*) FROM {table}")[0][0] == 0, table
