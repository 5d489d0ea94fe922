"""The hub's pages on a real hub process: accounts only, rate-limited sign-in, CSRF, reports and CSV."""

import csv
import datetime as dt
import io
import re

import requests

from .conftest import make_kit


def _token(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _signed_in(hub, password="correct horse"):
    session = requests.Session()
    form = session.get(hub.url + "/signin", timeout=5).text
    response = session.post(
        hub.url + "/signin",
        data={"username": "admin", "password": password, "csrf_token": _token(form)},
        timeout=5,
    )
    return session, response


def test_pages_need_an_account_and_sign_in_is_rate_limited(sqlite_hub):
    hub = sqlite_hub
    font = requests.get(hub.url + "/fonts/noto-sans-bengali.woff2", timeout=5)  # public, as its CSS
    assert font.status_code == 200 and font.headers["Content-Type"] == "font/woff2"
    assert "noto-sans-bengali.woff2" in requests.get(hub.url + "/static/hub.css", timeout=5).text
    assert requests.get(hub.url + "/fonts/..%2Fhub.db", timeout=5).status_code == 404
    anonymous = requests.get(hub.url + "/reports/hours.csv", timeout=5, allow_redirects=False)
    assert anonymous.status_code == 302 and "/signin" in anonymous.headers["Location"]
    no_token = requests.post(
        hub.url + "/signin", data={"username": "admin", "password": "correct horse"}, timeout=5
    )
    assert no_token.status_code == 400 and "CSRF" in no_token.text
    for _ in range(5):
        _, wrong = _signed_in(hub, "wrong password")
        assert wrong.status_code == 401 and "wrong user name or password" in wrong.text
    _, blocked = _signed_in(hub)
    assert blocked.status_code == 429 and "too many failed tries" in blocked.text


def _class_session(kit, minutes):
    """A class held on the kit: every learner attended `minutes`."""
    from kit.db import write
    from kit.models import Attendance, Classroom, ClassSession, Learner, utcnow

    with kit.db():
        with write():
            room = Classroom.get(Classroom.name == "Morning class")
            session = ClassSession.create(classroom=room, ended_at=utcnow())
            for learner in Learner.select():
                Attendance.create(session=session, learner=learner, minutes=minutes)


def test_pages_show_kits_learners_hours_completion_with_csv(hub, tmp_path):
    kit = make_kit(tmp_path, "Truck 1", hub)
    now = dt.datetime.utcnow()
    kit.add_events(2, kind="lesson_opened")
    kit.add_events(1, kind="lesson_completed", lesson_id="01-count")
    kit.add_events(3, kind="time_spent", payload={"seconds": 1200}, learner_name="Kofi")
    _class_session(kit, minutes=45)
    kit("sync", "now")
    session, response = _signed_in(hub)
    assert response.status_code == 200 and "Truck 1" in response.text and "Site Truck 1" in response.text
    hours = list(csv.DictReader(io.StringIO(session.get(hub.url + "/reports/hours.csv", timeout=5).text)))
    assert hours == [
        {"site": "Site Truck 1", "month": now.strftime("%Y-%m"), "hours": "1.0", "session_hours": "1.5"}
    ]
    learners = list(
        csv.DictReader(io.StringIO(session.get(hub.url + "/reports/learners.csv", timeout=5).text))
    )
    assert learners[0]["learners"] == "2"
    completion = session.get(hub.url + "/reports/completion", timeout=5).text
    assert "01-count" in completion and "100%" in completion
    kits = list(csv.DictReader(io.StringIO(session.get(hub.url + "/reports/kits.csv", timeout=5).text)))
    assert (
        kits[0]["name"] == "Truck 1" and kits[0]["events_received"] == "6" and kits[0]["status"] == "active"
    )
    french = session.get(hub.url + "/", headers={"Accept-Language": "fr"}, timeout=5).text
    assert "Événements reçus" in french
    for lang, words in {"sw": "Matukio yaliyopokelewa", "bn": "প্রাপ্ত ঘটনা", "wo": "Xew-xew yi ñu jot"}.items():
        page = session.get(hub.url + "/", headers={"Accept-Language": lang}, timeout=5).text
        assert f'lang="{lang}"' in page and words in page, lang
    # Bangla pages write numbers in Bangla digits (CLDR's default for bn); the CSV stays 0-9.
    bangla = session.get(hub.url + "/", headers={"Accept-Language": "bn"}, timeout=5).text
    assert re.search(r">\s*৬\s*<", bangla) and 'data-digits="০১২৩৪৫৬৭৮৯"' in bangla
    kits_bn = session.get(hub.url + "/reports/kits.csv", headers={"Accept-Language": "bn"}, timeout=5).text
    assert list(csv.DictReader(io.StringIO(kits_bn)))[0]["events_received"] == "6"


def test_enrol_page_makes_a_code_and_upload_page_imports_a_bundle(sqlite_hub, tmp_path):
    hub = sqlite_hub
    session, _ = _signed_in(hub)
    page = session.get(hub.url + "/enroll", timeout=5).text
    made = session.post(
        hub.url + "/enroll", data={"name": "Truck 7", "csrf_token": _token(page)}, timeout=5
    ).text
    code = re.search(r'id="code">([A-Z0-9-]+)<', made).group(1)
    kit = make_kit(tmp_path, "k")
    kit("sync", "enroll", "--hub", hub.url, "--code", code)
    kit.add_events(4)
    bundle = tmp_path / "k.kitbundle"
    kit("sync", "export", "--out", bundle)
    form = session.get(hub.url + "/import", timeout=5).text
    with open(bundle, "rb") as handle:
        done = session.post(
            hub.url + "/import",
            data={"csrf_token": _token(form)},
            files={"bundle": ("k.kitbundle", handle)},
            timeout=10,
        )
    assert done.status_code == 200 and "Imported 4 new event(s)" in done.text
    receipt = tmp_path / "k.receipt"
    receipt.write_bytes(session.get(hub.url + "/import/receipt", timeout=5).content)
    kit("sync", "import-receipt", receipt)
    assert kit.status()["events_waiting"] == 0
    broken = session.post(
        hub.url + "/import",
        data={"csrf_token": _token(form)},
        files={"bundle": ("x.kitbundle", b"nope")},
        timeout=10,
    )
    assert broken.status_code == 422 and "not a bundle file" in broken.text


def test_xapi_export_has_one_statement_per_event(sqlite_hub, tmp_path):
    hub = sqlite_hub
    kit = make_kit(tmp_path, "k", hub)
    made = kit.add_events(3, kind="answer") + kit.add_events(1, kind="lesson_completed")
    kit("sync", "now")
    session, _ = _signed_in(hub)
    statements = session.get(hub.url + "/reports/xapi.json", timeout=5).json()
    assert sorted(s["id"] for s in statements) == sorted(made)
    answered = [s for s in statements if s["verb"]["id"].endswith("/answered")]
    assert len(answered) == 3 and {s["result"]["success"] for s in answered} == {True, False}
    done = [s for s in statements if s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"]
    assert done[0]["object"]["id"].startswith("urn:classroom-kit:lesson:numeracy/")
    assert all(s["timestamp"].endswith("Z") and s["actor"]["account"]["name"] for s in statements)


def test_a_long_report_comes_in_pages_and_its_csv_whole(tmp_path):
    from .conftest import HUB_ENV, Hub

    hub = Hub(tmp_path / "hub", env={**HUB_ENV, "KIT_HUB_REPORT_PAGE_ROWS": "2"}).setup()
    try:
        for name in ("a", "b", "c"):
            make_kit(tmp_path, name, hub)
        session, _ = _signed_in(hub)
        first = session.get(hub.url + "/reports/kits", timeout=5).text
        assert "Rows 1 to 2 of 3 (the CSV has every row)." in first
        assert 'rel="next"' in first and 'rel="prev"' not in first and first.count("<tr>") == 3
        second = session.get(hub.url + "/reports/kits?page=2", timeout=5).text
        assert "Rows 3 to 3 of 3" in second and 'rel="prev"' in second and 'rel="next"' not in second
        assert len(session.get(hub.url + "/reports/kits.csv", timeout=5).text.strip().splitlines()) == 4
        for page, status, message in (
            ("3", 404, "no page 3: this report has 2"),
            ("0", 400, "page must be a whole number from 1"),
            ("-1", 400, "page must be a whole number from 1"),
            ("x", 400, "page must be a whole number from 1"),
        ):
            answer = session.get(hub.url + f"/reports/kits?page={page}", timeout=5)
            assert answer.status_code == status and message in answer.text, (page, answer.status_code)
    finally:
        hub.stop()
