"""The sample packs follow the pack format contract (content_packs/README.md) to the letter.

Read from the source folders with plain YAML, independently of kit.packs.
"""

import re
import xml.etree.ElementTree as ET

import pytest

from .samples import (
    IMAGE_OR_LINK,
    MAX_PACK_BYTES,
    PACKS_DIR,
    SAMPLE_PACKS,
    TRANSLATIONS,
    all_lessons,
    folder_bytes,
    lesson_dir,
    pack_meta,
    probe,
    read_cues,
    read_lesson,
    read_quiz,
)

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize("pack", SAMPLE_PACKS)
def test_pack_yaml_has_every_field_and_six_or_more_lessons(pack):
    meta = pack_meta(pack)
    assert meta["id"] == pack and re.fullmatch(r"[a-z0-9][a-z0-9-]{1,63}", meta["id"])
    assert re.fullmatch(r"\d+(\.\d+)*", str(meta["version"]))
    for key in ("title", "description", "license"):
        assert isinstance(meta[key], str) and meta[key].strip(), key
    translated = {copy: copy.rsplit("-", 1)[1] for _source, copy in TRANSLATIONS}
    assert meta["language"] == translated.get(pack, "en")
    assert meta["authors"] and all(isinstance(a, str) for a in meta["authors"])
    assert 0 < meta["mastery"]["min_score"] <= 1
    lessons = meta["lessons"]
    assert len(lessons) >= 6 and len(set(lessons)) == len(lessons)
    on_disk = sorted(p.name for p in (PACKS_DIR / pack / "lessons").iterdir())
    assert sorted(lessons) == on_disk, "every lesson folder is listed, and only those"


@pytest.mark.parametrize("pack", SAMPLE_PACKS)
def test_pack_is_under_three_megabytes(pack):
    assert folder_bytes(PACKS_DIR / pack) < MAX_PACK_BYTES


@pytest.mark.parametrize("pack, lesson", all_lessons())
def test_front_matter_and_pages(pack, lesson):
    front, pages = read_lesson(pack, lesson)
    assert isinstance(front["title"], str) and front["title"].strip()
    assert front["objectives"] and all(isinstance(o, str) and o.strip() for o in front["objectives"])
    assert isinstance(front["minutes"], int) and 1 <= front["minutes"] <= 240
    assert 2 <= len(pages) <= 4, f"{len(pages)} pages"
    assert all(page.startswith("# ") for page in pages), "every page opens with its heading"


@pytest.mark.parametrize("pack, lesson", all_lessons())
def test_lesson_has_an_svg_with_alt_text_and_no_html_or_outside_links(pack, lesson):
    _, pages = read_lesson(pack, lesson)
    body = "\n".join(pages)
    assert not re.search(r"<[A-Za-z/!]", body), "raw HTML is not rendered: write Markdown"
    targets = IMAGE_OR_LINK.findall(body)
    images = [(alt, target) for alt, target in targets if target.endswith(".svg")]
    assert images, "every lesson shows at least one picture"
    for _alt, target in targets:
        assert "://" not in target and not target.startswith("/") and ".." not in target
        assert (lesson_dir(pack, lesson) / target).is_file(), f"{target} is missing"
    for alt, _ in images:
        assert len(alt.split()) >= 5, f"alt text {alt!r} should describe the picture"


@pytest.mark.parametrize("pack, lesson", all_lessons())
def test_every_svg_is_valid_self_contained_and_titled(pack, lesson):
    for svg in lesson_dir(pack, lesson).glob("*.svg"):
        root = ET.parse(svg).getroot()
        assert root.tag == SVG + "svg" and root.get("viewBox") == "0 0 320 240"
        assert root.find(SVG + "title").text.strip() and root.find(SVG + "desc").text.strip()
        assert not list(root.iter(SVG + "script")) and not list(root.iter(SVG + "foreignObject"))
        for element in root.iter():
            for name, value in element.attrib.items():
                assert not name.startswith("on"), f"{svg.name}: event handler {name}"
                if name.endswith("href"):
                    assert value.startswith("#"), f"{svg.name}: outside reference {value}"


@pytest.mark.parametrize("pack, lesson", all_lessons())
def test_quiz_has_three_to_five_mixed_questions_with_hints_and_feedback(pack, lesson):
    quiz = read_quiz(pack, lesson)
    questions = quiz["questions"]
    assert 3 <= len(questions) <= 5
    assert len({q["id"] for q in questions}) == len(questions)
    assert len({q["type"] for q in questions}) >= 3, "mix question types"
    assert any(q.get("hint") for q in questions)
    assert any(q.get("feedback") or any(c.get("feedback") for c in q.get("choices", [])) for q in questions)
    for q in questions:
        assert q["prompt"].strip()
        check_question(q)


def check_question(q):
    """Each question type carries what a learner needs to be judged fairly."""
    if q["type"] in ("single", "multiple"):
        right = [c for c in q["choices"] if c.get("correct") is True]
        wrong = [c for c in q["choices"] if not c.get("correct")]
        assert len({c["id"] for c in q["choices"]}) == len(q["choices"])
        assert wrong, f"{q['id']}: needs a wrong choice"
        assert len(right) == 1 if q["type"] == "single" else len(right) >= 1
    elif q["type"] == "numeric":
        assert isinstance(q["answer"], (int, float)) and not isinstance(q["answer"], bool)
        assert q.get("tolerance", 0) >= 0
    else:
        assert q["type"] == "text"
        assert q["answers"] and all(isinstance(a, str) and a.strip() for a in q["answers"])


@pytest.mark.parametrize("pack", SAMPLE_PACKS)
def test_pack_uses_every_question_type(pack):
    kinds = {q["type"] for lesson in pack_meta(pack)["lessons"] for q in read_quiz(pack, lesson)["questions"]}
    assert kinds == {"single", "multiple", "numeric", "text"}
    tolerant = [
        q
        for lesson in pack_meta(pack)["lessons"]
        for q in read_quiz(pack, lesson)["questions"]
        if q.get("tolerance")
    ]
    assert tolerant, "at least one numeric answer accepts an estimate"


@pytest.mark.parametrize("pack", SAMPLE_PACKS)
def test_pack_has_narrated_audio_with_transcript_and_captioned_video(pack):
    audio, video = [], []
    for lesson in pack_meta(pack)["lessons"]:
        front, _ = read_lesson(pack, lesson)
        folder = lesson_dir(pack, lesson)
        if "audio" in front:
            assert (folder / front["audio"]["file"]).is_file()
            transcript = (folder / front["audio"]["transcript"]).read_text(encoding="utf-8")
            assert len(transcript.split()) >= 30
            audio.append(front["audio"])
        if "video" in front:
            assert (folder / front["video"]["file"]).is_file()
            cues = read_cues(folder / front["video"]["captions"])
            assert cues and cues[0][1] == 0
            assert all(start < end and text.strip() for _, start, end, text in cues)
            assert all(a[2] <= b[1] for a, b in zip(cues, cues[1:])), "cues must not overlap"
            video.append(front["video"])
        assert "sign_video" not in front, "no faked sign language"
    assert len(audio) >= 1 and len(video) >= 1


@pytest.mark.parametrize("source, copy", TRANSLATIONS)
def test_a_translated_pack_teaches_the_same_lessons_with_the_same_answers(source, copy):
    english, french = pack_meta(source), pack_meta(copy)
    assert french["lessons"] == english["lessons"] and french["mastery"] == english["mastery"]
    for lesson in english["lessons"]:
        en_q, fr_q = read_quiz(source, lesson)["questions"], read_quiz(copy, lesson)["questions"]
        assert [(q["id"], q["type"]) for q in en_q] == [(q["id"], q["type"]) for q in fr_q]
        for a, b in zip(en_q, fr_q):
            assert a.get("answer") == b.get("answer") and a.get("tolerance") == b.get("tolerance")
            assert [(c["id"], bool(c.get("correct"))) for c in a.get("choices", [])] == [
                (c["id"], bool(c.get("correct"))) for c in b.get("choices", [])
            ]
        assert read_quiz(source, lesson).get("mastery") == read_quiz(copy, lesson).get("mastery")
        en_front, en_pages = read_lesson(source, lesson)
        fr_front, fr_pages = read_lesson(copy, lesson)
        assert len(en_pages) == len(fr_pages) and en_front["minutes"] == fr_front["minutes"]
        assert en_front["title"] != fr_front["title"], "the lesson is translated"
        assert en_front.keys() == fr_front.keys(), "the same media"


@pytest.mark.parametrize(
    "source, copy, captions",
    [
        ("numeracy", "numeracy-fr", "01-counting/groups.vtt"),
        ("first-steps", "first-steps-sw", "02-swipe/swipe.vtt"),
    ],
)
def test_translated_captions_follow_the_same_pictures_and_timing_budget(source, copy, captions):
    en = read_cues(PACKS_DIR / source / "lessons" / captions)
    fr = read_cues(PACKS_DIR / copy / "lessons" / captions)
    assert [c[0] for c in en] == [c[0] for c in fr]
    assert [c[3] for c in en] != [c[3] for c in fr]
    assert fr[-1][2] <= 10.0


THING = r"(?:picture|image|drawing|photo|mango|dessin)s?"
ABOVE = re.compile(rf"\b{THING} (?:above|ci-dessus)", re.IGNORECASE)
BELOW = re.compile(rf"\b{THING} (?:below|ci-dessous)", re.IGNORECASE)


@pytest.mark.parametrize("pack, lesson", all_lessons())
def test_a_page_that_points_at_a_picture_has_one_there(pack, lesson):
    """ "Tap the picture above" on a page without a picture leaves a child tapping nothing."""
    _front, pages = read_lesson(pack, lesson)
    for number, page in enumerate(pages, 1):
        images = [m.start() for m in IMAGE_OR_LINK.finditer(page) if m.group(0).startswith("!")]
        for word, pattern, placed in (
            ("above", ABOVE, lambda at, image: image < at),
            ("below", BELOW, lambda at, image: image > at),
        ):
            for found in pattern.finditer(page):
                assert any(placed(found.start(), image) for image in images), (
                    f"{pack}/{lesson} page {number} says {found.group(0)!r} with no picture {word} it"
                )


def test_read_along_cues_say_the_transcript_word_for_word():
    """first-steps reads its welcome along: its cues hold the transcript, a sentence each."""
    read_along = 0
    for pack, lesson in all_lessons():
        front, _ = read_lesson(pack, lesson)
        if not front.get("audio", {}).get("cues"):
            continue
        folder = lesson_dir(pack, lesson)
        cues = read_cues(folder / front["audio"]["cues"])
        transcript = (folder / front["audio"]["transcript"]).read_text(encoding="utf-8")
        assert " ".join(text for *_, text in cues).split() == transcript.split()
        assert all(a[2] <= b[1] for a, b in zip(cues, cues[1:])), "cues must not overlap"
        duration = float(probe(folder / front["audio"]["file"])["format"]["duration"])
        assert cues[-1][2] <= duration + 0.05, (
            f"{pack}/{lesson}: cues outlast the audio: run tools/make_media"
        )
        read_along += 1
    assert read_along >= 1
