"""A certificate issued offline reaches a real hub by `kit sync now` (and by a USB bundle)
and verifies there; revoked at the hub, it shows revoked at the hub and, after the next
sync, at the kit. A pseudonymous kit's certificate shows initials only at the hub."""

import re

import pytest
import requests

from kit.packs.archive import build
from tests.courses.helpers import course_pack

from .conftest import make_kit


def _pass_course(kit, tmp_path, name="Amina Diallo"):
    """Install the course pack on the kit and let one learner pass it; return the code."""
    from kit.assignments import assign
    from kit.events import record
    from kit.models import Certificate
    from kit.roster import add_learner, create_class
    from tests.courses.helpers import RIGHT
    from tests.learn.conftest import make_event

    kit(
        "pack",
        "import",
        build(course_pack(tmp_path / "src"), tmp_path / "c.kitpack") and tmp_path / "c.kitpack",
    )
    with kit.db():
        room = create_class("Teacher training")
        learner = add_learner(room.id, name=name, avatar="cat", colour="blue").id
        assign(room.id, "mini")
        for lesson in ("01-count", "02-shapes"):
            events = [
                make_event("answer", {"question_id": q, "response": r, "attempt": 1}, lesson=lesson)
                for q, r in RIGHT[lesson].items()
            ]
            record(events + [make_event("quiz_finished", {"attempt": 1}, lesson=lesson)], learner)
        return Certificate.get(Certificate.learner == learner).code


def _manager(hub):
    session = requests.Session()
    form = session.get(hub.url + "/signin", timeout=5).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    session.post(
        hub.url + "/signin",
        timeout=5,
        data={"username": "admin", "password": "correct horse", "csrf_token": token},
    )
    return session


def test_offline_certificate_verifies_at_the_hub_and_revocation_comes_back(sqlite_hub, tmp_path):
    kit = make_kit(tmp_path, "truck", sqlite_hub)
    code = _pass_course(kit, tmp_path)
    assert requests.get(sqlite_hub.url + f"/verify/{code}", timeout=5).status_code == 404  # not synced yet
    assert kit("sync", "now").stdout.startswith("ok:")
    page = requests.get(sqlite_hub.url + f"/verify/{code}", timeout=5)
    assert page.status_code == 200 and "Valid certificate" in page.text and "Amina Diallo" in page.text
    assert sqlite_hub.query("SELECT COUNT(*) FROM hub_certificate_refused") == [(0,)]

    manager = _manager(sqlite_hub)
    listing = manager.get(sqlite_hub.url + f"/certificates?code={code}", timeout=5).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', listing).group(1)
    manager.post(
        sqlite_hub.url + f"/certificates/{code}/revoke",
        data={"csrf_token": token, "reason": "exam taken by someone else"},
        timeout=5,
    )
    assert "Revoked" in requests.get(sqlite_hub.url + f"/verify/{code}", timeout=5).text
    assert kit("certificates", "verify", code).stdout.startswith(f"{code}: valid")  # not yet learned

    kit("sync", "now")
    revoked = kit("certificates", "verify", code, check=False)
    assert revoked.returncode == 1 and f"{code}: revoked" in revoked.stdout
    assert "exam taken by someone else" in revoked.stdout
    report = manager.get(sqlite_hub.url + "/reports/certificates.csv", timeout=5).text
    assert ",0,0,0.0,1" in report  # revoked: no longer counted as a certificate or a teacher trained


def test_teachers_trained_and_pseudonymous_names(sqlite_hub, tmp_path):
    kit = make_kit(tmp_path, "school", sqlite_hub, env={"KIT_PSEUDONYMOUS_SYNC": "1"})
    code = _pass_course(kit, tmp_path)
    kit("sync", "now")
    page = requests.get(sqlite_hub.url + f"/verify/{code}", timeout=5).text
    assert "Valid certificate" in page and "A. D." in page and "Amina" not in page
    csv_text = _manager(sqlite_hub).get(sqlite_hub.url + "/reports/certificates.csv", timeout=5).text
    assert ",1,1,1.5,0" in csv_text  # one certificate, one teacher trained (class "Teacher training")


def test_a_usb_bundle_carries_the_certificate_its_key_and_its_receipt_the_revocation(sqlite_hub, tmp_path):
    kit = make_kit(tmp_path, "far", sqlite_hub)
    with sqlite_hub.db():  # as if enrolled before certificates and never online since
        from sync.hub.models import Kit

        Kit.update(public_key="").where(Kit.kit_id == kit.kit_id).execute()
    code = _pass_course(kit, tmp_path)
    bundle = tmp_path / "carry.kitbundle"
    kit("sync", "export", "--out", bundle)
    sqlite_hub.kit("import", bundle)
    assert requests.get(sqlite_hub.url + f"/verify/{code}", timeout=5).status_code == 200
    assert sqlite_hub.query("SELECT COUNT(*) FROM hub_certificate_refused") == [(0,)]

    revoked = sqlite_hub.kit("certificates", "revoke", code.lower(), "--reason", "printed twice")
    assert revoked.stdout.strip() == f"{code}: revoked; its kit learns it on its next sync"
    shown = sqlite_hub.kit("certificates", "show", code, check=False)
    assert (
        shown.returncode == 1
        and f"{code}: revoked" in shown.stdout
        and "reason: printed twice" in shown.stdout
    )
    second = tmp_path / "again.kitbundle"
    kit("sync", "export", "--out", second)
    receipt = tmp_path / "again.receipt"
    sqlite_hub.kit("import", second, "--receipt", receipt)
    applied = kit("sync", "import-receipt", receipt)
    assert "1 certificate(s) of this kit were revoked at the hub" in applied.stdout
    assert f"{code}: revoked" in kit("certificates", "verify", code, check=False).stdout


def test_a_bundle_with_another_signing_key_is_refused_whole(sqlite_hub, tmp_path):
    import json

    from kit.courses import signing

    kit = make_kit(tmp_path, "far", sqlite_hub)
    _pass_course(kit, tmp_path)
    bundle = tmp_path / "carry.kitbundle"
    kit("sync", "export", "--out", bundle)
    other = make_kit(tmp_path, "other")  # a second kit's key, never registered for "far"
    document = json.loads(bundle.read_text())
    document["public_key"] = signing.public_key_text(other.data_dir)
    with kit.db():
        from sync.agent.state import get_state
        from sync.bundle_format import sign, signing_key

        sign(document, signing_key(get_state().secret))  # the kit's own secret: only the key is wrong
    bundle.write_text(json.dumps(document))
    before = sqlite_hub.query("SELECT COUNT(*) FROM hub_event")
    refused = sqlite_hub.kit("import", bundle, check=False)
    assert refused.returncode == 1 and "already registered another signing key" in refused.stderr
    assert sqlite_hub.query("SELECT COUNT(*) FROM hub_event") == before
    document["public_key"] = ["not", "a", "key"]
    bundle.write_text(json.dumps(document))
    odd = sqlite_hub.kit("import", bundle, check=False)
    assert odd.returncode == 1 and "public_key must be a text" in odd.stderr


def test_revoking_from_the_command_line_needs_a_known_code_and_a_reason(sqlite_hub, tmp_path):
    kit = make_kit(tmp_path, "truck", sqlite_hub)
    code = _pass_course(kit, tmp_path)
    kit("sync", "now")
    assert sqlite_hub.kit("certificates", "show", code).stdout.startswith(f"{code}: valid")
    cases = {
        ("K7QM-3XPD-9TRR", "x"): "no certificate K7QM-3XPD-9TRR at this hub",
        ("K7QM-3XPD-9TRA", "x"): "this code has a typo",
        (code, "  "): "give a reason for revoking",
        (code, "x" * 501): "give a reason for revoking",
    }
    for (text, reason), message in cases.items():
        answer = sqlite_hub.kit("certificates", "revoke", text, "--reason", reason, check=False)
        assert answer.returncode == 1 and message in answer.stderr, (text, answer.stderr)
    assert sqlite_hub.query("SELECT COUNT(*) FROM hub_certificate WHERE revoked_at IS NOT NULL") == [(0,)]
    unknown = sqlite_hub.kit("certificates", "show", "K7QM-3XPD-9TRR", check=False)
    assert unknown.returncode == 1 and "unknown at this hub" in unknown.stdout


@pytest.mark.browser
def test_hub_certificate_pages_screenshots(sqlite_hub, tmp_path, browser):
    """The hub's verify page and managers' certificate list, in Chromium (pictures for the guide)."""
    from tests.browser.teach_setup import shot

    kit = make_kit(tmp_path, "Truck 2", sqlite_hub)
    code = _pass_course(kit, tmp_path)
    kit("sync", "now")
    context = browser.new_context(viewport={"width": 1024, "height": 640}, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(sqlite_hub.url + "/verify")
        page.fill("input[name=code]", code.lower().replace("-", " "))
        page.click("button:has-text('Check')")
        page.wait_for_selector(".verdict h2:has-text('Valid certificate')")
        assert "Amina Diallo" in page.content()
        shot(page, "hub-verify", tmp_path)
        page.goto(sqlite_hub.url + "/signin")
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", "correct horse")
        page.click("button:has-text('Sign in')")
        page.goto(sqlite_hub.url + "/certificates")
        page.fill("input[name=reason]", "issued in error")
        page.click("button:has-text('Revoke')")
        page.wait_for_selector("text=Revoked: issued in error")
        shot(page, "hub-certificates", tmp_path)
    finally:
        context.close()


def test_a_teacher_accounts_certificate_counts_as_a_teacher_trained_at_the_hub(sqlite_hub, tmp_path):
    """A teacher who takes the course with their account (kit.training) is counted as a
    teacher trained: their profile is a learner of the kit's Teacher training class."""
    from kit.assignments import assign
    from kit.events import record
    from kit.models import Certificate
    from kit.training import open_profile
    from kit.users import create_user
    from tests.courses.helpers import RIGHT
    from tests.learn.conftest import make_event

    kit = make_kit(tmp_path, "centre", sqlite_hub)
    kit(
        "pack",
        "import",
        build(course_pack(tmp_path / "src"), tmp_path / "c.kitpack") and tmp_path / "c.kitpack",
    )
    with kit.db():
        profile = open_profile(create_user("tina", "teacher", "tina-password-2", "Tina Teacher"))
        assign(profile.classroom_id, "mini")
        for lesson in ("01-count", "02-shapes"):
            events = [
                make_event("answer", {"question_id": q, "response": r, "attempt": 1}, lesson=lesson)
                for q, r in RIGHT[lesson].items()
            ]
            record(events + [make_event("quiz_finished", {"attempt": 1}, lesson=lesson)], profile.id)
        code = Certificate.get(Certificate.learner == profile.id).code
    assert kit("sync", "now").stdout.startswith("ok:")
    page = requests.get(sqlite_hub.url + f"/verify/{code}", timeout=5).text
    assert "Valid certificate" in page and "Tina Teacher" in page
    csv_text = _manager(sqlite_hub).get(sqlite_hub.url + "/reports/certificates.csv", timeout=5).text
    assert ",1,1,1.5,0" in csv_text  # one certificate, one teacher trained
