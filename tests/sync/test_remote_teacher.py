"""A remote teacher at the hub, route by route: only their classes, a manager sees all, a revoked kit read-only."""

import re

import pytest
import requests

from .conftest import make_kit

# Every page route of the hub, by who may open it. A new route fails the walk until it is placed here.
MANAGERS_ONLY = {
    "hub.report",
    "hub.report_csv",
    "hub.report_xapi",
    "hub.enroll",
    "hub.revoke_kit",
    "hub.upload",
    "hub.last_receipt",
    "hub_certs.manage",
    "hub_certs.revoke",
    "programme.page",
    "programme.chart_svg",
    "programme.chart_csv",
}
ANY_ACCOUNT = {"hub.kits", "remote.classes", "remote.one_class", "remote.make_change"}
PUBLIC = {
    "hub.signin",
    "hub.signout",
    "hub.font",
    "hub_certs.verify",
    "hub_health.healthz",
    "hub_health.readyz",
    "static",
}


def _token(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(hub, username, password="correct horse"):
    session = requests.Session()
    form = session.get(hub.url + "/signin", timeout=5).text
    answer = session.post(
        hub.url + "/signin",
        data={"username": username, "password": password, "csrf_token": _token(form)},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    session.token = _token(session.get(hub.url + "/classes", timeout=5).text)
    return session


def class_uuid(kit):
    from kit.models import Classroom

    with kit.db():
        return Classroom.get(Classroom.name == "Morning class").uuid


@pytest.fixture
def two_kits(sqlite_hub, tmp_path):
    """Kits "a" (learner Ama) and "b" (learner Zebedee) synced; juma follows a's class only."""
    hub = sqlite_hub
    a, b = make_kit(tmp_path, "a", hub), make_kit(tmp_path, "b", hub)
    a.add_events(2, kind="answer")
    a.add_events(1, kind="help_requested")
    b.add_events(2, learner_name="Zebedee")
    a("sync", "now")
    b("sync", "now")
    hub.kit("users", "add", "juma", "--role", "remote-teacher", "--password-stdin", input="correct horse\n")
    out = hub.kit("users", "scope", "juma", "--kit", "a", "--class", "Morning class").stdout
    assert "juma now follows a, class Morning class" in out
    return hub, a, b


def _page_routes(hub):
    from sync.hub import create_hub_app

    with hub.db():
        app = create_hub_app(hub.data_dir)
    return [r for r in app.url_map.iter_rules() if not r.endpoint.startswith("sync_api.")]


def test_every_hub_page_route_is_placed_and_a_remote_teacher_is_refused_the_managers(two_kits):
    hub, a, b = two_kits
    rules = _page_routes(hub)
    assert {r.endpoint for r in rules} == MANAGERS_ONLY | ANY_ACCOUNT | PUBLIC
    juma = sign_in(hub, "juma")
    values = {
        "name": "learners",
        "kit_id": a.kit_id,
        "class_uuid": class_uuid(a),
        "filename": "hub.css",
        "code": "ABCD-EFGH",
    }
    for rule in rules:
        if rule.endpoint not in MANAGERS_ONLY:
            continue
        url = hub.url + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            answer = juma.request(
                method, url, data={"csrf_token": juma.token}, timeout=5, allow_redirects=False
            )
            assert answer.status_code == 403, (method, rule.rule, answer.status_code)
            assert "for programme managers" in answer.text
    assert hub.query("SELECT COUNT(*) FROM hub_kit WHERE revoked_at IS NOT NULL")[0][0] == 0
    home = juma.get(hub.url + "/", timeout=5, allow_redirects=False)
    assert home.status_code == 302 and home.headers["Location"].endswith("/classes")


def test_a_remote_teacher_sees_only_their_class_and_a_manager_sees_all(two_kits):
    hub, a, b = two_kits
    juma, admin = sign_in(hub, "juma"), sign_in(hub, "admin")
    mine = juma.get(hub.url + "/classes", timeout=5).text
    assert f"/classes/{a.kit_id}/" in mine and f"/classes/{b.kit_id}/" not in mine
    page = juma.get(f"{hub.url}/classes/{a.kit_id}/{class_uuid(a)}", timeout=5)
    assert page.status_code == 200
    assert "As of the kit&#39;s last sync" in page.text and "Ama" in page.text
    assert "asked for help" in page.text and "Zebedee" not in page.text
    other = juma.get(f"{hub.url}/classes/{b.kit_id}/{class_uuid(b)}", timeout=5)
    assert other.status_code == 404 and "Zebedee" not in other.text
    sneaky = juma.post(
        f"{hub.url}/classes/{b.kit_id}/{class_uuid(b)}/changes",
        data={"csrf_token": juma.token, "kind": "note", "text": "hello"},
        timeout=5,
    )
    assert sneaky.status_code == 404
    everyone = admin.get(hub.url + "/classes", timeout=5).text
    assert f"/classes/{a.kit_id}/" in everyone and f"/classes/{b.kit_id}/" in everyone
    assert "Zebedee" in admin.get(f"{hub.url}/classes/{b.kit_id}/{class_uuid(b)}", timeout=5).text
    assert hub.query("SELECT COUNT(*) FROM hub_change")[0][0] == 0


def test_a_learner_of_another_kit_cannot_be_named_and_a_revoked_kit_is_read_only(two_kits):
    hub, a, b = two_kits
    from kit.models import Learner

    with b.db():
        zebedee = Learner.get(Learner.display_name == "Zebedee").uuid
    juma = sign_in(hub, "juma")
    url = f"{hub.url}/classes/{a.kit_id}/{class_uuid(a)}"
    wrong = juma.post(
        url + "/changes",
        data={"csrf_token": juma.token, "kind": "note", "learner": zebedee, "text": "hi"},
        timeout=5,
    )
    assert wrong.status_code == 400 and "not in this class" in wrong.text
    empty = juma.post(
        url + "/changes", data={"csrf_token": juma.token, "kind": "note", "text": " "}, timeout=5
    )
    assert empty.status_code == 422 and "is empty" in empty.text
    made = juma.post(
        url + "/changes",
        data={
            "csrf_token": juma.token,
            "kind": "assign",
            "pack": "numeracy",
            "lesson": "02-count",
            "due": "2026-03-31",
        },
        timeout=5,
    )
    assert made.status_code == 200 and "waiting for the kit" in made.text
    hub.kit("revoke", "a")
    page = juma.get(url, timeout=5)
    assert page.status_code == 200 and "read-only" in page.text and "numeracy" in page.text
    refused = juma.post(
        url + "/changes", data={"csrf_token": juma.token, "kind": "note", "text": "hi"}, timeout=5
    )
    assert refused.status_code == 403 and "read-only" in refused.text
    assert hub.query("SELECT COUNT(*) FROM hub_change")[0][0] == 1
    gone = hub.kit("export-for", "a", "--out", a.data_dir.parent / "a.kitchanges", check=False)
    assert gone.returncode == 1 and "kit a was revoked: nothing can be sent to it" in gone.stderr
    unknown = hub.kit("export-for", "nowhere", "--out", a.data_dir.parent / "x.kitchanges", check=False)
    assert unknown.returncode == 1 and "no kit 'nowhere' at this hub" in unknown.stderr


def test_scope_and_role_commands_refuse_bad_input(two_kits):
    hub, a, b = two_kits
    bad_role = hub.kit(
        "users", "add", "x", "--role", "boss", "--password-stdin", input="correct horse\n", check=False
    )
    assert bad_role.returncode == 2 and "boss" in bad_role.stderr
    no_class = hub.kit("users", "scope", "juma", "--kit", "a", "--class", "Evening", check=False)
    assert no_class.returncode == 1 and "has sent no class 'Evening'" in no_class.stderr
    manager = hub.kit("users", "scope", "admin", "--kit", "a", check=False)
    assert manager.returncode == 1 and "sees every kit already" in manager.stderr
    assert (
        "no longer follows"
        in hub.kit("users", "scope", "juma", "--kit", "a", "--class", "Morning class", "--remove").stdout
    )
    assert hub.query("SELECT COUNT(*) FROM hub_scope")[0][0] == 0


def test_what_the_kit_did_with_a_change_reads_in_the_pages_language(two_kits):
    hub, a, b = two_kits
    juma = sign_in(hub, "juma")
    url = f"{hub.url}/classes/{a.kit_id}/{class_uuid(a)}"
    juma.post(
        url + "/changes",
        data={"csrf_token": juma.token, "kind": "assign", "pack": "numeracy", "lesson": "02-count"},
        timeout=5,
    )
    a("sync", "now")
    with a.db():
        from kit.from_afar import FromAfar, undo

        undo(FromAfar.get().id)  # the local teacher takes the assignment back
    a("sync", "now")
    french = juma.get(url, headers={"Accept-Language": "fr"}, timeout=5).text
    assert "annulé sur le kit par l’enseignant sur place" in french and "undone on the kit" not in french
    assert "undone on the kit by the local teacher" in juma.get(url, timeout=5).text


def test_a_note_to_the_whole_class_shows_how_many_of_its_learners_have_seen_it(two_kits):
    hub, a, _ = two_kits
    a.add_events(1, learner_name="Kofi")
    a.add_events(1, learner_name="Zara")
    a.add_events(1, learner_name="Gone")
    with a.db():
        from kit.db import write
        from kit.models import Learner

        with write():
            Learner.update(active=False).where(Learner.display_name == "Gone").execute()
    a("sync", "now")
    juma = sign_in(hub, "juma")
    url = f"{hub.url}/classes/{a.kit_id}/{class_uuid(a)}"
    answer = juma.post(
        url + "/changes",
        data={"csrf_token": juma.token, "kind": "note", "learner": "", "text": "Well done, everyone"},
        timeout=5,
    )
    assert answer.status_code == 200
    assert "1 change(s) from the hub applied" in a("sync", "now").stdout
    a("sync", "now")
    row = re.search(r"<tr><td>1</td>.*?</tr>", juma.get(url, timeout=5).text, re.S).group(0)
    assert "Well done, everyone" in row and "seen by 0 of 3" in row

    from kit.from_afar import mark_seen, notes_for
    from kit.models import Event, Learner

    with a.db():
        for name in ("Ama", "Ama", "Kofi"):  # Ama opens her lessons twice: seen once
            learner = Learner.get(Learner.display_name == name)
            mark_seen(learner, notes_for(learner))
        seen = [e.payload for e in Event.select().where(Event.kind == "remote_note_seen")]
        ama = Learner.get(Learner.display_name == "Ama").uuid
    assert len(seen) == 2 and {"change", "seq", "learner"} == set(seen[0]) and seen[0]["learner"] == ama
    a("sync", "now")
    row = re.search(r"<tr><td>1</td>.*?</tr>", juma.get(url, timeout=5).text, re.S).group(0)
    assert "delivered · seen by 2 of 3" in row and "seen by the learner" not in row
