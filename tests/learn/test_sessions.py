"""Session cookies are verified once per value; forged and expired ones are still refused."""

import time

from .test_pages import sign_in


def _cookie(client):
    return client.get_cookie("kit_session").value


def test_a_verified_cookie_is_reused_and_a_tampered_one_refused(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    cookie = _cookie(client)
    for _ in range(3):  # the first check verifies, the next ones find it remembered
        assert client.get("/api/v1/progress").get_json()["learner"]["name"] == "Ada"
    payload, stamp, signature = cookie.rsplit(".", 2)
    forged = client.application.test_client()
    for bad in (
        f"{payload}.{stamp}.{signature[:-2]}AA",
        f"x{payload}.{stamp}.{signature}",
        f"{payload}.{stamp}",
        "",
    ):
        forged.set_cookie("kit_session", bad)
        assert forged.get("/api/v1/progress").status_code == 401, bad


def test_an_expired_cookie_is_refused_even_after_it_was_remembered(learn_app, ids):
    import datetime as dt

    learn_app.permanent_session_lifetime = dt.timedelta(seconds=1)
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    assert client.get("/api/v1/progress").status_code == 200
    time.sleep(2.2)
    assert client.get("/api/v1/progress").status_code == 401


def test_sessions_holding_lists_are_never_shared_between_requests(learn_app):
    from flask import session

    @learn_app.get("/test-flash")
    def add_flash():
        session.setdefault("notes", []).append("x")
        return str(len(session["notes"]))

    client = learn_app.test_client()
    assert client.get("/test-flash").get_data(as_text=True) == "1"
    cookie = _cookie(client)
    replay = learn_app.test_client()
    for _ in range(2):  # the same cookie twice: each request reads what the cookie says
        replay.set_cookie("kit_session", cookie)
        assert replay.get("/test-flash").get_data(as_text=True) == "2"
    assert cookie not in learn_app.session_interface._verified
