"""The live class's pages render for each visitor, and work without JavaScript."""

import re

from kit.models import LiveClass

from .conftest import act


def test_the_class_page_offers_a_live_class_then_links_to_the_running_one(teacher, ids):
    page = teacher.get(f"/teach/classes/{ids['class']}").get_data(as_text=True)
    assert "Start a live class" in page and 'value="mini/02-shapes"' in page
    response = teacher.post(f"/teach/classes/{ids['class']}/live", data={"what": "mini/02-shapes"})
    live_id = response.headers["Location"].rsplit("/", 1)[1]
    page = teacher.get(f"/teach/classes/{ids['class']}").get_data(as_text=True)
    assert f'href="/teach/live/{live_id}"' in page and "Start a live class" not in page


def test_the_teachers_page_shows_the_step_code_and_controls(teacher, live):
    page = teacher.get(f"/teach/live/{live}").get_data(as_text=True)
    code = LiveClass.get_by_id(live).code
    assert code in page and "Page 1 of 7" in page
    for label in (
        "Back",
        "Next",
        "Follow me",
        "Free",
        "Eyes on me (pause)",
        "Come back to me",
        "Ask this question",
    ):
        assert label in page


def test_without_javascript_the_forms_move_the_class_and_come_back(teacher, live):
    rev = LiveClass.get_by_id(live).rev
    response = teacher.post(f"/teach/live/{live}/act", data={"do": "next", "rev": rev})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/teach/live/{live}")
    assert "Page 2 of 7" in teacher.get(f"/teach/live/{live}").get_data(as_text=True)
    mode = teacher.post(f"/teach/live/{live}/act", data={"mode": "pause", "rev": rev + 1})
    assert mode.status_code == 302 and LiveClass.get_by_id(live).mode == "pause"
    stale = teacher.post(f"/teach/live/{live}/act", data={"do": "next", "rev": rev})
    assert stale.status_code == 302
    page = teacher.get(f"/teach/live/{live}").get_data(as_text=True)
    assert "moved on another device" in page


def test_a_learner_opens_the_live_page_at_the_teachers_step(learners, teacher, live):
    act(teacher, live, "goto", step=1)
    page = learners["ada"].get("/live").get_data(as_text=True)
    shown = re.findall(r'<section class="step[^"]*" id="step-(\d+)"[^>]*?(\shidden)?>', page)
    assert [n for n, hidden in shown if not hidden] == ["1"]
    assert 'data-role="learner"' in page and "Raise my hand" in page


def test_the_live_page_asks_to_be_held_unless_holding_is_off(live_app, learners, teacher, live):
    page = learners["ada"].get("/live").get_data(as_text=True)
    assert 'data-state-url="/api/v1/live?here=1&amp;wait=1" data-hold-ms="10000"' in page
    live_app.config["KIT"]["live_hold_s"] = 0
    page = learners["ben"].get("/live").get_data(as_text=True)
    assert 'data-state-url="/api/v1/live?here=1" data-hold-ms="0"' in page


def test_without_a_live_class_the_live_page_sends_the_learner_to_their_lessons(learners):
    response = learners["ada"].get("/live")
    assert response.status_code == 302 and response.headers["Location"].endswith("/lessons")


def test_the_projector_opens_with_the_code_and_refuses_a_wrong_one(live_app, live):
    projector = live_app.test_client()
    code = LiveClass.get_by_id(live).code
    form = projector.get("/projector").get_data(as_text=True)
    assert 'name="code"' in form
    typed = projector.get(f"/projector?code={code.lower()}")
    assert typed.status_code == 302 and typed.headers["Location"].endswith(f"/projector/{code}")
    page = projector.get(f"/projector/{code}")
    assert page.status_code == 200 and "Counting mangoes" in page.get_data(as_text=True)
    wrong = projector.get("/projector/ZZZZZZ")
    assert wrong.status_code == 404 and "No live class has this code" in wrong.get_data(as_text=True)


def test_an_ended_live_class_sends_the_teacher_to_its_session(teacher, live):
    teacher.post(f"/teach/live/{live}/end")
    page = teacher.get(f"/teach/live/{live}")
    assert page.status_code == 302 and "/teach/sessions/" in page.headers["Location"]


def test_the_live_pages_speak_french(learners, teacher, live):
    page = learners["ada"].get("/live", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Lever la main" in page and "Regarde ton enseignant." in page and "As-tu compris ?" in page
    french = teacher.get(f"/teach/live/{live}", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Regardez-moi (pause)" in french and "Revenez à moi" in french


def test_guessing_projector_codes_is_limited_per_address(live_app, live):
    from kit.signin_limits import limits

    projector = live_app.test_client()
    code = LiveClass.get_by_id(live).code
    allowed = limits()[1]
    for n in range(allowed):
        assert projector.get(f"/projector/WRONG{n}").status_code == 404
    blocked = projector.get(f"/projector/{code}")  # even the right code, until the window moves on
    assert blocked.status_code == 429 and "Too many wrong codes" in blocked.get_data(as_text=True)
    api = projector.get(f"/api/v1/live/projector/{code}")
    assert api.status_code == 429 and api.get_json()["error"]["details"]["retry_after"] >= 1
    other = projector.get(f"/projector/{code}", environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 200  # another address is not locked out
