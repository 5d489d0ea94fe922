"""Fixtures for the learner area: an app over a kit with the mini pack, a class, learners."""

import datetime as dt
import itertools
import shutil
import uuid

import pytest

from tests.conftest import run_kit

_boot = itertools.count()


@pytest.fixture(scope="session")
def _kit_template(tmp_path_factory, mini_pack_file):
    """A kit with the mini pack installed through the real CLI, made once per session."""
    data = tmp_path_factory.mktemp("learn-template") / "data"
    data.mkdir()
    run_kit(data, "init", "--site", "Test School")
    run_kit(data, "pack", "import", mini_pack_file)
    return data


@pytest.fixture
def installed_kit(_kit_template, tmp_path):
    """A private copy of the template kit (much faster than importing the pack again)."""
    data = tmp_path / "kit-data"
    shutil.copytree(_kit_template, data)
    return data


@pytest.fixture
def learn_app(installed_kit):
    """The app over a kit with the mini pack, class "Class A" (Ada, Ben with sun+moon), assigned."""
    from kit.app import create_app
    from kit.assignments import assign
    from kit.db import database
    from kit.roster import add_learner, create_class

    app = create_app(data_dir=installed_kit)
    app.config.update(TESTING=True)
    database.connect(reuse_if_open=True)
    room = create_class("Class A")
    app.config["TEST_IDS"] = {
        "class": room.id,
        "ada": add_learner(room.id, name="Ada", avatar="cat", colour="blue").id,
        "ben": add_learner(room.id, name="Ben", avatar="dog", colour="green", picture_password="sun+moon").id,
    }
    assign(room.id, "mini")
    yield app
    database.close()


@pytest.fixture
def ids(learn_app):
    return learn_app.config["TEST_IDS"]


def make_event(kind, payload=None, lesson="01-count", pack="mini", **extra):
    """Return one well-formed event as a tablet would send it."""
    event = {
        "uuid": str(uuid.uuid4()),
        "kind": kind,
        "pack_id": pack,
        "lesson_id": lesson,
        "device_time": dt.datetime.now(dt.UTC).isoformat().replace("+00:00", "Z"),
        "boot_id": "boot-test",
        "mono_ms": 1000 + next(_boot),
        "payload": payload or {},
    }
    event.update(extra)
    return event
