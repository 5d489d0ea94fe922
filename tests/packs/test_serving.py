"""Lessons rendered from installed packs, and pack media served to tablets by a real server."""

import hashlib

import pytest
import requests

from .helpers import MINI


@pytest.fixture
def served(served_kit):
    return served_kit


def test_media_has_type_hash_etag_and_long_cache(served):
    url = served.url + "/media/mini/1.0.0/lessons/01-count/count.webm"
    response = requests.get(url, timeout=5)
    data = (MINI / "lessons/01-count/count.webm").read_bytes()
    assert response.status_code == 200 and response.content == data
    assert response.headers["Content-Type"] == "video/webm"
    assert response.headers["ETag"].strip('"') == hashlib.sha256(data).hexdigest()
    assert "immutable" in response.headers["Cache-Control"]
    again = requests.get(url, headers={"If-None-Match": response.headers["ETag"]}, timeout=5)
    assert again.status_code == 304 and again.content == b""


@pytest.mark.parametrize(
    "path, kind",
    [
        ("lessons/01-count/count.vtt", "text/vtt"),
        ("lessons/01-count/count.ogg", "audio/ogg"),
        ("lessons/01-count/mangoes.svg", "image/svg+xml"),
    ],
)
def test_media_types(served, path, kind):
    response = requests.get(f"{served.url}/media/mini/1.0.0/{path}", timeout=5)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(kind)
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_range_requests_let_tablets_seek(served):
    url = served.url + "/media/mini/1.0.0/lessons/01-count/count.webm"
    data = (MINI / "lessons/01-count/count.webm").read_bytes()
    part = requests.get(url, headers={"Range": "bytes=100-199"}, timeout=5)
    assert part.status_code == 206
    assert part.content == data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(data)}"
    beyond = requests.get(url, headers={"Range": f"bytes={len(data) + 10}-"}, timeout=5)
    assert beyond.status_code == 416


@pytest.mark.parametrize(
    "path",
    [
        "lessons/01-count/quiz.yaml",
        "lessons/01-count/lesson.md",
        "manifest.json",
        "pack.yaml",
        "../mini@1.0.0/pack.yaml",
        "lessons/01-count/nope.svg",
        "%2e%2e/%2e%2e/kit.db",
    ],
)
def test_sources_answers_and_unknown_files_are_not_served(served, path):
    response = requests.get(f"{served.url}/media/mini/1.0.0/{path}", timeout=5)
    assert response.status_code == 404
    assert b"correct" not in response.content


def test_old_version_url_redirects_when_its_files_are_gone(served):
    response = requests.get(
        served.url + "/media/mini/0.1.0/lessons/01-count/count.vtt", timeout=5, allow_redirects=False
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/media/mini/1.0.0/lessons/01-count/count.vtt")
    assert requests.get(served.url + "/media/nope/1.0.0/x.svg", timeout=5).status_code == 404


def test_get_lesson_renders_pages_media_and_public_questions(installed_kit):
    from kit.datafolder import open_data
    from kit.packs.lessons import get_lesson

    open_data(installed_kit)
    lesson = get_lesson("mini", "01-count")
    assert lesson.title == "Counting mangoes" and lesson.minutes == 5 and len(lesson.pages) == 2
    assert (
        '<img src="/media/mini/1.0.0/lessons/01-count/mangoes.svg" alt="Three orange mangoes in a row"'
        in lesson.pages[0]
    )
    assert (
        lesson.audio["url"].endswith("count.ogg")
        and "<p>One, two, three.</p>" in lesson.audio["transcript_html"]
    )
    assert lesson.video["captions_url"].endswith("count.vtt")
    assert [q["type"] for q in lesson.questions] == ["single", "multiple", "numeric", "text"]
    assert all("correct" not in str(q) and "answer" not in q for q in lesson.questions)
    assert lesson.min_score == 0.75 and lesson.next_lesson_id == "02-shapes" and lesson.prev_lesson_id is None
    assert get_lesson("mini", "02-shapes").min_score == 1.0


@pytest.mark.parametrize(
    "question, response, correct",
    [
        ("q1", "b", True),
        ("q1", "a", False),
        ("q2", ["a", "c"], True),
        ("q2", ["a"], False),
        ("q2", ["a", "b", "c"], False),
        ("q3", "3", True),
        ("q3", 3.0, True),
        ("q3", "4", False),
        ("q4", "  A  MANGO ", True),
        ("q4", "mangó", True),
        ("q4", "banana", False),
    ],
)
def test_answers_are_judged_on_the_kit(installed_kit, question, response, correct):
    from kit.datafolder import open_data
    from kit.packs.lessons import check_answer

    open_data(installed_kit)
    result = check_answer("mini", "01-count", question, response)
    assert result["correct"] is correct
    if question == "q1" and not correct:
        assert result["feedback"] == "Count again." and result["hint"] == "Count them one by one."
    if question == "q4":
        assert result["feedback"] == ("Well done." if correct else "Look at the picture.")


@pytest.mark.parametrize("question, response", [("q1", "z"), ("q2", "a"), ("q3", "three"), ("q4", ["x"])])
def test_malformed_answers_are_refused(installed_kit, question, response):
    from kit.datafolder import open_data
    from kit.errors import KitError
    from kit.packs.lessons import check_answer

    open_data(installed_kit)
    with pytest.raises(KitError) as error:
        check_answer("mini", "01-count", question, response)
    assert error.value.status == 422 and question in error.value.message


def test_mastery_rule():
    from kit.packs.quiz import attempt_score, is_mastered

    assert attempt_score([True, True, False, True]) == 0.75
    assert is_mastered(0.75, 0.75) and not is_mastered(0.5, 0.75) and not is_mastered(None, 0.5)


def test_media_follow_a_pack_reinstalled_at_the_same_version(served, kit, tmp_path):
    """The server's caches see a remove + import done by another process at once."""
    import shutil

    url = served.url + "/media/mini/1.0.0/lessons/01-count/count.txt"
    before = requests.get(url, timeout=5)
    changed = tmp_path / "mini"
    shutil.copytree(MINI, changed)
    (changed / "lessons/01-count/count.txt").write_text("Let us count the limes.\n\nOne, two, three.\n")
    kit("pack", "build", changed, "-o", tmp_path / "changed.kitpack")
    kit("pack", "remove", "mini")
    kit("pack", "import", tmp_path / "changed.kitpack")
    after = requests.get(url, timeout=5)
    assert after.status_code == 200 and b"limes" in after.content
    assert after.headers["ETag"] != before.headers["ETag"]
