"""The learner's own "sign language first" button (issue 18): on, off, bad input, signed out."""

from kit.models import Learner

from .test_pages import sign_in


def _token(client):
    import re

    page = client.get("/lessons").get_data(as_text=True)
    return re.search(
        r'action="/me/sign-first"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page
    )[1]


def test_learner_turns_sign_language_first_on_and_off(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    page = client.get("/lessons").get_data(as_text=True)
    assert '<input type="hidden" name="on" value="1">' in page and 'aria-pressed="false"' in page
    done = client.post("/me/sign-first", data={"on": "1", "csrf_token": _token(client)})
    assert done.status_code == 302 and done.location.endswith("/lessons")
    assert Learner.get_by_id(ids["ada"]).sign_first
    page = client.get("/lessons").get_data(as_text=True)
    assert '<input type="hidden" name="on" value="0">' in page and 'aria-pressed="true"' in page
    client.post("/me/sign-first", data={"on": "0", "csrf_token": _token(client)})
    assert not Learner.get_by_id(ids["ada"]).sign_first


def test_bad_or_unsigned_requests_change_nothing(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    version = Learner.get_by_id(ids["ada"]).version
    for value in ("", "yes", "2"):
        assert (
            client.post("/me/sign-first", data={"on": value, "csrf_token": _token(client)}).status_code == 302
        )
    assert client.post("/me/sign-first", data={"on": "1"}).status_code in (400, 403)  # no CSRF token
    stranger = learn_app.test_client()
    assert stranger.post("/me/sign-first", data={"on": "1"}).status_code in (302, 400, 403)
    ada = Learner.get_by_id(ids["ada"])
    assert not ada.sign_first and ada.version == version
