"""A kit with the course pack installed, a class and two learners; answer quizzes as a tablet."""

import pytest

from tests.conftest import run_kit
from tests.learn.conftest import make_event

from .helpers import RIGHT, WRONG, course_pack


@pytest.fixture(scope="session")
def course_pack_file(tmp_path_factory):
    from kit.packs.archive import build

    base = tmp_path_factory.mktemp("course-pack")
    return build(course_pack(base / "src"), base / "mini-course.kitpack") and base / "mini-course.kitpack"


@pytest.fixture
def course_kit(tmp_path, course_pack_file):
    data = tmp_path / "kit-data"
    data.mkdir()
    run_kit(data, "init", "--site", "Mopti Truck 3")
    run_kit(data, "pack", "import", course_pack_file)
    return data


@pytest.fixture
def course_app(course_kit):
    from kit.app import create_app
    from kit.assignments import assign
    from kit.db import database
    from kit.roster import add_learner, create_class

    app = create_app(data_dir=course_kit)
    app.config.update(TESTING=True)
    database.connect(reuse_if_open=True)
    room = create_class("Evening class")
    app.config["TEST_IDS"] = {
        "class": room.id,
        "amina": add_learner(room.id, name="Amina Diallo", avatar="cat", colour="blue").id,
        "ben": add_learner(room.id, name="Ben Ouédraogo", avatar="dog", colour="green").id,
    }
    assign(room.id, "mini")
    yield app
    database.close()


def take_quiz(learner_id, lesson, attempt=1, right=True):
    """Answer a lesson's quiz (all right, or the first question wrong) and finish it."""
    from kit.events import record

    answers = RIGHT[lesson] if right else {**RIGHT[lesson], **WRONG[lesson]}
    events = [
        make_event("answer", {"question_id": q, "response": r, "attempt": attempt}, lesson=lesson)
        for q, r in answers.items()
    ]
    events.append(make_event("quiz_finished", {"attempt": attempt}, lesson=lesson))
    return record(events, learner_id)
