"""Learner pages through the Flask test client: sign-in, lessons, player, fallbacks."""

import re

from kit.models import LessonProgress


def csrf(html):
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, learner_id, class_id):
    page = client.get(f"/class/{class_id}").get_data(as_text=True)
    return client.post("/signin", data={"learner_id": learner_id, "csrf_token": csrf(page)})


def test_class_list_names_and_sign_in_without_password(learn_app, ids):
    client = learn_app.test_client()
    home = client.get("/").get_data(as_text=True)
    assert "Class A" in home and f'href="/class/{ids["class"]}"' in home
    names = client.get(f"/class/{ids['class']}").get_data(as_text=True)
    assert "Ada" in names and "Ben" in names and "avatars/cat.svg" in names
    response = sign_in(client, ids["ada"], ids["class"])
    assert response.status_code == 302 and response.headers["Location"] == "/lessons"
    lessons = client.get("/lessons").get_data(as_text=True)
    assert "Counting mangoes" in lessons and "Shapes" in lessons and "Not started" in lessons
    assert client.get("/").headers["Location"] == "/lessons"


def test_player_renders_every_step_and_resumes(learn_app, ids):
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    page = client.get("/lesson/mini/01-count").get_data(as_text=True)
    assert 'id="step-0" data-step="0"' in page and 'id="step-6"' in page
    assert '<track kind="captions"' in page and "transcript" in page
    assert re.search(r'id="step-1"[^>]*hidden', page)
    step3 = client.get("/lesson/mini/01-count?step=3").get_data(as_text=True)
    assert re.search(r'id="step-3"[^>]*aria-label="Question 2 of 4">', step3)
    LessonProgress.create(learner=ids["ada"], pack_id="mini", lesson_id="01-count", page=2)
    resumed = client.get("/lesson/mini/01-count").get_data(as_text=True)
    assert 'data-step="2" data-last="6"' in resumed


def test_unassigned_or_unknown_lessons_are_404_and_signed_out_goes_home(learn_app, ids):
    client = learn_app.test_client()
    assert client.get("/lessons").headers["Location"] == "/"
    sign_in(client, ids["ada"], ids["class"])
    assert client.get("/lesson/mini/99-none").status_code == 404
    assert client.get("/lesson/nope/01-count").status_code == 404
