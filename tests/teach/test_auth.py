"""Sign-in: hashed passwords, wrong passwords, the rate limit, CSRF, roles, learner sessions."""

import pytest

from kit import passwords, users
from kit.errors import Conflict, KitError
from kit.models import User
from tests.conftest import ADMIN

from .helpers import TEACHER, csrf_token, post, sign_in


def test_password_is_stored_with_werkzeug_scrypt_hash(teach_app):
    user = User.get(User.username == TEACHER[0])
    assert user.password_hash.startswith("scrypt:16384:8:5$")  # OWASP's 16 MB setting
    assert TEACHER[1] not in user.password_hash
    assert passwords.check_password(user.password_hash, TEACHER[1])
    assert not passwords.check_password(user.password_hash, TEACHER[1] + "x")


@pytest.mark.parametrize(
    "name, password, message",
    [
        ("Bad Name", "long-enough-1", "a user name is 2 to 32 characters"),
        ("x", "long-enough-1", "a user name is 2 to 32 characters"),
        ("okname", "short", "at least 8 characters"),
        ("tina", "long-enough-1", "already taken"),
    ],
)
def test_create_user_refuses_bad_input_and_changes_nothing(teach_app, name, password, message):
    before = User.select().count()
    with pytest.raises(KitError, match=message) as caught:
        users.create_user(name, "teacher", password)
    assert User.select().count() == before
    if name == "tina":
        assert isinstance(caught.value, Conflict)


def test_create_user_refuses_unknown_role(teach_app):
    with pytest.raises(KitError, match="role must be teacher or admin"):
        users.create_user("newbie", "janitor", "long-enough-1")
    assert not User.select().where(User.username == "newbie").exists()


def test_a_hash_made_with_older_settings_is_remade_at_the_next_good_sign_in(client):
    from werkzeug.security import generate_password_hash

    old = generate_password_hash(TEACHER[1], method="scrypt:32768:8:1")  # werkzeug's default
    User.update(password_hash=old).where(User.username == TEACHER[0]).execute()
    token = csrf_token(client, "/teach/login")
    wrong = client.post(
        "/teach/login", data={"username": TEACHER[0], "password": "nope-nope", "csrf_token": token}
    )
    assert wrong.status_code == 401
    assert User.get(User.username == TEACHER[0]).password_hash == old  # not on a wrong one
    assert sign_in(client).status_code == 302
    remade = User.get(User.username == TEACHER[0]).password_hash
    assert remade.startswith("scrypt:16384:8:5$") and passwords.check_password(remade, TEACHER[1])


def test_sign_in_and_out(client):
    response = sign_in(client)
    assert response.status_code == 302 and response.location.endswith("/teach/")
    assert "Class A" in client.get("/teach/").get_data(as_text=True)
    post(client, "/teach/logout")
    assert client.get("/teach/").status_code == 302


def test_wrong_password_is_refused_with_a_clear_message(client):
    token = csrf_token(client, "/teach/login")
    response = client.post(
        "/teach/login", data={"username": "tina", "password": "nope-nope", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Wrong user name or password." in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "user_id" not in session
    assert client.get("/teach/").status_code == 302


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(client):
    token = csrf_token(client, "/teach/login")
    response = client.post(
        "/teach/login", data={"username": "ghost", "password": "whatever-1", "csrf_token": token}
    )
    assert response.status_code == 401
    assert "Wrong user name or password." in response.get_data(as_text=True)


def test_sign_in_is_rate_limited_even_with_the_right_password(client, teach_app):
    attempts = teach_app.config["KIT"]["login_attempts"]
    token = csrf_token(client, "/teach/login")
    for _ in range(attempts):
        bad = client.post(
            "/teach/login", data={"username": "tina", "password": "wrong-guess", "csrf_token": token}
        )
        assert bad.status_code == 401
    blocked = client.post(
        "/teach/login", data={"username": "tina", "password": TEACHER[1], "csrf_token": token}
    )
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "user_id" not in session
    # Another account from the same address is not locked out by tina's failures.
    assert sign_in(client, ADMIN).status_code == 302


def test_failure_log_window_moves_on(teach_app):
    import datetime as dt

    from kit.models import LoginFailure
    from kit.ratelimit import FailureLog

    now = [dt.datetime(2026, 1, 1, 8, 0, 0)]
    log = FailureLog(LoginFailure, clock=lambda: now[0])
    log.fail("k")
    now[0] += dt.timedelta(seconds=10)
    log.fail("k")
    assert log.retry_after("k", 2, 60) == 50  # the first failure leaves the window at 60 s
    assert log.retry_after("k", 3, 60) == 0 and log.retry_after("other", 1, 60) == 0
    now[0] += dt.timedelta(seconds=50)
    assert log.retry_after("k", 2, 60) == 0
    log.clear("k")
    assert log.retry_after("k", 1, 60) == 0


def test_forged_csrf_token_is_refused(teacher, ids):
    from kit.models import Classroom

    before = Classroom.select().count()
    response = teacher.post("/teach/classes", data={"name": "Forged", "csrf_token": "forged"})
    assert response.status_code == 400
    assert "This form has expired or did not come from this kit" in response.get_data(as_text=True)
    missing = teacher.post("/teach/classes", data={"name": "Forged"})
    assert missing.status_code == 400
    assert Classroom.select().count() == before


def test_sign_in_form_needs_csrf_too(client):
    response = client.post("/teach/login", data={"username": "tina", "password": TEACHER[1]})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "user_id" not in session


def test_learner_session_never_reaches_teacher_or_admin_pages(client, ids):
    with client.session_transaction() as session:
        session["learner_id"] = ids["ada"]
    for url in (
        "/teach/",
        f"/teach/classes/{ids['class']}",
        f"/teach/learners/{ids['ada']}",
        "/admin/",
        "/admin/users",
        "/admin/packs",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/teach/login" in response.location, url
    grid = client.get(f"/teach/classes/{ids['class']}/grid.json")
    assert grid.status_code == 401
    assert grid.get_json()["error"]["code"] == "unauthorized"


def test_forged_user_id_types_are_not_trusted(client):
    with client.session_transaction() as session:
        session["user_id"] = "1"
    assert client.get("/teach/").status_code == 302


def test_teacher_cannot_reach_admin_pages(teacher):
    for url in ("/admin/", "/admin/users", "/admin/packs", "/admin/sheet"):
        response = teacher.get(url)
        assert response.status_code == 403, url
        assert "only an admin" in response.get_data(as_text=True)
    token = csrf_token(teacher, "/teach/")
    response = teacher.post(
        "/admin/users",
        data={"username": "sneaky", "role": "admin", "password": "long-enough-1", "csrf_token": token},
    )
    assert response.status_code == 403
    assert not User.select().where(User.username == "sneaky").exists()


def test_deactivated_teacher_is_signed_out_and_cannot_sign_in(client, teacher):
    from kit.db import write

    with write():
        User.update(active=False).where(User.username == "tina").execute()
    assert teacher.get("/teach/").status_code == 302
    assert sign_in(client).status_code == 401


def test_next_parameter_cannot_redirect_off_the_kit(client):
    for target in (
        "//evil.example/x",
        "https://evil.example/",
        "javascript:alert(1)",
        "/\\evil.example/",
        "/%5Cevil.example/",
        "teach/",
    ):
        token = csrf_token(client, "/teach/login")  # signing in starts a fresh session
        response = client.post(
            f"/teach/login?next={target}",
            data={"username": "tina", "password": TEACHER[1], "csrf_token": token},
        )
        assert response.status_code == 302
        assert response.location.endswith("/teach/"), target
    token = csrf_token(client, "/teach/login")
    response = client.post(
        "/teach/login?next=/teach/classes/1",
        data={"username": "tina", "password": TEACHER[1], "csrf_token": token},
    )
    assert response.location.endswith("/teach/classes/1")


def test_authenticate_works_outside_a_request(teach_data):
    from kit.datafolder import open_data
    from kit.db import database
    from kit.errors import Unauthorized

    open_data(teach_data)
    try:
        assert users.authenticate(*TEACHER, "cli").username == "tina"
        with pytest.raises(Unauthorized, match="wrong user name or password"):
            users.authenticate("tina", "wrong-password", "cli")
    finally:
        database.close()
