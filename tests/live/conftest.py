"""Fixtures for live classes: the app over a kit with the mini pack, two classes, a teacher.

"Class A" (Ada, Ben, Cy) has the mini pack assigned; "Class B" (Dee) has nothing. Live
classes run on "mini/01-count": two pages, four questions (q1 single, q2 multiple, q3
numeric, q4 text), then the result, so steps 0-1 are pages, 2-5 questions, 6 the end.
"""

import shutil

import pytest

from tests.conftest import run_kit

TEACHER = ("tina", "tina-password-2")


@pytest.fixture(scope="session")
def _live_template(tmp_path_factory, mini_pack_file):
    from kit.assignments import assign
    from kit.datafolder import open_data
    from kit.db import database
    from kit.roster import add_learner, create_class
    from kit.users import create_user

    data = tmp_path_factory.mktemp("live-template") / "data"
    data.mkdir()
    run_kit(data, "init", "--site", "Test School")
    run_kit(data, "pack", "import", mini_pack_file)
    open_data(data)
    create_user("boss", "admin", "boss-password-1", "The Boss")
    create_user(TEACHER[0], "teacher", TEACHER[1], "Tina Teacher")
    room = create_class("Class A")
    other = create_class("Class B")
    ids = {
        "class": room.id,
        "other_class": other.id,
        "ada": add_learner(room.id, name="Ada", avatar="cat", colour="blue").id,
        "ben": add_learner(room.id, name="Ben", avatar="dog", colour="green").id,
        "cy": add_learner(room.id, name="Cy", avatar="owl", colour="red").id,
        "dee": add_learner(other.id, name="Dee", avatar="fish", colour="blue").id,
    }
    assign(room.id, "mini")
    database.execute_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    return data, ids


@pytest.fixture
def live_data(tmp_path, _live_template):
    data = tmp_path / "kit-data"
    shutil.copytree(_live_template[0], data)
    return data


@pytest.fixture
def live_app(live_data, _live_template):
    from kit.app import create_app
    from kit.db import database

    app = create_app(data_dir=live_data)
    app.config.update(TESTING=True, WTF_CSRF_ENABLED=False)
    app.config["TEST_IDS"] = dict(_live_template[1])
    database.connect(reuse_if_open=True)
    yield app
    database.close()


@pytest.fixture
def ids(live_app):
    return live_app.config["TEST_IDS"]


def learner_client(app, learner_id):
    """A test client signed in as a learner through the real sign-in form."""
    client = app.test_client()
    response = client.post("/signin", data={"learner_id": learner_id})
    assert response.status_code == 302, response.status_code
    return client


def teacher_client(app):
    client = app.test_client()
    response = client.post("/teach/login", data={"username": TEACHER[0], "password": TEACHER[1]})
    assert response.status_code == 302, response.status_code
    return client


@pytest.fixture
def learners(live_app, ids):
    return {name: learner_client(live_app, ids[name]) for name in ("ada", "ben", "cy", "dee")}


@pytest.fixture
def teacher(live_app):
    return teacher_client(live_app)


@pytest.fixture
def live(teacher, ids):
    """A live class started through the teacher's form on mini/01-count; returns its id."""
    response = teacher.post(f"/teach/classes/{ids['class']}/live", data={"what": "mini/01-count"})
    assert response.status_code == 302 and "/teach/live/" in response.headers["Location"], response.headers
    return int(response.headers["Location"].rsplit("/", 1)[1])


def act(teacher, live_id, do, rev=None, **fields):
    """Send one teacher change as live.js does (JSON answer); rev defaults to the current one."""
    if rev is None:
        rev = teacher.get(f"/teach/live/{live_id}/state.json").get_json()["rev"]
    data = {"do": do, "rev": rev, **fields}
    return teacher.post(f"/teach/live/{live_id}/act", data=data, headers={"Accept": "application/json"})
