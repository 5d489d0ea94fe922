"""Signing in without typing: picture passwords, their limit, sessions that never mix."""

import re

from .test_pages import csrf, sign_in


def picture_post(client, learner_id, pictures):
    page = client.get(f"/signin/{learner_id}").get_data(as_text=True)
    return client.post(f"/signin/{learner_id}", data={"picture": pictures, "csrf_token": csrf(page)})


def signed_in_as(client):
    with client.session_transaction() as session:
        return session.get("learner_id")


def test_tapping_a_name_with_a_picture_password_asks_for_the_pictures(learn_app, ids):
    client = learn_app.test_client()
    response = sign_in(client, ids["ben"], ids["class"])
    assert response.headers["Location"] == f"/signin/{ids['ben']}"
    assert signed_in_as(client) is None
    page = client.get(f"/signin/{ids['ben']}").get_data(as_text=True)
    assert page.count('type="checkbox" name="picture"') == 9 and "Hello Ben!" in page
    assert picture_post(client, ids["ben"], ["moon", "sun"]).headers["Location"] == "/lessons"
    assert signed_in_as(client) == ids["ben"]


def test_wrong_or_incomplete_pictures_are_refused(learn_app, ids):
    client = learn_app.test_client()
    wrong = picture_post(client, ids["ben"], ["sun", "star"])
    assert wrong.status_code == 403 and "Those are not your pictures" in wrong.get_data(True)
    one = picture_post(client, ids["ben"], ["sun"])
    assert one.status_code == 400 and "Choose two pictures." in one.get_data(True)
    bogus = picture_post(client, ids["ben"], ["sun", "<script>"])
    assert bogus.status_code == 403
    assert signed_in_as(client) is None


def test_wrong_pictures_are_rate_limited_per_learner(learn_app, ids):
    learn_app.config["KIT"]["login_attempts"] = 3
    client = learn_app.test_client()
    for _ in range(3):
        assert picture_post(client, ids["ben"], ["sun", "star"]).status_code == 403
    locked = picture_post(client, ids["ben"], ["moon", "sun"])  # even the right pair now
    assert locked.status_code == 429
    assert "Too many wrong tries" in locked.get_data(as_text=True)
    assert signed_in_as(client) is None
    assert sign_in(learn_app.test_client(), ids["ada"], ids["class"]).status_code == 302


def test_learner_with_no_password_cannot_use_the_picture_page_and_csrf_is_required(learn_app, ids):
    client = learn_app.test_client()
    assert client.get(f"/signin/{ids['ada']}").headers["Location"] == f"/class/{ids['class']}"
    forged = client.post("/signin", data={"learner_id": ids["ada"], "csrf_token": "forged"})
    assert forged.status_code == 400 and signed_in_as(client) is None


def test_switching_learner_clears_the_session(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    with client.session_transaction() as session:
        session["user_id"] = 1  # a teacher session left on the tablet must not survive either
        session["kit.extra"] = "Ada's"
    page = client.get("/lessons").get_data(as_text=True)
    out = client.post("/signout", data={"csrf_token": csrf(page)})
    assert out.headers["Location"] == f"/class/{ids['class']}"
    with client.session_transaction() as session:
        assert dict(session) == {}
    assert client.get("/lessons").headers["Location"] == "/"


def test_inactive_learners_and_classes_are_not_offered(learn_app, ids):
    from kit.roster import update_class, update_learner

    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    update_learner(ids["ada"], active=False)
    assert client.get("/lessons").headers["Location"] == "/"
    names = client.get(f"/class/{ids['class']}").get_data(as_text=True)
    assert "Ada" not in re.sub(r'value="[^"]*"', "", names)  # not inside a random CSRF token
    tapped = client.post("/signin", data={"learner_id": ids["ada"], "csrf_token": csrf(names)})
    assert tapped.status_code == 404
    update_class(ids["class"], active=False)
    assert client.get(f"/class/{ids['class']}").status_code == 404
    assert "Class A" not in client.get("/").get_data(as_text=True)
