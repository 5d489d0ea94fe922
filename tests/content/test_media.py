"""The sample packs' audio and video are small, playable on tablets, and rebuilt from sources.

Uses the real ffprobe, ffmpeg and espeak-ng (Debian packages); no media tool is faked.
"""

import os
import shutil
import subprocess
import sys

import pytest

from .samples import ROOT, SAMPLE_PACKS, lesson_dir, pack_meta, probe, read_cues, read_lesson

MAKE_MEDIA = ROOT / "tools" / "make_media"


def declared_media(pack, kinds=("audio", "video")):
    """(kind, folder, spec) for every audio clip and/or video the pack's lessons declare."""
    found = []
    for lesson in pack_meta(pack)["lessons"]:
        front, _ = read_lesson(pack, lesson)
        found += [(kind, lesson_dir(pack, lesson), front[kind]) for kind in kinds if kind in front]
    return found


def make_media(*args, env=None):
    return subprocess.run(
        [sys.executable, str(MAKE_MEDIA), *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=120,
    )


def streams(info, kind):
    return [s for s in info["streams"] if s["codec_type"] == kind]


@pytest.mark.parametrize("pack", SAMPLE_PACKS)
def test_videos_are_short_small_vp8_webm_with_a_voice_matching_the_captions(pack):
    for _, folder, spec in declared_media(pack, ["video"]):
        info = probe(folder / spec["file"])
        video, audio = streams(info, "video"), streams(info, "audio")
        assert "webm" in info["format"]["format_name"]
        assert video[0]["codec_name"] in ("vp8", "vp9") and (video[0]["width"], video[0]["height"]) == (
            320,
            240,
        )
        assert audio[0]["codec_name"] == "opus" and audio[0]["channels"] == 1
        duration = float(info["format"]["duration"])
        assert duration <= 10.05
        assert abs(duration - read_cues(folder / spec["captions"])[-1][2]) < 0.1, "captions cover the video"


@pytest.mark.parametrize("pack", SAMPLE_PACKS)
def test_audio_is_mono_opus_in_ogg_at_a_low_bitrate(pack):
    for _, folder, spec in declared_media(pack, ["audio"]):
        info = probe(folder / spec["file"])
        audio = streams(info, "audio")
        assert info["format"]["format_name"] == "ogg" and audio[0]["codec_name"] == "opus"
        assert audio[0]["channels"] == 1 and int(info["format"]["bit_rate"]) <= 32000
        assert 10 < float(info["format"]["duration"]) < 90


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """A copy of numeracy-fr with its media deleted and made again by tools/make_media."""
    copy = tmp_path_factory.mktemp("regen") / "numeracy-fr"
    shutil.copytree(ROOT / "content_packs" / "numeracy-fr", copy)
    for _, folder, spec in declared_media("numeracy-fr"):
        (copy / folder.relative_to(ROOT / "content_packs" / "numeracy-fr") / spec["file"]).unlink()
    result = make_media(copy)
    assert result.returncode == 0, result.stderr
    return copy, result


def test_make_media_rebuilds_the_committed_media_from_their_sources(regenerated):
    copy, result = regenerated
    base = ROOT / "content_packs" / "numeracy-fr"
    for _, folder, spec in declared_media("numeracy-fr"):
        committed = folder / spec["file"]
        made = copy / committed.relative_to(base)
        assert str(made) in result.stdout
        old, new = probe(committed), probe(made)
        assert abs(float(old["format"]["duration"]) - float(new["format"]["duration"])) < 0.05, (
            f"{committed.name} is stale: run tools/make_media {base.relative_to(ROOT)}"
        )
        assert [s["codec_name"] for s in old["streams"]] == [s["codec_name"] for s in new["streams"]]
    assert not list(copy.rglob(".*.part.*")), "no half-written files left behind"


TINY_PACK = {
    "pack.yaml": "id: tiny\nversion: 1.0.0\ntitle: Tiny\ndescription: t\nlanguage: en\n"
    "license: CC0-1.0\nauthors: [t]\nlessons: [01-a]\n",
    "lessons/01-a/lesson.md": "---\ntitle: A\nobjectives: [a]\nminutes: 1\n"
    "audio: {file: hi.ogg, transcript: hi.txt}\n"
    "video: {file: hi.webm, captions: hi.vtt}\n---\n# A\n\nText.\n",
    "lessons/01-a/hi.txt": "Hello.",
    "lessons/01-a/hi.vtt": "WEBVTT\n\none.svg\n00:00.000 --> 00:01.500\nOne.\n\n"
    "two.svg\n00:01.500 --> 00:03.000\nTwo.\n",
    "lessons/01-a/one.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">'
    '<rect width="320" height="240" fill="#f80"/></svg>',
    "lessons/01-a/two.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="240">'
    '<circle cx="160" cy="120" r="80" fill="#08f"/></svg>',
}


@pytest.fixture
def tiny(tmp_path):
    """A one-lesson pack with a one-word narration and a two-picture video."""
    for name, text in TINY_PACK.items():
        (tmp_path / "tiny" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "tiny" / name).write_text(text, encoding="utf-8")
    return tmp_path / "tiny"


def media_bytes(pack):
    return {p.name: p.read_bytes() for p in sorted((pack / "lessons/01-a").glob("hi.*"))}


def test_make_media_output_is_bit_for_bit_reproducible(tiny):
    assert make_media(tiny).returncode == 0
    first = media_bytes(tiny)
    assert set(first) == {"hi.ogg", "hi.txt", "hi.vtt", "hi.webm"}
    assert make_media(tiny).returncode == 0
    assert media_bytes(tiny) == first
    assert abs(float(probe(tiny / "lessons/01-a/hi.webm")["format"]["duration"]) - 3.0) < 0.1


@pytest.mark.parametrize(
    "vtt, message",
    [
        (
            "WEBVTT\n\none.svg\n00:00.000 --> 00:00.300\nThis sentence is far too long to say in a moment.\n",
            "hi.vtt: cue 1 takes",
        ),
        ("WEBVTT\n\nmissing.svg\n00:00.000 --> 00:02.000\nOne.\n", "picture 'missing.svg' not found"),
        ("one.svg\n00:00.000 --> 00:02.000\nOne.\n", "must start with WEBVTT"),
        ("WEBVTT\n\n00:00.000 --> 00:02.000\nNo picture named.\n", "each cue needs a picture name"),
        ("WEBVTT\n\none.svg\n00:01.000 --> 00:02.000\nLate.\n", "first cue must start at 00:00.000"),
    ],
)
def test_make_media_refuses_bad_captions_and_changes_nothing(tiny, vtt, message):
    assert make_media(tiny).returncode == 0
    (tiny / "lessons/01-a/hi.vtt").write_text(vtt, encoding="utf-8")
    before = media_bytes(tiny)
    result = make_media(tiny)
    assert result.returncode == 1 and message in result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert media_bytes(tiny) == before


def test_make_media_says_which_tool_is_missing(tiny, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ffmpeg").symlink_to(shutil.which("ffmpeg"))
    result = make_media(tiny, env={"PATH": str(bin_dir)})
    assert result.returncode == 1
    assert result.stderr.strip() == "error: needs espeak-ng (apt install espeak-ng ffmpeg)"
    assert not list((tiny / "lessons/01-a").glob("*.ogg"))


def centre_pixel(image):
    """The RGB of the middle pixel of an image, decoded by the real ffmpeg."""
    raw = subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-loglevel",
            "error",
            "-i",
            str(image),
            "-vf",
            "crop=2:2:iw/2:ih/2",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-",
        ],
        capture_output=True,
        check=True,
        timeout=60,
    ).stdout
    return tuple(raw[:3])


def test_make_media_makes_a_poster_from_the_videos_first_frame(tiny):
    lesson = tiny / "lessons/01-a/lesson.md"
    lesson.write_text(lesson.read_text().replace("captions: hi.vtt}", "captions: hi.vtt, poster: hi.jpg}"))
    result = make_media(tiny)
    assert result.returncode == 0 and "hi.jpg" in result.stdout
    poster = tiny / "lessons/01-a/hi.jpg"
    info = probe(poster)
    assert info["streams"][0]["codec_name"] == "mjpeg"
    assert (info["streams"][0]["width"], info["streams"][0]["height"]) == (320, 240)
    red, green, blue = centre_pixel(poster)
    assert red > 200 and 100 < green < 170 and blue < 60, "the first picture (orange), not black"
    first = poster.read_bytes()
    poster.unlink()
    bin_dir = tiny.parent / "bin"  # --posters needs only ffmpeg: the videos are already there
    bin_dir.mkdir()
    (bin_dir / "ffmpeg").symlink_to(shutil.which("ffmpeg"))
    again = make_media("--posters", tiny, env={"PATH": str(bin_dir)})
    assert again.returncode == 0, again.stderr
    assert poster.read_bytes() == first and "hi.webm" not in again.stdout


@pytest.mark.parametrize("pack", SAMPLE_PACKS)
def test_every_sample_video_has_a_poster_of_its_own_size(pack):
    for _, folder, spec in declared_media(pack, ["video"]):
        assert "poster" in spec, f"{folder.name}: add a poster (tools/make_media makes it)"
        video, poster = (
            streams(probe(folder / spec["file"]), "video")[0],
            probe(folder / spec["poster"])["streams"][0],
        )
        assert (poster["width"], poster["height"]) == (video["width"], video["height"])
        assert max(centre_pixel(folder / spec["poster"])) > 60, "a poster, not a black frame"


def test_make_media_times_each_sentence_of_a_read_along_narration(tiny):
    lesson = tiny / "lessons/01-a/lesson.md"
    lesson.write_text(
        lesson.read_text(encoding="utf-8").replace(
            "transcript: hi.txt}", "transcript: hi.txt, cues: hi-cues.vtt}"
        ),
        encoding="utf-8",
    )
    (tiny / "lessons/01-a/hi.txt").write_text("Hello there. How are you?\n\nGood!", encoding="utf-8")
    assert make_media(tiny).returncode == 0
    first = (tiny / "lessons/01-a/hi-cues.vtt").read_bytes()
    cues = read_cues(tiny / "lessons/01-a/hi-cues.vtt")
    assert [c[3] for c in cues] == ["Hello there.", "How are you?", "Good!"]
    assert cues[0][1] == 0 and all(a[2] < b[1] for a, b in zip(cues, cues[1:]))  # in order, a pause between
    duration = float(probe(tiny / "lessons/01-a/hi.ogg")["format"]["duration"])
    assert abs(duration - (cues[-1][2] + 0.4)) < 0.1  # the last sentence, then its pause
    assert make_media(tiny).returncode == 0
    assert (tiny / "lessons/01-a/hi-cues.vtt").read_bytes() == first


def test_make_media_speaks_a_question_and_each_choice_into_one_timed_clip(tiny):
    (tiny / "lessons/01-a/quiz.yaml").write_text(
        "questions:\n  - id: q1\n    type: single\n    prompt: Which is a fruit?\n"
        "    audio: {file: q1.ogg, cues: q1.vtt}\n    choices:\n"
        "      - {id: a, text: A mango, correct: true}\n      - {id: z, text: A stone}\n",
        encoding="utf-8",
    )
    result = make_media(tiny)
    assert result.returncode == 0 and "q1.ogg" in result.stdout
    cues = read_cues(tiny / "lessons/01-a/q1.vtt")
    assert [(c[0], c[3]) for c in cues] == [
        ("prompt", "Which is a fruit?"),
        ("a", "A mango"),
        ("z", "A stone"),
    ]
    assert float(probe(tiny / "lessons/01-a/q1.ogg")["format"]["duration"]) > cues[-1][2]
