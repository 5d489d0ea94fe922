"""The OpenAPI document describes every /api/v1 route the app really has."""

import re


def test_every_api_route_is_in_the_openapi_document(app, client):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (path, method.upper())
        for path, ops in document["paths"].items()
        for method in ops
        if method in ("get", "post", "put", "patch", "delete")
    }
    real = set()
    for rule in app.url_map.iter_rules():
        if rule.rule == "/healthz":  # documented with its own server ("/")
            path = rule.rule
        elif rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule[len("/api/v1") :])
        else:
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            real.add((path, method))
    assert real - documented == set(), "routes missing from kit/api/openapi.yaml"
    assert documented - real == set(), "documented routes the app does not have"
