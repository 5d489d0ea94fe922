"""The kit's /admin/sync page: admins only; enrol with a code, see the status, export a bundle."""

import json
import re

from .conftest import make_kit


def _client(kit):
    from kit.app import create_app
    from kit.users import create_user

    app = create_app(data_dir=kit.data_dir)
    app.config.update(TESTING=True)
    with app.app_context():
        admin = create_user("boss", "admin", "long enough password")
        teacher = create_user("amina", "teacher", "long enough password")
    return app, admin.id, teacher.id


def _token(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_admin_page_enrols_the_kit_and_exports_a_bundle(sqlite_hub, tmp_path):
    from kit import signins
    from kit.db import database

    kit = make_kit(tmp_path, "k")
    kit.add_events(3)
    app, admin_id, teacher_id = _client(kit)
    try:
        client = app.test_client()
        anonymous = client.get("/admin/sync/")
        assert anonymous.status_code == 302 and "/teach/login" in anonymous.headers["Location"]
        with client.session_transaction() as session:  # a signed-in teacher (kit.signins row + cookie)
            session["user_id"], session["sid"] = teacher_id, signins.start(3600, 3600, user_id=teacher_id)
        assert client.get("/admin/sync/").status_code == 403
        with client.session_transaction() as session:  # a signed-in admin (kit.signins row + cookie)
            session["user_id"], session["sid"] = admin_id, signins.start(3600, 3600, user_id=admin_id)
        page = client.get("/admin/sync/").get_data(as_text=True)
        assert "not enrolled" in page
        wrong = client.post(
            "/admin/sync/enroll",
            data={"hub": sqlite_hub.url, "code": "NOPE-NOPE-NOPE", "csrf_token": _token(page)},
        )
        assert wrong.status_code == 401 and "not known at the hub" in wrong.get_data(as_text=True)
        done = client.post(
            "/admin/sync/enroll",
            data={"hub": sqlite_hub.url, "code": sqlite_hub.code("Truck 5"), "csrf_token": _token(page)},
            follow_redirects=True,
        )
        text = done.get_data(as_text=True)
        assert "Enrolled with the hub as Truck 5" in text and "Events waiting" in text
        status_page = client.get("/admin/").get_data(as_text=True)  # the admin status page shows our panel
        assert "Sync with the hub" in status_page and "Truck 5" in status_page
        bundle = client.post("/admin/sync/export", data={"csrf_token": _token(text)})
        assert bundle.status_code == 200 and json.loads(bundle.data)["magic"] == "classroom-kit-bundle"
        french = client.get("/admin/sync/", headers={"Accept-Language": "fr"}).get_data(as_text=True)
        assert "Synchronisation avec le hub" in french
    finally:
        database.close()
