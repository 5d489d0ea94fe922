"""The hub on PostgreSQL stores batches as a plain role owning its database (the operators' guide
setup), and two batches in one transaction."""

import uuid

import pytest

from .conftest import HUB_ENV, PG_BIN, Hub, _pg_run, assert_converged, make_kit

pytestmark = pytest.mark.postgres


def test_hub_stores_batches_as_a_plain_role_that_owns_its_database(postgres, tmp_path):
    port = postgres().rsplit(":", 1)[1].split("/")[0]
    role = f"kithub_{uuid.uuid4().hex[:8]}"
    server = ("-h", "127.0.0.1", "-p", port, "-U", "postgres")
    _pg_run([PG_BIN / "createuser", *server, role])
    _pg_run([PG_BIN / "createdb", *server, "-O", role, role])
    hub = Hub(tmp_path / "hub", f"postgresql://{role}@127.0.0.1:{port}/{role}", env=HUB_ENV).setup()
    try:
        kit = make_kit(tmp_path, "k", hub)
        kit.add_events(300)
        kit("sync", "now")
        assert_converged(hub, kit)
        assert hub.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == [(False,)]
    finally:
        hub.stop()


def test_two_batches_stored_in_one_transaction(postgres, tmp_path):
    from sync.hub import open_hub
    from sync.hub.db import database
    from sync.hub.ingest import store_events
    from sync.hub.models import Kit

    open_hub(tmp_path / "hub", postgres())
    try:
        kit = Kit.create(kit_id="k", name="k", secret_hash="x")
        events = [
            {
                "seq": s,
                "uuid": str(uuid.uuid4()),
                "learner": "",
                "pack_id": "p",
                "lesson_id": "l",
                "kind": "answer",
                "payload": {},
                "device_ms": None,
                "boot_id": "b",
                "mono_ms": None,
                "received_ms": 1,
            }
            for s in (1, 2)
        ]
        with database.atomic():  # a bundle's import stores several batches in one transaction
            first = store_events(kit, 0, 1, [], events[:1])
            second = store_events(kit, 1, 2, [], events[1:])
        assert (first["stored"], second["stored"], second["ack"]) == (1, 1, 2)
        rows = database.execute_sql(
            "SELECT uuid, device_time, mono_ms FROM hub_event ORDER BY seq"
        ).fetchall()
        assert rows == [(e["uuid"], None, None) for e in events]
    finally:
        database.close()
