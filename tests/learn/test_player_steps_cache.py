"""The player's steps are rendered once per lesson and language: each learner still sees
their own step, attempt and CSRF token, in their own language."""

import re

from kit.models import LessonProgress
from kit.roster import add_learner

from .test_pages import csrf, sign_in


def shown_steps(page):
    """Return the step numbers of the sections not hidden."""
    return [int(n) for n, rest in re.findall(r'<section class="step[^"]*" id="step-(\d+)"([^>]*)>', page)
            if "hidden" not in rest]


def test_two_learners_see_their_own_step_attempt_and_token(learn_app, ids):
    cy = add_learner(ids["class"], name="Cy", avatar="owl", colour="red").id
    LessonProgress.create(learner=cy, pack_id="mini", lesson_id="01-count", page=4, attempts=2)
    ada, other = learn_app.test_client(), learn_app.test_client()
    sign_in(ada, ids["ada"], ids["class"])
    sign_in(other, cy, ids["class"])

    first = ada.get("/lesson/mini/01-count").get_data(as_text=True)
    second = other.get("/lesson/mini/01-count").get_data(as_text=True)
    again = ada.get("/lesson/mini/01-count?step=5").get_data(as_text=True)

    assert shown_steps(first) == [0] and shown_steps(second) == [4] and shown_steps(again) == [5]
    assert "\x00" not in first + second + again
    assert set(re.findall(r'name="attempt" value="(\d+)"', first)) == {"1"}
    assert set(re.findall(r'name="attempt" value="(\d+)"', second)) == {"3"}
    tokens = set(re.findall(r'name="csrf_token" value="([^"]+)"', second))
    assert tokens == {csrf(second)} and tokens != {csrf(first)}


def test_steps_token_is_accepted_and_feedback_page_is_rendered_in_full(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    page = client.get("/lesson/mini/01-count?step=3").get_data(as_text=True)
    form = re.search(r'<form class="question"[^>]*data-qid="q1".*?</form>', page, re.S).group(0)
    answered = client.post("/lesson/mini/01-count/answer", data={
        "csrf_token": csrf(form), "question_id": "q1", "type": "single", "response": "a",
        "attempt": 1, "step": 3})
    text = answered.get_data(as_text=True)
    assert answered.status_code == 200 and shown_steps(text) == [3]
    assert 'class="feedback wrong"' in text and "Count again." in text
    later = client.get("/lesson/mini/01-count?step=3").get_data(as_text=True)
    assert "Count again." not in later and 'class="feedback"' in later


def test_steps_follow_each_request_language(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    english = client.get("/lesson/mini/01-count", headers={"Accept-Language": "en"})
    french = client.get("/lesson/mini/01-count", headers={"Accept-Language": "fr"})
    back = client.get("/lesson/mini/01-count", headers={"Accept-Language": "en"})
    assert ">Check</button>" in english.get_data(as_text=True)
    assert ">Vérifier</button>" in french.get_data(as_text=True)
    assert "Page 1 sur" in french.get_data(as_text=True)
    assert ">Check</button>" in back.get_data(as_text=True)
