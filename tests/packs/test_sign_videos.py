"""Sign-language video in a pack (issue 18): per-page clips and a sign dictionary, checked
at build and import (codec, picture size, duration, file size), and tools/prepare_sign.

The clips are ffmpeg test patterns (tests/packs/sign_pack.py), not signing."""

import subprocess

import pytest

from kit.errors import PackError
from kit.packs.archive import build
from kit.packs.source import read_pack
from kit.packs.webm import PAGE_SIGN, WORD_SIGN, check_sign_video, parse_head

from .sign_pack import make_sign_pack, pattern_video, prepare_sign


@pytest.fixture(scope="module")
def sign_pack(tmp_path_factory):
    return make_sign_pack(tmp_path_factory.mktemp("sign") / "mini")


def test_prepare_sign_makes_a_small_silent_vp8_clip_the_same_every_time(tmp_path):
    raw = pattern_video(tmp_path / "rec.mp4", seconds=3.0, size="640x480", rate=30)
    first, second = tmp_path / "a.webm", tmp_path / "b.webm"
    assert prepare_sign(raw, first, "--start", "0.5", "--end", "2.5").returncode == 0
    assert prepare_sign(raw, second, "--start", "0.5", "--end", "2.5").returncode == 0
    assert first.read_bytes() == second.read_bytes()
    info = parse_head(first.read_bytes())
    assert (info.codec, info.width, info.height) == ("V_VP8", 480, 360)
    assert abs(info.seconds - 2.0) < 0.05
    probe = subprocess.run(
        [
            "ffprobe",
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,r_frame_rate",
            "-of",
            "csv=p=0",
            first,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert probe == ["video,25/1"]  # no sound track, 25 frames a second


def test_prepare_sign_refuses_a_dictionary_clip_over_ten_seconds(tmp_path):
    raw = pattern_video(tmp_path / "long.mp4", seconds=11.0, size="160x120", rate=5)
    done = prepare_sign(raw, tmp_path / "word.webm", "--word")
    assert done.returncode == 1 and "at most 10 s" in done.stderr
    assert not (tmp_path / "word.webm").exists()


@pytest.mark.parametrize(
    "args, message", [(("missing.mp4", "x.webm"), "no such file"), (("{raw}", "x.mp4"), "must be a .webm")]
)
def test_prepare_sign_says_what_is_wrong(tmp_path, args, message):
    raw = pattern_video(tmp_path / "r.mp4", seconds=1.0, size="160x120")
    done = prepare_sign(*(str(tmp_path / a.format(raw=raw)) for a in args))
    assert done.returncode == 1 and message in done.stderr


def test_a_pack_with_sign_pages_and_a_dictionary_builds(sign_pack, tmp_path):
    pack = read_pack(sign_pack)
    assert pack.meta["signs"] == {"three": "signs/three.webm"}
    assert pack.lessons[0].sign_pages == [
        "lessons/01-count/page1-sign.webm",
        "lessons/01-count/page2-sign.webm",
    ]
    assert pack.lessons[1].sign_pages == [None]
    build(sign_pack, tmp_path / "signs.kitpack")


def _refused(folder, message):
    with pytest.raises(PackError) as caught:
        read_pack(folder)
    assert message in caught.value.message, caught.value.message


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_build_refuses_a_sign_video_that_is_not_vp8_or_vp9_webm(sign_pack, tmp_path):
    folder = tmp_path / "p"
    __import__("shutil").copytree(sign_pack, folder)
    clip = folder / "lessons/01-count/page1-sign.webm"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:duration=1",
         "-c:v", "libx264", "-f", "matroska", str(clip)],
        check=True,
    )  # fmt: skip
    _refused(folder, "page1-sign.webm: sign video: not a WebM file")
    clip.write_bytes(b"not a video at all")
    _refused(folder, "page1-sign.webm: sign video: not a WebM file")
    clip.write_bytes(b"")
    _refused(folder, "page1-sign.webm: sign video")


def test_build_refuses_a_sign_video_too_big_or_too_long(tmp_path):
    raw = pattern_video(tmp_path / "big.mp4", seconds=1.0, size="1280x720", rate=5)
    big = tmp_path / "big.webm"
    subprocess.run(
        ["ffmpeg", "-nostdin", "-y", "-loglevel", "error", "-i", raw, "-c:v", "libvpx", big], check=True
    )
    with pytest.raises(PackError, match="at most 640 pixels a side, this one is 1280x720"):
        check_sign_video(big, "big.webm", PAGE_SIGN)
    long = tmp_path / "long.webm"
    assert (
        prepare_sign(pattern_video(tmp_path / "l.mp4", seconds=11.0, size="160x120", rate=5), long).returncode
        == 0
    )
    with pytest.raises(PackError, match="at most 10 s, this one lasts 11.0 s"):
        check_sign_video(long, "long.webm", WORD_SIGN)
    heavy = tmp_path / "heavy.webm"
    heavy.write_bytes(long.read_bytes() + b"\0" * WORD_SIGN.max_bytes)
    with pytest.raises(PackError, match="at most 768 KB"):
        check_sign_video(heavy, "heavy.webm", WORD_SIGN)


@pytest.mark.parametrize(
    "where, old, new, message",
    [
        (
            "lessons/01-count/lesson.md",
            "[page1-sign.webm, page2-sign.webm]",
            "[a, b, c]",
            "at most one clip per page",
        ),
        (
            "lessons/01-count/lesson.md",
            "[page1-sign.webm, page2-sign.webm]",
            "nope",
            "at most one clip per page",
        ),
        ("lessons/01-count/lesson.md", "page2-sign.webm]", "gone.webm]", "'gone.webm' is not a file"),
        ("lessons/01-count/lesson.md", "page2-sign.webm]", "count.vtt]", "must be a .webm file"),
        ("lessons/01-count/lesson.md", "(sign:three)", "(sign:four)", "has no 'four'"),
        ("pack.yaml", "signs: {three: signs/three.webm}", "signs: [three]", "`signs` must map words"),
        (
            "pack.yaml",
            "signs: {three: signs/three.webm}",
            "signs: {two words: signs/three.webm}",
            "must be one word",
        ),
        ("pack.yaml", "signs: {three: signs/three.webm}", "signs: {three: ../three.webm}", "is not a file"),
        (
            "pack.yaml",
            "signs: {three: signs/three.webm}",
            "signs: {three: signs/three.webm, Three: signs/three.webm}",
            "listed twice",
        ),
    ],
)
def test_build_refuses_bad_sign_entries(sign_pack, tmp_path, where, old, new, message):
    folder = tmp_path / "p"
    __import__("shutil").copytree(sign_pack, folder)
    _edit(folder / where, old, new)
    _refused(folder, message)


def test_a_page_video_may_last_longer_than_a_dictionary_clip(sign_pack, tmp_path):
    folder = tmp_path / "p"
    __import__("shutil").copytree(sign_pack, folder)
    raw = pattern_video(tmp_path / "l.mp4", seconds=12.0, size="160x120", rate=5)
    assert prepare_sign(raw, folder / "lessons/01-count/page1-sign.webm").returncode == 0
    read_pack(folder)
    assert prepare_sign(raw, folder / "signs/three.webm").returncode == 0
    _refused(folder, "signs/three.webm: a sign video may last at most 10 s")
