"""A copied SD card takes a fresh identity and must not sync as the kit it was copied from."""

import shutil

from .conftest import Kit, make_kit


def test_a_cloned_enrolled_card_stops_syncing_until_enrolled_again(sqlite_hub, tmp_path):
    hub = sqlite_hub
    master = make_kit(tmp_path, "master", hub, env={"KIT_BOARD_ID": "board-A"})
    master("identity", "check")  # the master records its board
    master.add_events(3)
    master("sync", "now")
    shutil.copytree(master.data_dir, tmp_path / "copy")
    copy = Kit(tmp_path / "copy", env={"KIT_BOARD_ID": "board-B"})
    renewed = copy("identity", "check")
    assert renewed.stdout.startswith("cloned card: this kit is now ")
    assert master.kit_id not in renewed.stdout
    copy.add_events(2, learner_name="Kofi")
    refused = copy("sync", "now", check=False)
    assert refused.returncode != 0
    assert "not enrolled" in refused.stdout and "a copied card?" in refused.stderr
    assert sorted(hub.uuids(master.kit_id)) == sorted(master.uuids() - (copy.uuids() - master.uuids()))
    copy("sync", "enroll", "--hub", hub.url, "--code", hub.code("copy"))
    copy("sync", "now")
    new_id = copy.status()["kit_id"]
    assert new_id != master.kit_id
    master_uuids = set(hub.uuids(master.kit_id))
    assert len(master_uuids) == 3
    # The copy's inherited events were the master's and are already counted, once.
    assert sorted(hub.uuids(new_id)) == sorted(copy.uuids() - master_uuids)
