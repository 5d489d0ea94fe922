"""The sample packs build and import with the real `kit` command, render, judge and play.

A real `kit serve` on loopback serves them, and Debian's Chromium opens every sample
lesson page as a learner would and checks its pictures, audio, video and captions load.
"""

import json
import zipfile

import pytest
import requests

from tests.conftest import KitServer, run_kit

from .samples import (
    MAX_PACK_BYTES,
    PACKS_DIR,
    SAMPLE_PACKS,
    all_lessons,
    pack_meta,
    read_cues,
    read_lesson,
    read_quiz,
    right_answer,
    wrong_answer,
)


@pytest.mark.parametrize("pack", SAMPLE_PACKS)
def test_sample_pack_builds_and_imports_with_the_kit_command(pack, kit, initialised, tmp_path):
    archive = tmp_path / f"{pack}.kitpack"
    lessons, version = pack_meta(pack)["lessons"], pack_meta(pack)["version"]
    built = kit("pack", "build", PACKS_DIR / pack, "-o", archive)
    assert f"{pack} {version}, {len(lessons)} lessons" in built.stdout
    assert archive.stat().st_size < MAX_PACK_BYTES
    with zipfile.ZipFile(archive) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        names = set(zipped.namelist())
    assert [lesson["id"] for lesson in manifest["lessons"]] == lessons
    assert all(lesson["quiz"] in names for lesson in manifest["lessons"])
    assert {f["path"] for f in manifest["files"]} == names - {"manifest.json"}
    kit("pack", "import", archive)
    listed = json.loads(kit("pack", "list", "--json").stdout)
    assert [(p["id"], p["version"], p["lessons"]) for p in listed] == [(pack, version, len(lessons))]
    again = kit("pack", "import", archive)
    assert version in again.stdout and json.loads(kit("pack", "list", "--json").stdout) == listed


@pytest.fixture(scope="module")
def sample_kit(tmp_path_factory):
    """A kit with every sample pack imported and a class "Sample class" assigned to them."""
    from kit.packs.archive import build

    data = tmp_path_factory.mktemp("samples") / "data"
    data.mkdir()
    run_kit(data, "init", "--site", "Sample School")
    archives = [
        build(PACKS_DIR / pack, data.parent / f"{pack}.kitpack") and data.parent / f"{pack}.kitpack"
        for pack in SAMPLE_PACKS
    ]
    run_kit(data, "pack", "import", *archives)
    from kit.assignments import assign
    from kit.datafolder import open_data
    from kit.db import database
    from kit.roster import add_learner, create_class

    open_data(data)
    database.connect(reuse_if_open=True)
    room = create_class("Sample class")
    add_learner(room.id, name="Awa", avatar="cat", colour="blue")
    for pack in SAMPLE_PACKS:
        assign(room.id, pack)
    yield data, room.id
    database.close()


@pytest.mark.parametrize("pack, lesson", all_lessons())
def test_every_sample_lesson_renders_with_its_picture_media_and_questions(sample_kit, pack, lesson):
    from kit.packs.lessons import get_lesson

    front, pages = read_lesson(pack, lesson)
    view = get_lesson(pack, lesson)
    assert view.title == front["title"] and view.minutes == front["minutes"]
    assert view.language == pack_meta(pack)["language"] and len(view.pages) == len(pages)
    media = f'src="/media/{pack}/{pack_meta(pack)["version"]}/lessons/{lesson}/'
    assert media in "".join(view.pages) and ".svg" in "".join(view.pages)
    assert "&lt;" not in "".join(view.pages), "no raw HTML shown as text"
    assert (view.audio is not None) == ("audio" in front)
    assert (view.video is not None) == ("video" in front)
    if view.audio:
        assert view.audio["type"] == "audio/ogg" and view.audio["transcript_html"].strip()
    if view.video:
        assert view.video["type"] == "video/webm" and view.video["captions_url"].endswith(".vtt")
    assert [q["id"] for q in view.questions] == [q["id"] for q in read_quiz(pack, lesson)["questions"]]


@pytest.mark.parametrize("pack, lesson", all_lessons())
def test_every_sample_question_accepts_its_answer_and_refuses_a_wrong_one(sample_kit, pack, lesson):
    from kit.packs.lessons import check_answer

    for question in read_quiz(pack, lesson)["questions"]:
        right = check_answer(pack, lesson, question["id"], right_answer(question))
        assert right["correct"] is True, question["id"]
        assert right["hint"] == ""
        wrong = check_answer(pack, lesson, question["id"], wrong_answer(question))
        assert wrong["correct"] is False, question["id"]
        assert wrong["hint"] == question.get("hint", "")
        if question["type"] == "text":
            for accepted in question["answers"]:
                shouted = "  " + str(accepted).upper().replace(" ", "   ") + " "
                assert check_answer(pack, lesson, question["id"], shouted)["correct"], accepted


@pytest.fixture(scope="module")
def sample_server(sample_kit):
    server = KitServer(sample_kit[0])
    server.start()
    yield server, sample_kit[1]
    server.stop()


def test_sample_video_is_served_for_seeking_with_its_captions(sample_server):
    server, _ = sample_server
    base = f"{server.url}/media/numeracy-fr/{pack_meta('numeracy-fr')['version']}/lessons/01-counting/"
    data = (PACKS_DIR / "numeracy-fr/lessons/01-counting/groups.webm").read_bytes()
    part = requests.get(base + "groups.webm", headers={"Range": "bytes=1000-1999"}, timeout=5)
    assert part.status_code == 206 and part.content == data[1000:2000]
    assert part.headers["Content-Type"] == "video/webm"
    captions = requests.get(base + "groups.vtt", timeout=5)
    assert captions.headers["Content-Type"].startswith("text/vtt")
    assert captions.text.startswith("WEBVTT") and "Douze mangues" in captions.text


LOAD_EVERYTHING = """async () => {
  const within = (promise, what) => Promise.race([promise, new Promise((_, fail) =>
    setTimeout(() => fail(new Error('timed out loading ' + what)), 8000))]);
  const images = [...document.querySelectorAll('img[src^="/media/"]')];
  images.forEach(i => { i.loading = 'eager'; });  // pages after the first are hidden, and lazy
  await Promise.all(images.map(i => within(i.decode(), i.src)));
  const media = [...document.querySelectorAll('audio, video')];
  const durations = await Promise.all(media.map(m => within(new Promise((ok, fail) => {
    m.onloadedmetadata = () => ok(m.duration);
    m.onerror = () => fail(new Error('cannot play ' + m.currentSrc));
    m.preload = 'metadata'; m.load();
  }), m.currentSrc || m.src)));
  const cues = await Promise.all([...document.querySelectorAll('video')].map(v => new Promise(ok => {
    const track = v.textTracks[0];
    if (!track) return ok(-1);
    track.mode = 'showing';
    const poll = (n) => track.cues && track.cues.length ? ok(track.cues.length)
                         : n ? setTimeout(() => poll(n - 1), 50) : ok(0);
    poll(100);
  })));
  return {widths: images.map(i => i.naturalWidth), durations, cues};
}"""


def open_every_lesson(browser, server_url, class_id):
    """Sign in as Awa in a fresh context of the run's Chromium, then open every sample lesson."""
    context = browser.new_context(viewport={"width": 360, "height": 640})
    try:
        page = context.new_page()
        page.set_default_timeout(10000)
        page.goto(f"{server_url}/class/{class_id}")
        page.click("button:has-text('Awa')")
        page.wait_for_url(f"{server_url}/lessons")
        for pack, lesson in all_lessons():
            front, _ = read_lesson(pack, lesson)
            assert page.goto(f"{server_url}/lesson/{pack}/{lesson}").status == 200
            assert front["title"] in page.content()
            loaded = page.evaluate(LOAD_EVERYTHING)
            assert loaded["widths"] and all(w == 320 for w in loaded["widths"]), (pack, lesson)
            assert len(loaded["durations"]) == ("audio" in front) + ("video" in front)
            assert all(0 < d <= 90 for d in loaded["durations"])
            cues = (
                len(read_cues(PACKS_DIR / pack / "lessons" / lesson / front["video"]["captions"]))
                if "video" in front
                else None
            )
            assert loaded["cues"] == ([] if cues is None else [cues]), (pack, lesson)
    finally:
        context.close()


@pytest.mark.browser
def test_every_sample_lesson_opens_and_plays_in_chromium(sample_server, browser):
    server, class_id = sample_server
    open_every_lesson(browser, server.url, class_id)
