"""Property-based fuzzing of the kit's /api/v1 and the hub's /sync/v1 from their OpenAPI documents.

Schemathesis makes requests from each documented operation's schema (valid ones, and
ones that break it), sends them to a real `kit serve` and a real `kit hub serve` on
loopback, and checks every answer: never a 5xx, a documented status code and content
type, and a body matching the documented schema. The kit side runs as a signed-in
learner with a real token, the hub side as an enrolled kit, so requests reach past
authentication. Bounded by max_examples per operation (the whole file takes about
a minute here) and a generous per-example deadline.
"""

import json
import re
import zlib

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from kit.api import openapi_document
from sync import credentials, protocol
from tests.conftest import KitServer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
BOUNDED = settings(
    max_examples=25, deadline=10_000, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)


@schemathesis.serializer(protocol.EVENTS_TYPE, protocol.RECORDS_TYPE)
def _zlib_json(ctx, value):
    """The hub's batch bodies are documented as the JSON document they inflate to."""
    return value if isinstance(value, bytes) else zlib.compress(json.dumps(value).encode("utf-8"))


@pytest.fixture(scope="module")
def kit_side(tmp_path_factory, _installed_template):
    """A real `kit serve` with the mini pack, and a learner signed in on a requests session."""
    import shutil

    from kit.app import create_app
    from kit.assignments import assign
    from kit.db import database
    from kit.roster import add_learner, create_class

    data = tmp_path_factory.mktemp("fuzz-kit") / "data"
    shutil.copytree(_installed_template, data)
    create_app(data_dir=data)
    room = create_class("Fuzz class")
    learner = add_learner(room.id, name="Ada", avatar="cat", colour="blue")
    assign(room.id, "mini")
    database.close()
    server = KitServer(data).start()
    session = requests.Session()
    page = session.get(f"{server.url}/class/{room.id}", timeout=10).text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    session.post(f"{server.url}/signin", data={"learner_id": learner.id, "csrf_token": csrf}, timeout=10)
    token = session.get(f"{server.url}/lessons", timeout=10).text.split('data-token="', 1)[1].split('"', 1)[0]
    yield server, session, token
    server.stop()


@pytest.fixture(scope="module")
def hub_side(tmp_path_factory):
    """A real `kit hub serve` and an enrolled kit's credentials."""
    from tests.sync.conftest import HUB_ENV, Hub

    hub = Hub(tmp_path_factory.mktemp("fuzz-hub") / "hub", env=HUB_ENV).setup()
    kit_id = "0b0e6a8e-6d4f-4a53-9f57-1c6b8b7f5a31"
    answer = requests.post(
        hub.url + "/sync/v1/enroll", json={"code": hub.code("Fuzz"), "kit_id": kit_id}, timeout=10
    )
    headers = credentials.auth_header(kit_id, answer.json()["secret"])
    yield hub, kit_id, headers
    hub.stop()


def _fuzz(schema_url, call):
    """Run every operation of the document at `schema_url`, valid and invalid requests, through `call`.

    Written with plain Hypothesis over Schemathesis' strategies: its pytest plugin's
    fixture-loaded schemas do not run under pytest 9.
    """
    schema = schemathesis.openapi.from_url(schema_url)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            if mode is GenerationMode.NEGATIVE and not (
                len(operation.body) or len(operation.path_parameters)
            ):
                continue  # nothing to break in a GET without parameters

            @BOUNDED
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                call(case)

            run()
    return [op.label for op in operations]


def _aim_at_the_mini_pack(body, token):
    """Point generated requests at the installed lesson, so they reach judging and storing."""
    if not isinstance(body, dict):
        return
    if "token" in body:
        body["token"] = token  # past authentication, into validation
    if "question_id" in body:  # an answer check: one of the mini lesson's four kinds of question
        body.update(
            pack_id="mini", lesson_id="01-count", question_id=f"q{len(repr(body.get('response'))) % 4 + 1}"
        )
    for event in body.get("events") if isinstance(body.get("events"), list) else ():
        if isinstance(event, dict):
            event.update(pack_id="mini", lesson_id="01-count")


# Paths the kit's document serves from the root (`servers: [{url: /}]`), e.g. /healthz.
ROOT_PATHS = {
    path
    for path, item in openapi_document().get("paths", {}).items()
    if [s.get("url") for s in item.get("servers", [])] == ["/"]
}


def test_kit_api_never_fails_and_answers_as_documented(kit_side):
    server, session, token = kit_side

    def call(case):
        _aim_at_the_mini_pack(case.body, token)
        # A path may name its own server (/healthz lives at the root, not under /api/v1).
        base = "" if case.operation.path in ROOT_PATHS else "/api/v1"
        case.call_and_validate(base_url=server.url + base, session=session, checks=CHECKS, timeout=30)

    labels = _fuzz(server.url + "/api/v1/openapi.json", call)
    assert "POST /events" in labels and "POST /answers" in labels


def test_hub_sync_api_never_fails_and_answers_as_documented(hub_side):
    hub, kit_id, headers = hub_side

    def call(case):
        if isinstance(case.body, dict) and "kit" in case.body:
            case.body["kit"] = kit_id  # this kit's own batch, past the ownership check
        case.call_and_validate(base_url=hub.url + "/sync/v1", headers=headers, checks=CHECKS, timeout=30)

    labels = _fuzz(hub.url + "/sync/v1/openapi.json", call)
    assert {"POST /events", "POST /records", "POST /hello", "POST /enroll"} <= set(labels)


def test_hub_openapi_document_is_valid_and_describes_every_sync_route(tmp_path):
    from openapi_spec_validator import validate

    from sync.hub import create_hub_app
    from sync.hub.db import database

    app = create_hub_app(tmp_path / "hub")
    try:
        document = app.test_client().get("/sync/v1/openapi.json").get_json()
        validate(document)
        documented = {
            (path, method.upper())
            for path, ops in document["paths"].items()
            for method in ops
            if method in ("get", "post", "put", "patch", "delete")
        }
        real = set()
        for rule in app.url_map.iter_rules():
            if rule.rule.startswith(protocol.PREFIX + "/"):
                path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len(protocol.PREFIX) :])
                real |= {(path, method) for method in rule.methods - {"HEAD", "OPTIONS"}}
        assert real == documented, "sync/hub/openapi.yaml and the hub's /sync/v1 routes differ"
    finally:
        database.close()
