"""Fixtures for the learner area: an app over a kit with the mini pack, a class, learners."""

import datetime as dt
import itertools
import uuid

import pytest

_boot = itertools.count()


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
        "ben": add_learner(room.id, name="Ben", avatar="dog", colour="green",
                           picture_password="sun+moon").id,
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
        "uuid": str(uuid.uuid4()), "kind": kind, "pack_id": pack, "lesson_id": lesson,
        "device_time": dt.datetime.now(dt.timezone.utc).isoformat().replace("+00:00", "Z"),
        "boot_id": "boot-test", "mono_ms": 1000 + next(_boot), "payload": payload or {},
    }
    event.update(extra)
    return event
