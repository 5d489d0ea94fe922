"""Downstream changes: made at the hub by a remote teacher, applied once on the kit, online or by USB."""

import json

import pytest

from .conftest import make_kit


def _learner_and_class(kit):
    from kit.models import Classroom, Learner

    with kit.db():
        room = Classroom.get(Classroom.name == "Morning class")
        return room.uuid, Learner.get(Learner.display_name == "Ama").uuid


def make_changes(hub, kit, *specs):
    """Make changes at the hub for the kit's Morning class, as a remote teacher's page does."""
    from sync.hub.changes import make
    from sync.hub.scopes import find_class

    class_uuid, learner = _learner_and_class(kit)
    with hub.db():
        found = find_class("admin", kit.kit_id, class_uuid)
        return [
            make(
                found, "juma", kind, **{"learner": learner, **fields} if kind in ("note", "flag") else fields
            ).change_id
            for kind, fields in specs
        ]


def from_afar(kit):
    from kit.from_afar import FromAfar
    from sync.agent.state import SyncState

    with kit.db():
        rows = [
            (r.seq, r.kind, r.outcome, r.undone_at is not None)
            for r in FromAfar.select().order_by(FromAfar.seq)
        ]
        return rows, SyncState.get().changes_seq


def assignments(kit):
    from kit.models import Assignment

    with kit.db():
        return sorted((a.pack_id, a.lesson_id, str(a.due_date)) for a in Assignment.select())


@pytest.fixture
def synced(hub, tmp_path):
    """A kit with a class and a learner, whose records the hub holds."""
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(2)
    assert kit("sync", "now").stdout.startswith("ok: 2 event(s), ")
    return hub, kit


def test_changes_arrive_once_online_and_the_hub_hears_they_were_applied(synced):
    hub, kit = synced
    ids = make_changes(
        hub,
        kit,
        ("assign", {"pack": "numeracy", "lesson": "02-count", "due": "2026-03-31"}),
        ("note", {"text": "Well done on fractions — try lesson 4 next"}),
        ("flag", {"text": "Amina seems stuck on reading: sit with her"}),
    )
    out = kit("sync", "now").stdout
    assert "3 change(s) from the hub applied" in out
    rows, cursor = from_afar(kit)
    assert rows == [
        (1, "assign", "assigned", False),
        (2, "note", "delivered", False),
        (3, "flag", "delivered", False),
    ]
    assert cursor == 3
    assert assignments(kit) == [("numeracy", "02-count", "2026-03-31")]
    # Again: nothing new, nothing twice.
    assert "change(s) from the hub" not in kit("sync", "now").stdout
    assert from_afar(kit)[0] == rows and len(assignments(kit)) == 1
    # The applied events went up in the first cycle: the hub shows each delivered, with its outcome.
    from sync.hub.changes import HubChange, refresh

    with hub.db():
        refresh(kit.kit_id)
        got = {c.change_id: (c.delivered_at is not None, c.outcome) for c in HubChange.select()}
    assert got == {ids[0]: (True, "assigned"), ids[1]: (True, "delivered"), ids[2]: (True, "delivered")}


def test_changes_arrive_once_by_usb_bundle_and_old_foreign_or_tampered_ones_are_refused(synced, tmp_path):
    hub, kit = synced
    other = make_kit(tmp_path, "other", hub)
    make_changes(hub, kit, ("note", {"text": "Read page 3 again"}), ("assign", {"pack": "numeracy"}))
    bundle = tmp_path / "usb" / "k.kitchanges"
    bundle.parent.mkdir()
    out = hub.kit("export-for", kit.kit_id, "--out", bundle).stdout
    assert "2 change(s) after change 0" in out
    document = json.loads(bundle.read_text())
    document["changes"][0]["text"] = "Something else"
    tampered = tmp_path / "tampered.kitchanges"
    tampered.write_text(json.dumps(document))
    refused = kit("sync", "import", tampered, check=False)
    assert refused.returncode == 1 and "signature does not match" in refused.stderr
    foreign = other("sync", "import", bundle, check=False)
    assert foreign.returncode == 1 and f"is for kit '{kit.kit_id}', not this kit" in foreign.stderr
    junk = tmp_path / "junk.kitchanges"
    junk.write_text('{"magic": "classroom-kit-receipt", "format": 1}')
    wrong_file = kit("sync", "import", junk, check=False)
    assert (
        wrong_file.returncode == 1
        and "junk.kitchanges is not a Classroom Kit bundle from the hub" in wrong_file.stderr
    )
    assert from_afar(kit) == ([], 0) and from_afar(other) == ([], 0)
    done = kit("sync", "import", bundle).stdout
    assert "applied 2 change(s) from the hub (now up to change 2)" in done
    assert "receipt applied" in done
    again = kit("sync", "import", bundle).stdout
    assert "nothing new: the 2 change(s) in this bundle were already applied" in again
    assert [r[:3] for r in from_afar(kit)[0]] == [(1, "note", "delivered"), (2, "assign", "assigned")]
    assert "from the hub:   changes applied up to 2" in kit("sync", "status").stdout
    assert kit.status()["changes_applied"] == 2
    # The next online sync finds nothing to apply, and tells the hub both are applied.
    assert "change(s) from the hub" not in kit("sync", "now").stdout
    assert hub.query("SELECT COUNT(*) FROM hub_change WHERE delivered_at IS NOT NULL")[0][0] == 2
    # A bundle exported now carries nothing: the hub knows everything was applied.
    assert "0 change(s) after change 2" in hub.kit("export-for", "k", "--out", tmp_path / "later").stdout


def test_a_change_that_skips_one_is_refused_and_nothing_after_it_applies(synced):
    from sync.agent.downstream import apply_changes
    from sync.changes_format import BadChange

    hub, kit = synced
    make_changes(hub, kit, ("note", {"text": "one"}), ("note", {"text": "two"}))
    with hub.db():
        from sync.hub.changes import pending

        changes, _ = pending(kit.kit_id, 0, 10)
    with kit.db():
        with pytest.raises(BadChange, match="cannot come before change 1"):
            apply_changes(changes[1:], "usb")
        assert apply_changes(changes, "usb") == 2
        assert apply_changes(changes, "online") == 0
    assert from_afar(kit)[1] == 2


HANG_IN_SECOND = """
import json, sys, time
from pathlib import Path
from kit import from_afar
from kit.datafolder import open_data
from sync.agent.downstream import apply_changes

data, changes, ready = sys.argv[1], json.loads(Path(sys.argv[2]).read_text()), Path(sys.argv[3])
real = from_afar.apply

def apply(change, via):
    outcome = real(change, via)
    if change["seq"] == 2:  # applied, its event written, the cursor not yet moved: killed here
        ready.write_text("in change 2")
        time.sleep(60)
    return outcome

from_afar.apply = apply
open_data(data)
apply_changes(changes, "online")
"""


def test_kill_9_in_the_middle_of_a_change_leaves_it_unapplied_and_it_applies_once_later(synced, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from kit.models import Event
    from sync.agent.downstream import apply_changes
    from sync.hub.changes import pending
    from tests.conftest import ROOT

    hub, kit = synced
    make_changes(
        hub, kit, ("note", {"text": "one"}), ("assign", {"pack": "numeracy"}), ("flag", {"text": "x"})
    )
    with hub.db():
        changes, _ = pending(kit.kit_id, 0, 10)
    (tmp_path / "changes.json").write_text(json.dumps(changes))
    ready = tmp_path / "ready"
    child = subprocess.Popen(
        [sys.executable, "-c", HANG_IN_SECOND, kit.data_dir, tmp_path / "changes.json", ready], cwd=ROOT
    )
    try:
        deadline = time.monotonic() + 60
        while not ready.exists() and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert ready.exists(), "the child never reached change 2"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert from_afar(kit) == ([(1, "note", "delivered", False)], 1)
    assert assignments(kit) == []
    with kit.db():
        assert apply_changes(changes, "online") == 2
        assert apply_changes(changes, "usb") == 0
        applied = [e.payload["seq"] for e in Event.select().where(Event.kind == "remote_change_applied")]
    assert sorted(applied) == [1, 2, 3]
    assert from_afar(kit)[1] == 3 and len(assignments(kit)) == 1


def test_a_link_cut_while_changes_come_down_applies_them_once_at_the_next_sync(
    sqlite_hub, tmp_path, proxy_for
):
    hub = sqlite_hub
    proxy = proxy_for(hub)
    kit = make_kit(tmp_path, "k", hub, url=proxy.url)
    kit.add_events(2)
    kit("sync", "now")
    make_changes(hub, kit, ("note", {"text": "one"}), ("flag", {"text": "two"}))
    proxy.fault("reset", "/sync/v1/changes", times=1)
    failed = kit("sync", "now", check=False)
    assert failed.returncode == 1 and "cannot reach the hub" in failed.stdout
    assert from_afar(kit) == ([], 0)
    assert "2 change(s) from the hub applied" in kit("sync", "now").stdout
    proxy.fault("500", "/sync/v1/changes", times=1)  # the hub fails after the kit applied: nothing twice
    kit("sync", "now", check=False)
    kit("sync", "now")
    assert [r[:2] for r in from_afar(kit)[0]] == [(1, "note"), (2, "flag")]


def test_a_pack_the_remote_teacher_asks_for_is_installed_again_after_the_kit_removed_it(sqlite_hub, tmp_path):
    hub = sqlite_hub
    kit = make_kit(tmp_path, "k", hub)
    kit.add_events(2)
    pack = tmp_path / "first-steps.kitpack"
    kit("pack", "build", "content_packs/first-steps", "-o", pack)
    hub.kit("pack", "publish", pack)
    assert "1 pack(s) installed" in kit("sync", "now").stdout
    kit("pack", "remove", "first-steps")
    assert "pack(s) installed" not in kit("sync", "now").stdout  # the catalogue did not change
    make_changes(hub, kit, ("install_pack", {"pack": "first-steps"}))
    out = kit("sync", "now").stdout
    assert "1 change(s) from the hub applied, 1 pack(s) installed" in out
    assert from_afar(kit)[0] == [(1, "install_pack", "requested", False)]


def test_a_hub_older_than_downstream_changes_still_takes_the_kits_events(sqlite_hub, tmp_path, proxy_for):
    hub = sqlite_hub
    proxy = proxy_for(hub)
    kit = make_kit(tmp_path, "k", hub, url=proxy.url)
    kit.add_events(3)
    proxy.fault("404", "/sync/v1/changes")  # as a hub without the route answers
    assert kit("sync", "now").stdout.startswith("ok: 3 event(s), ")
    assert len(hub.uuids(kit.kit_id)) == 3 and from_afar(kit) == ([], 0)
