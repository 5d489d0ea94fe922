"""Fixtures for teacher and admin tests: a kit with the mini pack, an admin, a teacher, a class.

The kit is prepared once per test session (kit init, pack import, accounts, a class) and
copied into each test's own folder, so every test starts from the same fresh state fast.
"""

import shutil

import pytest

from tests.conftest import ADMIN, run_kit

from .helpers import TEACHER, sign_in


@pytest.fixture(scope="session")
def teach_template(tmp_path_factory, mini_pack_file):
    """A prepared data folder: mini pack, admin boss, teacher tina, "Class A" (Ada, Ben)."""
    from kit.assignments import assign
    from kit.datafolder import open_data
    from kit.db import database
    from kit.roster import add_learner, create_class
    from kit.users import create_user

    folder = tmp_path_factory.mktemp("teach") / "data"
    run_kit(folder, "init", "--site", "Test School", "--location", "Testville")
    run_kit(folder, "pack", "import", mini_pack_file)
    open_data(folder)
    create_user(ADMIN[0], "admin", ADMIN[1], "The Boss")
    create_user(TEACHER[0], "teacher", TEACHER[1], "Tina Teacher")
    room = create_class("Class A")
    ids = {
        "class": room.id,
        "ada": add_learner(room.id, name="Ada", avatar="cat", colour="blue").id,
        "ben": add_learner(room.id, name="Ben", avatar="dog", colour="green").id,
    }
    assign(room.id, "mini", "01-count")
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return folder, ids


@pytest.fixture
def teach_data(tmp_path, teach_template):
    """This test's own copy of the prepared data folder."""
    folder = tmp_path / "data"
    shutil.copytree(teach_template[0], folder)
    return folder


@pytest.fixture
def teach_app(teach_data, teach_template):
    from kit.app import create_app
    from kit.db import database

    app = create_app(data_dir=teach_data)
    app.config.update(TESTING=True)
    app.config["TEST_IDS"] = dict(teach_template[1])
    database.connect(reuse_if_open=True)
    yield app
    database.close()


@pytest.fixture
def ids(teach_app):
    return teach_app.config["TEST_IDS"]


@pytest.fixture
def client(teach_app):
    return teach_app.test_client()


@pytest.fixture
def teacher(client):
    assert sign_in(client).status_code == 302
    return client


@pytest.fixture
def admin(client):
    assert sign_in(client, ADMIN).status_code == 302
    return client


@pytest.fixture
def teach_server(teach_data, teach_template):
    """A real `kit serve` on loopback over this test's prepared data folder."""
    from tests.conftest import KitServer

    server = KitServer(teach_data).start()
    server.ids = dict(teach_template[1])
    yield server
    server.stop()
