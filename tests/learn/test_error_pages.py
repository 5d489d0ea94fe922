"""Error pages for people are the kit's own, in the page's language, laid out for a phone,
with a way back; the JSON API keeps its error envelope whatever the status."""

import re

import pytest
from flask import abort

from kit.errors import TooManyRequests
from tests.conftest import ADMIN

STATUSES = (403, 404, 410, 413, 429, 500)
# (path prefix, button words en/fr, where the button leads, a title en/fr for 404)
AREAS = {
    "learner": (
        "",
        ("My lessons", "Mes leçons"),
        "/lessons",
        ("We cannot find this page", "Nous ne trouvons pas cette page"),
    ),
    "teacher": ("/teach", ("Classes", "Classes"), "/teach/", ("Page not found", "Page introuvable")),
}


@pytest.fixture
def error_app(installed_kit):
    """The real app, not in testing mode (so a crash is a 500, as in `kit serve`), with
    routes that fail on purpose in the learner area, the teacher area and the API."""
    from kit.app import create_app
    from kit.db import database
    from kit.users import create_user

    app = create_app(data_dir=installed_kit)
    create_user(ADMIN[0], "admin", ADMIN[1], "The Boss")  # past the first-run setup

    def fail(code):
        if code == 500:
            raise RuntimeError("a bug")
        if code == 429:
            raise TooManyRequests("slow down", retry_after=5)
        abort(code)

    for prefix in ("", "/teach", "/api/v1"):
        app.add_url_rule(f"{prefix}/fail/<int:code>", f"fail{prefix.replace('/', '_')}", fail)
    yield app
    database.close()


def page(client, path, lang="en"):
    response = client.get(path, headers={"Accept-Language": lang})
    return response, response.get_data(as_text=True)


@pytest.mark.parametrize("area", AREAS)
@pytest.mark.parametrize("status", STATUSES)
def test_error_pages_are_kit_pages_with_a_way_back(error_app, area, status):
    prefix, buttons, home, _title = AREAS[area]
    client = error_app.test_client()
    for lang, button in zip(("en", "fr"), buttons):
        response, html = page(client, f"{prefix}/fail/{status}", lang)
        assert response.status_code == status
        assert response.mimetype == "text/html"
        assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
        assert f'<html lang="{lang}"' in html
        assert re.search(rf'<a class="[^"]*" href="{home}">{button}</a>', html), html
        assert "favicon.svg" in html and "Werkzeug" not in html and "Traceback" not in html
        assert ("Erreur" if lang == "fr" else "Error") + f" {status}" in html


@pytest.mark.parametrize("area", AREAS)
def test_an_unknown_page_is_explained_in_the_pages_language(error_app, area):
    prefix, _buttons, _home, titles = AREAS[area]
    client = error_app.test_client()
    for lang, title in zip(("en", "fr"), titles):
        response, html = page(client, f"{prefix}/no-such-page", lang)
        assert response.status_code == 404 and "<h1" in html and title in html


def test_a_too_big_request_gets_the_page_and_the_api_its_envelope(error_app):
    error_app.config["MAX_CONTENT_LENGTH"] = 1000
    client = error_app.test_client()
    response = client.post("/signin", data={"learner_id": "1", "x": "y" * 5000})
    assert response.status_code == 413 and "That was too big to send" in response.get_data(as_text=True)
    api = client.post(
        "/api/v1/events", data=b"{}" + b" " * 5000, headers={"Content-Type": "application/json"}
    )
    assert api.status_code == 413 and api.get_json()["error"]["code"] == "request_entity_too_large"


@pytest.mark.parametrize("status", STATUSES)
def test_the_api_keeps_its_json_envelope(error_app, status):
    response = error_app.test_client().get(f"/api/v1/fail/{status}")
    assert response.status_code == status and response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]


def test_a_teacher_refused_an_admin_page_reads_why_and_keeps_the_menu(installed_kit):
    from kit.app import create_app
    from kit.db import database
    from kit.users import create_user

    app = create_app(data_dir=installed_kit)
    create_user(ADMIN[0], "admin", ADMIN[1], "The Boss")
    create_user("tess", "teacher", "tess-password-1", "Tess")
    try:
        client = app.test_client()
        login = client.get("/teach/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)
        client.post(
            "/teach/login", data={"username": "tess", "password": "tess-password-1", "csrf_token": token}
        )
        response, html = page(client, "/admin/users", "fr")
        assert response.status_code == 403
        assert "Non autorisé" in html and "Sign out (Tess)" not in html and "(Tess)" in html
        assert re.search(r'<a class="[^"]*" href="/teach/">Classes</a>', html)
    finally:
        database.close()


def test_an_error_page_that_cannot_be_drawn_still_answers(error_app, monkeypatch):
    """If the page itself fails (a broken template, a disk gone), the status still goes out."""
    import kit.web.error_pages as pages

    def broken(*_args, **_kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(pages, "render_template", broken)
    response = error_app.test_client().get("/fail/500")
    assert response.status_code == 500 and response.get_data(as_text=True) == "Error 500"
