"""Every route of the kit and the hub, read from their url maps: who may open it, and how errors look.

ACCESS declares, for each (endpoint, method), who may use it. The walk calls every one
as each kind of visitor and checks the answer against the table: a visitor allowed in
is never refused, one kept out always is (401/403, or sent to the sign-in page). A new
route without an entry fails the test, and so does an entry for a route that is gone.
Every refusal and error met on the way must have the one error shape: JSON routes
answer {"error": {"code", "message"}}, pages answer an HTML page.
"""

import json
import shutil
from urllib.parse import urlsplit

import pytest

from tests.conftest import ADMIN

KIT_ROLES = ("anonymous", "learner", "teacher", "admin")
HUB_ROLES = ("anonymous", "manager", "remote-teacher", "kit")
# Who gets in at each level (anyone else is refused).
LEVELS = {
    "public": set(KIT_ROLES + HUB_ROLES),
    "learner": {"learner"},
    "teacher": {"teacher", "admin"},
    "admin": {"admin"},
    "manager": {"manager"},
    "hub_account": {"manager", "remote-teacher"},
    "kit": {"kit"},
}
# Where a refused visitor of a page is sent, by level.
SIGN_IN = {
    "learner": "/",
    "teacher": "/teach/login",
    "admin": "/teach/login",
    "manager": "/signin",
    "hub_account": "/signin",
}

KIT_ACCESS = {
    ("learn.index", "GET"): "public",
    ("learn.class_page", "GET"): "public",
    ("learn.signin", "POST"): "public",
    ("learn.picture", "GET"): "public",
    ("learn.picture", "POST"): "public",
    ("learn.signout", "POST"): "public",
    ("learn.lessons", "GET"): "learner",
    ("learn.note_aloud", "GET"): "learner",
    ("learn.player", "GET"): "learner",
    ("learn.answer", "POST"): "learner",
    ("learn.finish", "POST"): "learner",
    ("learn.ask_help", "POST"): "learner",
    ("learn.sign_first", "POST"): "learner",
    ("api.post_events", "POST"): "learner",
    ("api.check_answer", "POST"): "learner",
    ("api.get_progress", "GET"): "learner",
    ("api.list_packs", "GET"): "public",
    ("api.openapi", "GET"): "public",
    ("healthz", "GET"): "public",
    ("api.status", "GET"): "public",
    ("static", "GET"): "public",
    ("media.pack_file", "GET"): "public",
    ("favicon", "GET"): "public",
    ("teach.login", "GET"): "public",
    ("teach.login", "POST"): "public",
    ("teach.logout", "POST"): "public",
    ("teach.dashboard", "GET"): "teacher",
    ("teach.training", "GET"): "teacher",
    ("teach.start_training", "POST"): "teacher",
    ("teach.create_class", "POST"): "teacher",
    ("teach.class_page", "GET"): "teacher",
    ("teach.assign_page", "GET"): "teacher",
    ("teach.assign_page", "POST"): "teacher",
    ("teach.remove_assignment", "POST"): "teacher",
    ("teach.login_cards", "GET"): "teacher",
    ("teach.edit_class", "GET"): "teacher",
    ("teach.edit_class", "POST"): "teacher",
    ("teach.grid_json", "GET"): "teacher",
    ("teach.import_preview", "POST"): "teacher",
    ("teach.add_learner", "POST"): "teacher",
    ("teach.questions_page", "GET"): "teacher",
    ("teach.roster_page", "GET"): "teacher",
    ("teach.start_session", "POST"): "teacher",
    ("teach.sessions_list", "GET"): "teacher",
    ("teach.language", "POST"): "teacher",
    ("teach.learner_page", "GET"): "teacher",
    ("teach.dismiss_help", "POST"): "teacher",
    ("teach.edit_learner", "GET"): "teacher",
    ("teach.edit_learner", "POST"): "teacher",
    ("teach.session_page", "GET"): "teacher",
    ("teach.end_session", "POST"): "teacher",
    ("teach.mark_present", "POST"): "teacher",
    ("teach.session_attendance", "GET"): "teacher",
    ("teach.class_certificates", "GET"): "teacher",
    ("teach.class_certificates_pdf", "GET"): "teacher",
    ("teach.certificate_pdf", "GET"): "teacher",
    # Anyone may check a certificate's code (rate-limited per address, one code at a time).
    ("verify.verify", "GET"): "public",
    ("teach.from_afar_page", "GET"): "teacher",
    ("teach.undo_from_afar", "POST"): "teacher",
    ("teach.start_live", "POST"): "teacher",
    ("teach.live_page", "GET"): "teacher",
    ("teach.live_state", "GET"): "teacher",
    ("teach.live_act", "POST"): "teacher",
    ("teach.end_live", "POST"): "teacher",
    ("learn.live", "GET"): "learner",
    ("api.live_state", "GET"): "learner",
    ("api.live_answer", "POST"): "learner",
    ("api.live_hand", "POST"): "learner",
    # The projector has no session: its short code is what lets it in (kit/live/room.py).
    ("learn.projector", "GET"): "public",
    ("learn.projector_view", "GET"): "public",
    ("api.projector_state", "GET"): "public",
    ("admin.status", "GET"): "admin",
    ("admin.packs", "GET"): "admin",
    ("admin.upload_pack", "POST"): "admin",
    ("admin.remove_pack", "POST"): "admin",
    ("admin.sheet", "GET"): "admin",
    ("admin.users", "GET"): "admin",
    ("admin.add_user", "POST"): "admin",
    ("admin.edit_user", "POST"): "admin",
    # First-run setup: open only while the kit has no admin, then refused to everyone (see below).
    ("admin.setup", "GET"): "public",
    ("admin.setup", "POST"): "public",
    ("sync_admin.page", "GET"): "admin",
    ("sync_admin.enroll", "POST"): "admin",
    ("sync_admin.export", "POST"): "admin",
    ("sync_admin.now", "POST"): "admin",
    **{
        (f"captive.{name}", "GET"): "public"
        for name in (
            "probe_canonical_html",
            "probe_connecttest_txt",
            "probe_gen_204",
            "probe_generate_204",
            "probe_hotspot-detect_html",
            "probe_library_test_success_html",
            "probe_ncsi_txt",
            "probe_success_txt",
        )
    },
}
HUB_ACCESS = {
    ("hub.signin", "GET"): "public",
    ("hub.signin", "POST"): "public",
    ("hub.signout", "POST"): "public",
    ("static", "GET"): "public",
    ("hub.font", "GET"): "public",  # the Bangla web font, named by the public stylesheet
    ("hub.kits", "GET"): "hub_account",  # a remote teacher is sent on to their classes
    ("remote.classes", "GET"): "hub_account",
    ("remote.one_class", "GET"): "hub_account",
    ("remote.make_change", "POST"): "hub_account",
    ("hub.enroll", "GET"): "manager",
    ("hub.enroll", "POST"): "manager",
    ("hub.upload", "GET"): "manager",
    ("hub.upload", "POST"): "manager",
    ("hub.last_receipt", "GET"): "manager",
    ("hub.revoke_kit", "POST"): "manager",
    ("hub.report", "GET"): "manager",
    ("hub.report_csv", "GET"): "manager",
    ("hub.report_xapi", "GET"): "manager",
    ("hub_health.healthz", "GET"): "public",
    ("programme.page", "GET"): "manager",
    ("programme.chart_svg", "GET"): "manager",
    ("programme.chart_csv", "GET"): "manager",
    ("hub_health.readyz", "GET"): "public",
    ("hub_certs.verify", "GET"): "public",
    ("hub_certs.manage", "GET"): "manager",
    ("hub_certs.revoke", "POST"): "manager",
    ("sync_api.ping", "GET"): "public",
    ("sync_api.enroll", "POST"): "public",
    ("sync_api.openapi", "GET"): "public",
    ("sync_api.events", "POST"): "kit",
    ("sync_api.hello", "POST"): "kit",
    ("sync_api.records", "POST"): "kit",
    ("sync_api.packs", "GET"): "kit",
    ("sync_api.changes", "GET"): "kit",
    ("sync_api.pack_file", "GET"): "kit",
}
# Values for the rules' variables: real ones where they exist, so an allowed visitor reaches the view.
KIT_VALUES = {
    "classroom_id": "class",
    "class_id": "class",
    "learner_id": "ada",
    "pack_id": "mini",
    "lesson_id": "01-count",
    "version": "1.0.0",
    "path": "missing.png",
    "filename": "learn/learn.css",
    "user_id": 1,
    "session_id": 1,
    "assignment_id": 999999,
    "item_id": 999999,
    "live_id": 999999,
    "code": "NOCODE",
}
KIT_OVERRIDES = {"admin.remove_pack": {"pack_id": "no-such-pack"}}  # never remove the pack mid-walk
HUB_VALUES = {
    "code": "2222-2222-2222",
    "kit_id": "no-such-kit",
    "class_uuid": "no-such-class",
    "name": "kits",
    "sha256": "0" * 64,
    "filename": "hub.css",
}
# Endpoints that end or change a session: each call gets a fresh sign-in, so no other call loses its own.
SESSION_CHANGERS = {
    "learn.signin",
    "learn.signout",
    "learn.picture",
    "teach.login",
    "teach.logout",
    "teach.start_training",  # the teacher's browser becomes their training profile's
    "admin.setup",
    "hub.signin",
    "hub.signout",
}


def _url(app, rule, values):
    return app.url_map.bind("localhost").build(
        rule.endpoint, {name: values[name] for name in rule.arguments}, method=None
    )


def _routes(app, access):
    """[(endpoint, method, rule)] from the url map."""
    return sorted(
        (
            (rule.endpoint, method, rule)
            for rule in app.url_map.iter_rules()
            for method in rule.methods - {"HEAD", "OPTIONS"}
        ),
        key=lambda item: item[:2],
    )


def _walk(app, access, roles, sign_in, values, headers=None, overrides=None, bodies=None):
    """Call every route as every role; return [(endpoint, method, role, response)].

    `sign_in`: {role: a function returning a fresh session cookie}. `bodies`: {endpoint:
    body(role)}, a JSON body for routes that read who is calling from it.
    """
    kept = {role: make() for role, make in sign_in.items()}
    answers = []
    for endpoint, method, rule in _routes(app, access):
        url = _url(app, rule, {**values, **(overrides or {}).get(endpoint, {})})
        for role in roles:
            client = app.test_client(use_cookies=False)
            extra = dict((headers or {}).get(role, {}))
            if role in sign_in:
                cookie = sign_in[role]() if endpoint in SESSION_CHANGERS else kept[role]
                extra["Cookie"] = f"{app.config['SESSION_COOKIE_NAME']}={cookie}"
            body = (bodies or {}).get(endpoint)
            response = client.open(
                url,
                method=method,
                headers=extra,
                **({"json": body(role)} if body and method == "POST" else {}),
            )
            response.get_data()
            answers.append((endpoint, method, role, response))
    return answers


def _refused(response, level):
    if response.status_code in (401, 403):
        return True
    if response.status_code in (301, 302, 303, 307, 308) and level in SIGN_IN:
        return urlsplit(response.headers["Location"]).path == SIGN_IN[level]
    return False


def _check_access(app, access, answers, roles):
    declared = set(access)
    present = {(endpoint, method) for endpoint, method, _ in _routes(app, access)}
    assert not present - declared, f"routes with no entry in the access table: {sorted(present - declared)}"
    assert not declared - present, (
        f"access-table entries for routes that are gone: {sorted(declared - present)}"
    )
    wrong = []
    for endpoint, method, role, response in answers:
        level = access[(endpoint, method)]
        if response.status_code >= 500:
            wrong.append((endpoint, method, role, response.status_code, "server error"))
        elif level != "public" and (role in LEVELS[level]) == _refused(response, level):
            expected = "let in" if role in LEVELS[level] else "refused"
            wrong.append((endpoint, method, role, response.status_code, f"should be {expected}"))
    assert not wrong, "\n".join(map(str, wrong))


def _json_route(path):
    return (
        path.startswith(("/api/", "/sync/v1/")) or path.endswith(".json") or path in ("/healthz", "/readyz")
    )


def _check_error_shape(answers):
    bad = []
    for endpoint, method, role, response in answers:
        if response.status_code < 400:
            continue
        path = urlsplit(response.request.url).path
        if _json_route(path):
            try:
                error = json.loads(response.get_data(as_text=True))["error"]
                ok = isinstance(error["code"], str) and isinstance(error["message"], str) and error["message"]
            except (ValueError, KeyError, TypeError):
                ok = False
        else:
            body = response.get_data(as_text=True).lower()
            ok = response.mimetype == "text/html" and "<html" in body
        if not ok:
            bad.append((endpoint, method, role, response.status_code, response.get_data(as_text=True)[:120]))
    assert not bad, "\n".join(map(str, bad))


def _forced_errors(app, values, unknown):
    """Make every route fail: each one called with a method it does not take (405), and an
    unknown path under each of `unknown` (404). Return [(url, method, status, response)]."""
    answers = []
    for rule in app.url_map.iter_rules():
        url = _url(app, rule, values)
        method = next(m for m in ("DELETE", "PUT", "PATCH") if m not in rule.methods)
        answers.append((url, method, 405, app.test_client(use_cookies=False).open(url, method=method)))
    for url in unknown:
        answers.append((url, "GET", 404, app.test_client(use_cookies=False).get(url)))
    return answers


def _check_forced_errors(answers):
    """JSON routes answer the envelope with werkzeug's code; pages answer the error page."""
    codes = {404: "not_found", 405: "method_not_allowed"}
    bad = []
    for url, method, status, response in answers:
        path = urlsplit(url).path
        text = response.get_data(as_text=True)
        if response.status_code != status or (status == 405 and not response.headers.get("Allow")):
            ok = False
        elif _json_route(path):
            try:
                error = json.loads(text)["error"]
                ok = set(error) == {"code", "message"} and error["code"] == codes[status] and error["message"]
            except (ValueError, KeyError, TypeError):
                ok = False
        else:
            ok = response.mimetype == "text/html" and "<html" in text.lower() and f"Error {status}" in text
        if not ok:
            bad.append((method, url, response.status_code, text[:120]))
    assert not bad, "\n".join(map(str, bad))


def test_every_kit_route_answers_a_forced_error_in_the_one_error_shape(kit_walk):
    app, _ = kit_walk
    values = {**KIT_VALUES, "classroom_id": 1, "class_id": 1, "learner_id": 1}
    unknown = (
        "/api/v1/no-such-thing",
        "/teach/no-such.json",
        "/teach/no-such-page",
        "/admin/no-such-page",
        "/no-such-page",
    )
    _check_forced_errors(_forced_errors(app, values, unknown))


def test_every_hub_route_answers_a_forced_error_in_the_one_error_shape(hub_walk):
    app, _ = hub_walk
    unknown = ("/sync/v1/no-such-thing", "/no-such-page")
    _check_forced_errors(_forced_errors(app, HUB_VALUES, unknown))


@pytest.fixture(scope="module")
def kit_walk(tmp_path_factory, _installed_template):
    """The kit with the mini pack, an admin, a teacher and a class, walked once as every visitor."""
    from kit.app import create_app
    from kit.assignments import assign
    from kit.db import database
    from kit.models import Learner
    from kit.roster import add_learner, create_class
    from kit.users import create_user
    from kit.web.learn.auth import make_token

    data = tmp_path_factory.mktemp("routes") / "kit"
    shutil.copytree(_installed_template, data)
    app = create_app(data_dir=data)
    app.config["WTF_CSRF_ENABLED"] = False  # the walk is about who gets in; CSRF has its own tests
    database.connect(reuse_if_open=True)
    create_user(ADMIN[0], "admin", ADMIN[1], "The Boss")
    create_user("tina", "teacher", "tina-password-2", "Tina")
    room = create_class("Class A")
    ada = add_learner(room.id, name="Ada", avatar="cat", colour="blue").id
    assign(room.id, "mini", "01-count")
    values = {**KIT_VALUES, "classroom_id": room.id, "class_id": room.id, "learner_id": ada}
    with app.app_context():
        token = make_token(Learner.get_by_id(ada))
    bodies = {  # the events API knows the learner by the token in the body (docs/events.md)
        "api.post_events": lambda role: {"events": [], **({"token": token} if role == "learner" else {})},
        "api.check_answer": lambda role: {
            "pack_id": "mini",
            "lesson_id": "01-count",
            "question_id": "q1",
            "response": "b",
        },
    }
    sign_in = {
        "learner": lambda: _cookie(app, "/signin", {"learner_id": ada}),
        "teacher": lambda: _cookie(app, "/teach/login", {"username": "tina", "password": "tina-password-2"}),
        "admin": lambda: _cookie(app, "/teach/login", {"username": ADMIN[0], "password": ADMIN[1]}),
    }
    answers = _walk(app, KIT_ACCESS, KIT_ROLES, sign_in, values, overrides=KIT_OVERRIDES, bodies=bodies)
    yield app, answers
    database.close()


def _cookie(app, url, form):
    client = app.test_client()
    response = client.post(url, data=form)
    assert response.status_code == 302, (url, response.status_code)
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def test_every_kit_route_answers_each_visitor_as_the_access_table_says(kit_walk):
    app, answers = kit_walk
    _check_access(app, KIT_ACCESS, answers, KIT_ROLES)


def test_every_kit_refusal_and_error_has_the_one_error_shape(kit_walk):
    _check_error_shape(kit_walk[1])


def test_first_run_setup_is_refused_once_the_kit_has_an_admin(kit_walk):
    app, answers = kit_walk
    for endpoint, method, role, response in answers:
        if endpoint == "admin.setup":
            assert response.status_code in (302, 403, 404), (method, role, response.status_code)
            if response.status_code == 302:
                assert urlsplit(response.headers["Location"]).path != "/admin/setup"


@pytest.fixture(scope="module")
def hub_walk(tmp_path_factory):
    """A hub (SQLite) with a manager account and an enrolled kit, walked once as every visitor."""
    from sync import credentials
    from sync.hub import create_hub_app, open_hub
    from sync.hub.accounts import add_user
    from sync.hub.db import database
    from sync.hub.models import Kit

    config = open_hub(tmp_path_factory.mktemp("routes") / "hub")
    app = create_hub_app(config=config)
    app.config["WTF_CSRF_ENABLED"] = False
    add_user("amina", "correct horse")
    add_user("juma", "correct horse", "remote-teacher")
    Kit.create(kit_id="kit-1", name="Truck 1", secret_hash=credentials.secret_hash("s3cret"))
    database.close()
    sign_in = {
        "manager": lambda: _cookie(app, "/signin", {"username": "amina", "password": "correct horse"}),
        "remote-teacher": lambda: _cookie(app, "/signin", {"username": "juma", "password": "correct horse"}),
    }
    headers = {"kit": credentials.auth_header("kit-1", "s3cret")}
    yield app, _walk(app, HUB_ACCESS, HUB_ROLES, sign_in, HUB_VALUES, headers=headers)
    database.close()


def test_every_hub_route_answers_each_visitor_as_the_access_table_says(hub_walk):
    app, answers = hub_walk
    _check_access(app, HUB_ACCESS, answers, HUB_ROLES)


def test_every_hub_refusal_and_error_has_the_one_error_shape(hub_walk):
    _check_error_shape(hub_walk[1])


def test_a_route_missing_from_the_table_fails_the_walk(kit_walk):
    """The table check itself: drop one entry and the walk names the route."""
    app, answers = kit_walk
    table = {key: level for key, level in KIT_ACCESS.items() if key != ("teach.dashboard", "GET")}
    with pytest.raises(AssertionError, match="teach.dashboard"):
        _check_access(app, table, [a for a in answers if a[0] != "teach.dashboard"], KIT_ROLES)


def _headers_wrong(answers):
    wrong = []
    for endpoint, method, role, response in answers:
        headers = response.headers
        if (
            headers.get("X-Content-Type-Options") != "nosniff"
            or headers.get("X-Frame-Options") != "DENY"
            or not headers.get("Referrer-Policy")
        ):
            wrong.append((endpoint, method, role, "nosniff, X-Frame-Options or Referrer-Policy missing"))
        if response.mimetype == "text/html":
            policy = dict(
                (part.strip().split(" ", 1) + [""])[:2]
                for part in headers.get("Content-Security-Policy", "").split(";")
                if part.strip()
            )
            if (
                policy.get("script-src") != "'self'"
                or policy.get("frame-ancestors") != "'none'"
                or "unsafe-inline" in policy.get("style-src", "unsafe-inline")
            ):
                wrong.append((endpoint, method, role, headers.get("Content-Security-Policy")))
    return wrong


def test_every_kit_and_hub_answer_carries_the_security_headers(kit_walk, hub_walk):
    """Pages: a policy that runs no inline script or style, and no framing; every answer: nosniff."""
    assert not _headers_wrong(kit_walk[1] + hub_walk[1])


def test_pack_files_keep_their_sandbox(kit_walk):
    app, _ = kit_walk
    response = app.test_client().get("/media/mini/1.0.0/lessons/01-count/mangoes.svg")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert response.headers["Content-Security-Policy"].endswith("; sandbox")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_template_holds_inline_script_style_or_event_handlers():
    """The policy allows none, so none may be written: every script and style is a static file."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\son[a-z]+\s*=|\sstyle\s*=|javascript:", re.I)
    found = [
        f"{path.relative_to(root)}: {match.group(0)}"
        for folder in ("kit/templates", "sync/agent/templates", "sync/hub/templates")
        for path in sorted((root / folder).rglob("*.html"))
        for match in inline.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, found
