"""Hostile input at the kit's learner API and pages: a clear 4xx (never a 500), nothing stored."""

import re
import shutil

import pytest
import requests

from kit.models import Event
from tests.conftest import FIXTURE_PACKS, KitServer, run_kit

from .conftest import make_event
from .test_api import token_of
from .test_pages import csrf, sign_in


@pytest.fixture
def ada(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    return client


def _chunked(data):
    """A body sent with Transfer-Encoding: chunked and no Content-Length."""
    yield from (data[i : i + 1024] for i in range(0, len(data), 1024))


def test_api_bodies_over_their_route_limit_are_413_before_reading(installed_kit):
    server = KitServer(
        installed_kit, env={"KIT_MAX_EVENT_BODY_BYTES": "5000", "KIT_MAX_API_BODY_BYTES": "1000"}
    ).start()
    try:
        for path, limit in (("/api/v1/events", 5000), ("/api/v1/answers", 1000), ("/api/v1/progress", 1000)):
            body = b"[" * (limit + 1)  # not JSON either: a 413 shows it was never parsed
            for data in (body, _chunked(body)):
                answer = requests.post(server.url + path, data=data, timeout=30)
                assert answer.status_code == 413, (path, answer.status_code, answer.text)
                assert answer.json()["error"]["code"] == "too_large"
                assert f"over {limit} bytes" in answer.json()["error"]["message"]
        fits = requests.post(server.url + "/api/v1/events", data=b"[" * 5000, timeout=30)
        assert fits.status_code == 422  # read, and refused as not a JSON object
    finally:
        server.stop()


@pytest.mark.parametrize("depth", [5000, 30_000])  # past the parser's stack, under 64 KiB
def test_deeply_nested_json_is_a_422_not_a_500(ada, depth):
    nested = "[" * depth + "]" * depth
    for body in (nested, '{"token": "x", "events": ' + nested + "}"):
        answer = ada.post("/api/v1/events", data=body, content_type="application/json")
        assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
        assert answer.get_json()["error"]["code"] == "bad_event"
    check = ada.post("/api/v1/answers", data=nested, content_type="application/json")
    assert check.status_code == 422
    assert Event.select().count() == 0


@pytest.mark.parametrize(
    "when",
    [
        "0001-01-01T00:30:00+01:00",
        "0001-01-01T00:00:00+00:01",
        "9999-12-31T23:59:59-00:01",
        "9999-12-31T23:30:00-23:59",
    ],
)
def test_device_times_past_the_calendars_ends_are_a_422_not_a_500(ada, when):
    batch = [make_event("lesson_opened"), make_event("lesson_opened", device_time=when)]
    answer = ada.post("/api/v1/events", json={"token": token_of(ada), "events": batch})
    assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    error = answer.get_json()["error"]
    assert error["details"] == {"index": 1, "field": "device_time"}
    assert "between the years 1 and 9999" in error["message"]
    assert Event.select().count() == 0
    ends = [
        make_event("lesson_opened", device_time="0001-01-01T00:00:00+00:00"),
        make_event("lesson_opened", device_time="9999-12-31T23:59:59Z"),
    ]
    assert ada.post("/api/v1/events", json={"token": token_of(ada), "events": ends}).status_code == 200


def test_a_lesson_title_spelling_the_page_markers_breaks_no_page(installed_kit, tmp_path):
    """The lesson page is cached with markers for per-learner values; a title holding the
    old marker text (a NUL, "kit:", a letter, a NUL) made every learner's page a 500."""
    from kit.app import create_app
    from kit.assignments import assign
    from kit.db import database
    from kit.packs.archive import build
    from kit.roster import add_learner, create_class

    source = tmp_path / "marks"
    shutil.copytree(FIXTURE_PACKS / "mini", source)
    (source / "pack.yaml").write_text((source / "pack.yaml").read_text().replace("id: mini", "id: marks"))
    lesson = source / "lessons" / "01-count" / "lesson.md"
    hostile = "Count \\0kit:Z\\0 \\0kit:S\\0 \\0kit:H1\\0 \\0kit:N\\0"
    lesson.write_text(lesson.read_text().replace("title: Counting mangoes", f'title: "{hostile}"'))
    build(source, tmp_path / "marks.kitpack")
    run_kit(installed_kit, "pack", "import", tmp_path / "marks.kitpack")
    app = create_app(data_dir=installed_kit)
    app.config.update(TESTING=True)
    database.connect(reuse_if_open=True)
    try:
        room = create_class("Class M")
        learners = [
            add_learner(room.id, name=name, avatar="cat", colour="blue").id for name in ("Ada", "Ben")
        ]
        assign(room.id, "marks")
        for learner_id in learners:  # the first renders and caches the page, the second reads the cache
            client = app.test_client()
            page = client.get(f"/class/{room.id}").get_data(as_text=True)
            client.post("/signin", data={"learner_id": learner_id, "csrf_token": csrf(page)})
            for step in (0, 1):
                answer = client.get(f"/lesson/marks/01-count?step={step}")
                assert answer.status_code == 200, answer.get_data(as_text=True)[:500]
                html = answer.get_data(as_text=True)
                assert "kit:Z" in html and "kit:S" in html  # the title is shown as written
                assert re.search(r'data-attempt="1"', html)
    finally:
        database.close()
