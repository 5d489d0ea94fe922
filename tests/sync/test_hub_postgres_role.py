"""The hub on PostgreSQL as docs/hub-operators-guide.md sets it up: a plain role owning its database."""

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
        kit("sync", "now")  # batches go through COPY into a temporary table: the owner may
        assert_converged(hub, kit)
        assert hub.query("SELECT rolsuper FROM pg_roles WHERE rolname = current_user") == [(False,)]
    finally:
        hub.stop()
