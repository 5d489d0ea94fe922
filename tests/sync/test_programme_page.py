"""The programme page (issue 20): headline tiles, three SVG charts each with its table, SVG and CSV
downloads, and filters that refuse bad input by name. Against a real hub process."""

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET

import pytest
import requests

from tests.browser.teach_setup import shot

from .conftest import sign_in_browser
from .test_hub_sessions import sign_in
from .test_summaries import _send_history
from .wirekit import WireKit, event

SVG = "{http://www.w3.org/2000/svg}"


def test_programme_page_shows_tiles_and_charts_with_their_tables(hub):
    _send_history(hub)
    session = sign_in(hub)[0]
    page = session.get(hub.url + "/programme", timeout=30)
    assert page.status_code == 200
    text = page.text
    assert text.count("<svg") == 3 and text.count("<table>") == 3
    assert "<strong>0.6</strong> hours of training on lessons" in text  # 6 x 0.1 h, rounded to tenths
    assert "<strong>9</strong> people reached" in text  # l0, l1, l2, l9 at a and at b; learner-1 at a
    assert "<strong>2</strong> sites" in text
    assert "<strong>0</strong> teachers trained" in text and "learners in a Teacher training class" in text
    for name in ("Hours of learning per site and month", "Learners reached per month", "Lesson completion"):
        assert f'<title id="t">{name}</title>' in text

    chart = session.get(hub.url + "/programme/hours.svg", params={"site": "a"}, timeout=30)
    assert chart.headers["Content-Type"].startswith("image/svg+xml")
    root = ET.fromstring(chart.content)
    assert root.find(f"{SVG}title").text == "Hours of learning per site and month"
    assert len(root.findall(f"{SVG}rect")) == 1 + 3 + 1  # background, one bar per month, one legend key
    rows = list(csv.DictReader(io.StringIO(session.get(hub.url + "/programme/hours.csv", timeout=30).text)))
    assert {(r["site"], r["month"]) for r in rows} == {
        (s, m) for s in "ab" for m in ("2026-03", "2026-04", "2026-05")
    }
    since = session.get(
        hub.url + "/programme/learners.csv", params={"from": "2026-04", "site": "b"}, timeout=30
    )
    assert since.text.splitlines() == ["month,learners", "2026-04,4", "2026-05,4"]
    course = session.get(hub.url + "/programme/completion.csv", params={"course": "numeracy"}, timeout=30)
    assert course.text.splitlines()[1] == "numeracy,01-count,6,6,100"
    assert "0 of 0" not in session.get(hub.url + "/programme/completion.svg", timeout=30).text


def test_programme_filters_refuse_bad_input_by_name(hub):
    _send_history(hub)
    session = sign_in(hub)[0]
    for params, message in (
        (
            {"from": "2026-13"},
            "&#39;from&#39; must be a month written YYYY-MM, like 2026-03, not &#39;2026-13&#39;",
        ),
        ({"to": "March"}, "&#39;to&#39; must be a month written YYYY-MM"),
        ({"from": "2026-05", "to": "2026-03"}, "&#39;from&#39; (2026-05) is after &#39;to&#39; (2026-03)"),
        ({"site": "Atlantis"}, "no site &#39;Atlantis&#39; at this hub"),
        ({"course": "juggling"}, "no course &#39;juggling&#39; at this hub"),
    ):
        for path in ("/programme", "/programme/hours.csv", "/programme/hours.svg"):
            answer = session.get(hub.url + path, params=params, timeout=30)
            assert answer.status_code == 400 and message in answer.text, (path, params, answer.text[:300])
    nope = session.get(hub.url + "/programme/pie.svg", timeout=30)
    assert nope.status_code == 400 and "no chart &#39;pie&#39;" in nope.text
    assert requests.get(hub.url + "/programme", allow_redirects=False, timeout=10).status_code == 302


@pytest.mark.browser
def test_programme_page_screenshot(sqlite_hub, tmp_path, browser):
    """docs/img/hub-programme.png: three sites over six months, as a programme manager sees them."""
    hub = sqlite_hub
    months = [int(dt.datetime(2026, m, 12, tzinfo=dt.UTC).timestamp() * 1000) for m in range(1, 7)]
    for k, (site, scale) in enumerate((("North school", 3), ("River truck", 2), ("Hill clinic", 1))):
        kit, seq = WireKit(hub.url, hub.code(site), site=site), 0
        for m, when in enumerate(months):
            events = []
            for i in range(scale * (m + 2)):
                learner = f"{site}-{i % (4 + m + k)}"
                for kind, payload in (("time_spent", {"seconds": 1800 + 300 * i}), ("lesson_opened", {})):
                    seq += 1
                    events.append(event(seq, kind=kind, learner=learner, payload=payload, when_ms=when))
                if i % 3 != 2:
                    seq += 1
                    events.append(event(seq, kind="lesson_completed", learner=learner, when_ms=when))
            kit.post(seq - len(events), seq, events)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in_browser(page, hub)
        page.goto(hub.url + "/programme")
        assert page.locator("svg").count() == 3
        assert page.locator("td", has_text="Hill clinic").count() >= 1
        shot(page, "hub-programme", tmp_path)
    finally:
        context.close()
