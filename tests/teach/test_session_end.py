"""Sessions end on the kit's side at once (issue 12, finding 2), against a real `kit serve`.

A copy of the session cookie (a shared tablet, a phone that changed hands, the open
Wi-Fi) must be worth nothing after sign-out, a new password, a deactivated account or
learner, and a teacher's session must idle out.
"""

import re
import sqlite3
import time

import requests

from tests.conftest import ADMIN, KitServer

from .helpers import TEACHER


def token(session, url):
    """GET a page with this session and return its forms' CSRF token."""
    page = session.get(url, timeout=10)
    assert page.status_code == 200, (url, page.status_code)
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def teacher(server, who=TEACHER):
    """A requests session signed in through the real form."""
    s = requests.Session()
    answer = s.post(
        server.url + "/teach/login",
        allow_redirects=False,
        timeout=10,
        data={"username": who[0], "password": who[1], "csrf_token": token(s, server.url + "/teach/login")},
    )
    assert answer.status_code == 302, answer.text
    return s


def learner(server, learner_id, class_id):
    """A requests session signed in as a learner by tapping their name."""
    s = requests.Session()
    answer = s.post(
        server.url + "/signin",
        allow_redirects=False,
        timeout=10,
        data={"learner_id": learner_id, "csrf_token": token(s, f"{server.url}/class/{class_id}")},
    )
    assert answer.headers["Location"] == "/lessons"
    return s


def replay(server, cookies, path="/teach/"):
    """Send a copied cookie alone, as whoever copied it would."""
    return requests.get(server.url + path, cookies=cookies, allow_redirects=False, timeout=10)


def user_id(server, name):
    with sqlite3.connect(server.data_dir / "kit.db") as db:
        return db.execute("SELECT id FROM user WHERE username = ?", (name,)).fetchone()[0]


def test_a_copied_teacher_cookie_dies_at_sign_out(teach_server):
    s = teacher(teach_server)
    copy = s.cookies.get_dict()
    assert replay(teach_server, copy).status_code == 200
    s.post(
        teach_server.url + "/teach/logout",
        timeout=10,
        data={"csrf_token": token(s, teach_server.url + "/teach/")},
    )
    dead = replay(teach_server, copy)
    assert dead.status_code == 302 and "/teach/login" in dead.headers["Location"]
    assert replay(
        teach_server, copy, f"/teach/classes/{teach_server.ids['class']}/grid.json"
    ).status_code in (302, 401)
    with sqlite3.connect(teach_server.data_dir / "kit.db") as db:
        assert db.execute("SELECT COUNT(*) FROM web_session").fetchone()[0] == 0


def test_a_new_password_ends_every_session_of_that_teacher_but_not_the_admins_own(teach_server):
    tina_phone, tina_laptop = teacher(teach_server), teacher(teach_server)
    boss = teacher(teach_server, ADMIN)
    tina = user_id(teach_server, TEACHER[0])
    form = token(boss, teach_server.url + "/admin/users")
    boss.post(
        f"{teach_server.url}/admin/users/{tina}",
        timeout=10,
        data={"action": "password", "password": "a-new-password-3", "csrf_token": form},
    )
    for s in (tina_phone, tina_laptop):
        assert replay(teach_server, s.cookies.get_dict()).status_code == 302
    assert replay(teach_server, boss.cookies.get_dict(), "/admin/users").status_code == 200
    teacher(teach_server, (TEACHER[0], "a-new-password-3"))
    # The admin changing their own password keeps this browser and ends the others.
    other_boss = teacher(teach_server, ADMIN)
    me = user_id(teach_server, ADMIN[0])
    boss.post(
        f"{teach_server.url}/admin/users/{me}",
        timeout=10,
        data={
            "action": "password",
            "password": "boss-new-pass-4",
            "csrf_token": token(boss, teach_server.url + "/admin/users"),
        },
    )
    assert replay(teach_server, boss.cookies.get_dict(), "/admin/users").status_code == 200
    assert replay(teach_server, other_boss.cookies.get_dict(), "/admin/users").status_code == 302


def test_a_deactivated_teacher_stays_signed_out_after_reactivation(teach_server):
    tina_session, boss = teacher(teach_server), teacher(teach_server, ADMIN)
    tina = user_id(teach_server, TEACHER[0])
    for action in ("deactivate", "activate"):
        boss.post(
            f"{teach_server.url}/admin/users/{tina}",
            timeout=10,
            data={"action": action, "csrf_token": token(boss, teach_server.url + "/admin/users")},
        )
        assert replay(teach_server, tina_session.cookies.get_dict()).status_code == 302, action


def test_a_copied_learner_cookie_dies_at_switch_learner_and_at_deactivation(teach_server):
    ids = teach_server.ids
    ada = learner(teach_server, ids["ada"], ids["class"])
    copy = ada.cookies.get_dict()
    assert replay(teach_server, copy, "/api/v1/progress").status_code == 200
    ada.post(
        teach_server.url + "/signout",
        timeout=10,
        data={"csrf_token": token(ada, teach_server.url + "/lessons")},
    )
    assert replay(teach_server, copy, "/api/v1/progress").status_code == 401
    assert replay(teach_server, copy, "/lessons").status_code == 302

    ben = learner(teach_server, ids["ben"], ids["class"])
    tina = teacher(teach_server)
    edit = f"{teach_server.url}/teach/learners/{ids['ben']}/edit"
    tina.post(edit, timeout=10, data={"action": "deactivate", "csrf_token": token(tina, edit)})
    tina.post(edit, timeout=10, data={"action": "activate", "csrf_token": token(tina, edit)})
    assert replay(teach_server, ben.cookies.get_dict(), "/api/v1/progress").status_code == 401


def test_a_teacher_session_idles_out(teach_data, teach_template):
    server = KitServer(teach_data, env={"KIT_SESSION_IDLE_S": "2"}).start()
    try:
        s = teacher(server)
        assert s.get(server.url + "/teach/", allow_redirects=False, timeout=10).status_code == 200
        time.sleep(3)
        idle = s.get(server.url + "/teach/", allow_redirects=False, timeout=10)
        assert idle.status_code == 302 and "/teach/login" in idle.headers["Location"]
        ids = teach_template[1]
        tablet = learner(server, ids["ada"], ids["class"])
        time.sleep(3)  # learners on a tablet do not idle out
        assert tablet.get(server.url + "/api/v1/progress", timeout=10).status_code == 200
    finally:
        server.stop()
