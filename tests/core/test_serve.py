"""A real `kit serve` on loopback answers /healthz and its OpenAPI document."""

import requests


def test_healthz_reports_kit_identity_and_counts(kit_server, kit):
    body = requests.get(kit_server.url + "/healthz", timeout=5).json()
    assert body["status"] == "ok"
    assert body["site"] == "Test School"
    assert len(body["kit_id"]) == 36
    assert body["counts"] == {"packs": 0, "learners": 0, "events": 0}


def test_openapi_document_is_valid(kit_server):
    from openapi_spec_validator import validate

    document = requests.get(kit_server.url + "/api/v1/openapi.json", timeout=5).json()
    validate(document)
    assert "/packs" in document["paths"]


def test_api_errors_use_one_json_envelope(kit_server):
    response = requests.get(kit_server.url + "/api/v1/no-such-thing", timeout=5)
    assert response.status_code == 404
    assert set(response.json()["error"]) >= {"code", "message"}
