"""kit backup / restore / doctor against real data folders."""

import json
import sqlite3
import tarfile
import threading
import time


def _count_events(data_dir):
    with sqlite3.connect(data_dir / "kit.db") as conn:
        return conn.execute("select count(*) from event").fetchone()[0]


def _write_events(data_dir, stop, written):
    """Append events through the kit's own write path until told to stop (bounded)."""
    import uuid

    from kit.datafolder import open_data
    from kit.db import write
    from kit.models import Event

    open_data(data_dir)
    for _ in range(2000):
        if stop.is_set():
            break
        with write():
            Event.insert_many(
                [{"uuid": str(uuid.uuid4()), "kind": "time_spent", "payload": {}} for _ in range(10)]
            ).execute()
        written.append(10)


def test_backup_while_writing_restores_a_consistent_kit(installed_kit, kit, tmp_path):
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_write_events, args=(installed_kit, stop, written))
    writer.start()
    try:
        time.sleep(0.3)
        result = kit("backup", "--out", tmp_path / "kit.tar")
    finally:
        stop.set()
        writer.join(30)
    assert "database and 1 pack(s)" in result.stdout
    assert oct((tmp_path / "kit.tar").stat().st_mode)[-3:] == "600"
    target = tmp_path / "restored"
    out = kit("--data", target, "restore", tmp_path / "kit.tar")
    assert "restored kit" in out.stdout
    restored = _count_events(target)
    assert restored % 10 == 0 and 0 < restored <= sum(written)  # whole transactions only
    assert (target / "packs" / "mini@1.0.0" / "lessons/01-count/count.webm").is_file()
    assert kit("--data", target, "doctor").returncode == 0
    assert json.loads(kit("--data", target, "pack", "list", "--json").stdout)[0]["id"] == "mini"


def test_restore_refuses_to_overwrite_a_kit_without_force(installed_kit, kit, tmp_path):
    kit("backup", "--out", tmp_path / "kit.tar")
    refused = kit("restore", tmp_path / "kit.tar", check=False)
    assert refused.returncode == 1 and "add --force" in refused.stderr
    forced = kit("restore", tmp_path / "kit.tar", "--force")
    assert "restored kit" in forced.stdout
    assert len(list(installed_kit.glob("replaced-*/kit.db"))) == 1


def test_restore_refuses_a_damaged_or_foreign_file(initialised, kit, tmp_path):
    kit("backup", "--out", tmp_path / "kit.tar")
    with tarfile.open(tmp_path / "kit.tar") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    damaged = bytearray(members["kit.db"])
    damaged[4096:4196] = bytes(b ^ 0xFF for b in damaged[4096:4196])
    members["kit.db"] = bytes(damaged)
    with tarfile.open(tmp_path / "bad.tar", "w") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, __import__("io").BytesIO(data))
    fresh = tmp_path / "fresh"
    damaged = kit("--data", fresh, "restore", tmp_path / "bad.tar", check=False)
    assert damaged.returncode == 1 and "damaged (SHA-256 mismatch)" in damaged.stderr
    (tmp_path / "notes.tar").write_text("hello")
    foreign = kit("--data", fresh, "restore", tmp_path / "notes.tar", check=False)
    assert foreign.returncode == 1 and "not a kit backup" in foreign.stderr
    assert not list(fresh.glob("replaced-*"))


def test_doctor_passes_on_a_healthy_kit_and_saves_its_result(installed_kit, kit):
    result = kit("doctor")
    assert [line.split()[:2] for line in result.stdout.splitlines()] == [
        ["ok", "disk"],
        ["ok", "database"],
        ["ok", "packs"],
        ["ok", "clock"],
    ]
    from kit.doctor import last_result

    assert last_result(installed_kit)["ok"] is True


def test_doctor_fails_on_a_damaged_pack_file(installed_kit, kit):
    (installed_kit / "packs/mini@1.0.0/lessons/01-count/count.txt").write_text("tampered!!" * 4 + "abcd")
    result = kit("doctor", check=False)
    assert result.returncode == 1
    assert "fail  packs" in result.stdout and "count.txt is damaged" in result.stdout


def test_doctor_fails_when_disk_is_short(installed_kit, kit):
    result = kit("doctor", check=False, env={"KIT_MIN_FREE_BYTES": str(10**18)})
    assert result.returncode == 1 and "fail  disk" in result.stdout


def test_doctor_flags_a_clock_that_went_backwards(installed_kit, kit):
    kit("doctor")  # records "now" as the latest time seen
    (installed_kit / "clock.json").write_text(json.dumps({"latest": "2031-05-01T10:00:00"}))
    result = kit("doctor", "--json", check=False)
    assert result.returncode == 1
    clock = [f for f in json.loads(result.stdout)["findings"] if f["check"] == "clock"][0]
    assert clock["status"] == "fail" and "went backwards" in clock["message"]


def test_doctor_fails_on_a_corrupt_database(installed_kit, kit):
    db = installed_kit / "kit.db"
    raw = bytearray(db.read_bytes())
    for page in range(1, len(raw) // 4096):  # scribble over every page but the header
        raw[page * 4096 + 8 : page * 4096 + 200] = b"\xff" * 192
    db.write_bytes(bytes(raw))
    result = kit("doctor", check=False)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert (
        "fail  database  the database cannot be read" in result.stdout
        or "integrity check failed" in result.stdout
    )
