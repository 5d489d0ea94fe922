"""Pages reuse their session's signed CSRF token for a minute; the check is unchanged."""

import time

from .test_pages import csrf, sign_in


def test_a_session_reuses_its_token_and_it_is_still_checked(learn_app, ids):
    ada, cy = learn_app.test_client(), learn_app.test_client()
    sign_in(ada, ids["ada"], ids["class"])
    sign_in(cy, ids["ada"], ids["class"])  # the same learner on another tablet
    first = csrf(ada.get("/lesson/mini/01-count").get_data(as_text=True))
    again = csrf(ada.get("/lessons").get_data(as_text=True))
    other = csrf(cy.get("/lesson/mini/01-count").get_data(as_text=True))
    assert first == again and first != other
    asked = ada.post("/lesson/mini/01-count/help", data={"csrf_token": again, "step": 1})
    assert asked.status_code == 302 and "help=1" in asked.headers["Location"]
    # Another session's token is refused, as before: the cache never lends tokens out.
    stolen = cy.post("/lesson/mini/01-count/help", data={"csrf_token": first, "step": 1})
    assert stolen.status_code == 400


def test_signing_out_and_in_again_gives_a_new_token(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    before = csrf(client.get("/lessons").get_data(as_text=True))
    client.post("/signout", data={"csrf_token": before})
    sign_in(client, ids["ada"], ids["class"])
    after = csrf(client.get("/lessons").get_data(as_text=True))
    assert after != before
    assert client.post("/signout", data={"csrf_token": before}).status_code == 400


def test_the_first_page_of_a_new_session_shares_its_token_with_the_next(learn_app, ids):
    # Signing in starts a new session: its first page makes the raw token and signs it.
    # That token must be reused too; made again a second later, its timestamp (and so the
    # token) would differ, which is how the test above once failed on a loaded machine.
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    first = csrf(client.get("/lessons").get_data(as_text=True))
    time.sleep(1.1)  # past the second the first token's timestamp names
    assert csrf(client.get("/lesson/mini/01-count").get_data(as_text=True)) == first
