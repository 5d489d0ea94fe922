"""A real `kit serve` on loopback answers /healthz and its OpenAPI document."""

import pytest
import requests


def test_healthz_reports_kit_identity_and_status_the_counts(kit_server, kit):
    body = requests.get(kit_server.url + "/healthz", timeout=5).json()
    assert body["status"] == "ok"
    assert body["site"] == "Test School"
    assert len(body["kit_id"]) == 36
    assert "counts" not in body  # counting the event log is not for every poll
    status = requests.get(kit_server.url + "/api/v1/status", timeout=5).json()
    assert status["kit_id"] == body["kit_id"] and status["site"] == "Test School"
    assert status["counts"] == {"packs": 0, "learners": 0, "events": 0}


def test_healthz_runs_one_query_whatever_the_kit_holds(client):
    """The watchdog polls /healthz: one one-row query, never a count of the event log."""
    from kit.db import database

    assert client.get("/healthz").status_code == 200  # warm: the pool holds a connection
    statements = []
    database.connection().set_trace_callback(statements.append)
    try:
        assert client.get("/healthz").status_code == 200
    finally:
        database.connection().set_trace_callback(None)
    assert len(statements) == 1, statements
    assert "count" not in statements[0].lower()


def test_openapi_document_is_valid(kit_server):
    from openapi_spec_validator import validate

    document = requests.get(kit_server.url + "/api/v1/openapi.json", timeout=5).json()
    validate(document)
    assert "/packs" in document["paths"]


def test_api_errors_use_one_json_envelope(kit_server):
    response = requests.get(kit_server.url + "/api/v1/no-such-thing", timeout=5)
    assert response.status_code == 404
    assert set(response.json()["error"]) >= {"code", "message"}


@pytest.mark.parametrize("workers", [1, 2])
def test_a_queue_of_requests_is_logged_once_a_minute_for_the_kit(initialised, workers):
    """Waitress warns for every request waiting for a thread; the kit summarises them in
    one line a minute, however many workers queued."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.conftest import KitServer

    server = KitServer(initialised, env={"KIT_THREADS": "1", "KIT_WORKERS": str(workers)}).start()
    try:

        def burst(_n):
            with requests.Session() as session:
                return [session.get(server.url + "/healthz", timeout=30).status_code for _ in range(10)]

        with ThreadPoolExecutor(40) as pool:
            statuses = [s for batch in pool.map(burst, range(40)) for s in batch]
    finally:
        server.stop()
    assert statuses == [200] * 400
    lines = [line for line in server.log.read_text().splitlines() if "queue depth" in line]
    assert len(lines) == 1, lines[:5]
    assert "Task queue depth reached" in lines[0] and "once a minute" in lines[0]


def test_kit_serve_never_loads_the_postgresql_driver(kit_server):
    """Only the hub talks to PostgreSQL; the kit process stays 7 MB lighter without it."""
    import importlib.util

    assert importlib.util.find_spec("psycopg2") is not None  # installed here, as on a hub
    maps = open(f"/proc/{kit_server.process.pid}/maps").read()
    assert "psycopg2" not in maps and "libpq" not in maps
