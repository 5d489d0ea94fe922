"""Read-along timings (issue 18): a narration's cues, one per sentence, with words an author
marked by a WebVTT timestamp; checked at build, shown as sentences in the player."""

import re
import shutil

import pytest

from kit.errors import PackError
from kit.packs.cues import Part, read_cues
from kit.packs.source import read_pack

from .helpers import MINI


def test_cues_split_into_sentences_and_marked_words():
    cues = read_cues(
        "\ufeffWEBVTT\n\nNOTE for the author\n\n1\n00:00.000 --> 00:02.000 align:start\n<v Ada>Let us</v> count.\n\n"
        "00:02.000 --> 00:04.500\nTap <00:02.500>gently<00:03.100> with <00:03.500>one finger &amp; thumb.\n",
        "x.vtt",
    )
    assert [(c.ident, c.start, c.end, c.text) for c in cues] == [
        ("1", 0.0, 2.0, "Let us count."),
        ("", 2.0, 4.5, "Tap gently with one finger & thumb."),
    ]
    assert cues[1].parts == (
        Part("Tap "),
        Part("gently", 2.5, 3.1),
        Part(" with "),
        Part("one", 3.5, 4.5),
        Part(" finger & thumb."),
    )


@pytest.mark.parametrize(
    "vtt, message",
    [
        ("00:00.000 --> 00:01.000\nHi.\n", "must be WebVTT"),
        ("WEBVTT\n\n00:00.000 -> 00:01.000\nHi.\n", "cue 1: needs a timing line"),
        ("WEBVTT\n\n00:02.000 --> 00:01.000\nHi.\n", "cue 1 ends before it starts"),
        ("WEBVTT\n\n00:02.000 --> 00:03.000\nA.\n\n00:01.000 --> 00:02.000\nB.\n", "cue 2 starts before"),
        ("WEBVTT\n\n00:00.000 --> 00:01.000\nA <00:01.500>b.\n", "outside the cue"),
        ("WEBVTT\n\n00:00.000 --> 00:02.000\nA <00:01.500>b <00:01.000>c.\n", "must go forward"),
        ("WEBVTT\n\n1:00.000 --> 00:01.000\nHi.\n", "cue 1: needs a timing line"),
    ],
)
def test_bad_cues_are_refused_with_the_cue_named(vtt, message):
    with pytest.raises(PackError, match=re.escape(message)):
        read_cues(vtt, "x.vtt")


@pytest.mark.parametrize(
    "cues, message",
    [
        ("cues: nope.vtt", "audio cues 'nope.vtt' is not a file"),
        ("cues: count.txt", "count.txt: must be WebVTT"),
        ("cues: count.vtt", None),  # the video's captions are valid cues too
    ],
)
def test_build_checks_the_narrations_cues(tmp_path, cues, message):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    lesson = folder / "lessons/01-count/lesson.md"
    lesson.write_text(lesson.read_text().replace("cues: count-cues.vtt", cues), encoding="utf-8")
    if message is None:
        read_pack(folder)
        return
    with pytest.raises(PackError, match=re.escape(message)):
        read_pack(folder)
    (folder / "lessons/01-count/empty.vtt").write_text("WEBVTT\n\nNOTE nothing\n", encoding="utf-8")
    lesson.write_text(re.sub(r"cues: [^}]+", "cues: empty.vtt", lesson.read_text()), encoding="utf-8")
    with pytest.raises(PackError, match="has no cues"):
        read_pack(folder)


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("audio: {file: q1.ogg, cues: q1.vtt}", "audio: {file: q1.ogg}", "`audio` needs `file` and `cues`"),
        (
            "audio: {file: q1.ogg, cues: q1.vtt}",
            "audio: {file: q9.ogg, cues: q1.vtt}",
            "'q9.ogg' is not a file",
        ),
        ("audio: {file: q1.ogg, cues: q1.vtt}", "audio: {file: q1.vtt, cues: q1.vtt}", "must be one of"),
        ("audio: {file: q1.ogg, cues: q1.vtt}", "audio: {file: q1.ogg, cues: count.txt}", "must be WebVTT"),
    ],
)
def test_build_checks_a_spoken_question(tmp_path, old, new, message):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    quiz = folder / "lessons/01-count/quiz.yaml"
    quiz.write_text(quiz.read_text().replace(old, new), encoding="utf-8")
    with pytest.raises(PackError, match=re.escape(message)):
        read_pack(folder)


def test_a_spoken_question_needs_a_cue_for_the_prompt_and_every_choice(tmp_path):
    folder = tmp_path / "mini"
    shutil.copytree(MINI, folder)
    cues = folder / "lessons/01-count/q1.vtt"
    cues.write_text(cues.read_text().replace("\nb\n", "\n\n"), encoding="utf-8")
    with pytest.raises(PackError, match="q1.vtt: no cue named b"):
        read_pack(folder)
    cues.write_text(cues.read_text().replace("prompt\n", ""), encoding="utf-8")
    with pytest.raises(PackError, match="no cue named prompt, b"):
        read_pack(folder)
