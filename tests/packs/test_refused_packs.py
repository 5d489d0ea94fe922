"""Every bad pack is refused with the file and the problem named, and changes nothing."""

import json
import zipfile

import pytest

from .helpers import FIFO, SYMLINK, manifest_for, mini_files, snapshot, unix_entry, write_archive


def _bomb(files):
    data = b"\0" * (3 * 1024 * 1024)
    files = {**files, "lessons/01-count/big.txt": data}
    return files, manifest_for(files)


def _lying_size(files):
    files = dict(files)
    manifest = manifest_for(files)
    for item in manifest["files"]:
        if item["path"] == "lessons/01-count/count.txt":
            item["size"] += 1
    return files, manifest


def _bad_hash(files):
    manifest = manifest_for(files)
    files = {**files, "lessons/01-count/count.txt": b"Let us count the mangoes!\n\nOne, two, three.\n"[:44]}
    return files, manifest


def _missing_file(files):
    manifest = manifest_for(files)
    files = {k: v for k, v in files.items() if k != "lessons/01-count/count.vtt"}
    return files, manifest


def _unlisted_file(files):
    manifest = manifest_for(files)
    return {**files, "lessons/01-count/extra.txt": b"surprise"}, manifest


def _with(path, content):
    def change(files):
        files = {**files, path: content}
        return files, manifest_for(files)

    return change


LESSON = "lessons/01-count/lesson.md"
QUIZ = "lessons/01-count/quiz.yaml"
GOOD_FRONT = "---\ntitle: T\nobjectives: [o]\nminutes: 5\n---\n"

CASES = {
    "path_traversal": (_with("../evil.txt", b"x"), "unsafe path"),
    "absolute_path": (_with("/etc/evil", b"x"), "unsafe path"),
    "drive_letter": (_with("C:/evil.txt", b"x"), "unsafe path"),
    "backslash": (_with("lessons\\evil.txt", b"x"), "unsafe path"),
    "dot_segment": (_with("lessons/./evil.txt", b"x"), "unsafe path"),
    "lying_size": (_lying_size, "size mismatch"),
    "hash_mismatch": (_bad_hash, "SHA-256 mismatch"),
    "missing_file": (_missing_file, "missing from the archive"),
    "file_not_in_manifest": (_unlisted_file, "not in the manifest"),
    "compression_ratio_bomb": (_bomb, "compression ratio"),
    "front_matter_missing": (_with(LESSON, b"# no front matter\n"), "front matter"),
    "front_matter_malformed": (
        _with(LESSON, b"---\ntitle: [unclosed\n---\nbody\n"),
        "malformed front matter",
    ),
    "front_matter_minutes": (_with(LESSON, GOOD_FRONT.replace("5", "0").encode() + b"body"), "`minutes`"),
    "quiz_malformed_yaml": (_with(QUIZ, b"questions: [\n"), "malformed YAML"),
    "quiz_two_right_single": (
        _with(
            QUIZ,
            b"questions:\n- {id: a, type: single, prompt: p, choices: [{id: x, text: X, correct: true}, {id: y, text: Y, correct: true}]}\n",
        ),
        "exactly one correct",
    ),
    "quiz_unquoted_feedback": (
        _with(
            QUIZ,
            b"questions:\n- {id: a, type: single, prompt: p, choices: [{id: x, text: X, correct: true, feedback: Yes, great!}, {id: y, text: Y}]}\n",
        ),
        "quote text",
    ),
    "quiz_unknown_type": (_with(QUIZ, b"questions:\n- {id: a, type: essay, prompt: p}\n"), "`type` must be"),
    "raw_html": (_with(LESSON, GOOD_FRONT.encode() + b"Hello <b>bold</b>\n"), "raw HTML"),
    "script": (_with(LESSON, GOOD_FRONT.encode() + b"<script>alert(1)</script>\n"), "raw HTML"),
    "link_out_of_pack": (
        _with(LESSON, GOOD_FRONT.encode() + b"[x](https://example.com)\n"),
        "outside the pack",
    ),
    "image_escapes_pack": (
        _with(LESSON, GOOD_FRONT.encode() + b"![a](../../../../etc/passwd)\n"),
        "outside the pack",
    ),
    "javascript_link": (
        _with(LESSON, GOOD_FRONT.encode() + b"[x](javascript:alert(1))\n"),
        "outside the pack",
    ),
    "svg_with_script": (
        _with("lessons/01-count/mangoes.svg", b"<svg><script>alert(1)</script></svg>"),
        "SVG",
    ),
    "captions_not_webvtt": (
        _with("lessons/01-count/count.vtt", b"1\n00:00:00,000 --> 00:00:01,000\nhi\n"),
        "WebVTT",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_import_refuses_bad_pack(case, installed_kit, kit, tmp_path):
    change, message = CASES[case]
    files, manifest = change(mini_files())
    manifest["version"] = "2.0.0"  # newer than installed, so it would replace it if accepted
    files["pack.yaml"] = files["pack.yaml"].replace(b"version: 1.0.0", b"version: 2.0.0")
    if "pack.yaml" in {i["path"] for i in manifest["files"]}:
        manifest = {
            **manifest,
            "files": [i for i in manifest["files"] if i["path"] != "pack.yaml"]
            + manifest_for({"pack.yaml": files["pack.yaml"]})["files"],
        }
    archive = write_archive(tmp_path / f"{case}.kitpack", files, manifest)
    before = snapshot(installed_kit)
    result = kit("pack", "import", archive, check=False)
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert result.stderr.startswith("error: ") and "Traceback" not in result.stderr
    assert snapshot(installed_kit) == before
    assert json.loads(kit("pack", "list", "--json").stdout)[0]["version"] == "1.0.0"


def _archive_with(tmp_path, name, extra=(), files=None, manifest=None):
    files = mini_files() if files is None else files
    return write_archive(tmp_path / name, files, manifest, extra=extra)


@pytest.mark.parametrize("mode, message", [(SYMLINK, "symbolic links"), (FIFO, "special files")])
def test_import_refuses_links_and_special_files(mode, message, initialised, kit, tmp_path):
    archive = _archive_with(
        tmp_path, "link.kitpack", extra=[(unix_entry("lessons/01-count/link", mode), b"/etc/passwd")]
    )
    before = snapshot(initialised)
    result = kit("pack", "import", archive, check=False)
    assert result.returncode == 1 and message in result.stderr
    assert "lessons/01-count/link" in result.stderr
    assert snapshot(initialised) == before


def test_import_refuses_duplicate_names(initialised, kit, tmp_path):
    """Two entries that would land on one file on a case-insensitive disk (a FAT USB stick)."""
    extra = [(zipfile.ZipInfo("lessons/01-count/COUNT.txt"), b"other")]
    archive = _archive_with(tmp_path, "dup.kitpack", extra=extra)
    before = snapshot(initialised)
    result = kit("pack", "import", archive, check=False)
    assert result.returncode == 1 and "duplicate name" in result.stderr
    assert "COUNT.txt" in result.stderr
    assert snapshot(initialised) == before


def test_import_refuses_unknown_format(initialised, kit, tmp_path):
    files = mini_files()
    archive = write_archive(tmp_path / "f2.kitpack", files, manifest_for(files, format=2))
    result = kit("pack", "import", archive, check=False)
    assert result.returncode == 1 and "unknown format version 2" in result.stderr


def test_import_refuses_too_many_files(initialised, kit, tmp_path):
    files = mini_files()
    archive = write_archive(tmp_path / "many.kitpack", files)
    before = snapshot(initialised)
    result = kit("pack", "import", archive, check=False, env={"KIT_MAX_PACK_FILES": "5"})
    assert result.returncode == 1 and "too many files" in result.stderr
    assert snapshot(initialised) == before


def test_import_refuses_pack_over_total_cap(initialised, kit, tmp_path):
    archive = write_archive(tmp_path / "big.kitpack", mini_files())
    result = kit("pack", "import", archive, check=False, env={"KIT_MAX_PACK_BYTES": "1000"})
    assert result.returncode == 1 and "above the limit of 1000" in result.stderr


def test_import_refuses_data_beyond_declared_size(initialised, kit, tmp_path):
    """The ZIP directory and manifest both under-declare a file: the streamed bytes tell."""
    files = mini_files()
    name = "lessons/01-count/count.txt"
    manifest = manifest_for(files)
    real = len(files[name])
    for item in manifest["files"]:
        if item["path"] == name:
            item["size"] = real - 1
    path = write_archive(tmp_path / "liar.kitpack", files, manifest)
    raw = bytearray(path.read_bytes())
    central = raw.rfind(b"PK\x01\x02", 0, raw.rfind(name.encode()))
    raw[central + 24 : central + 28] = (real - 1).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(raw))
    before = snapshot(initialised)
    result = kit("pack", "import", path, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert name in result.stderr and "damaged" in result.stderr
    assert snapshot(initialised) == before


def test_import_refuses_a_file_that_is_not_a_zip(initialised, kit, tmp_path):
    path = tmp_path / "notes.kitpack"
    path.write_text("hello")
    result = kit("pack", "import", path, check=False)
    assert result.returncode == 1 and "not a ZIP file" in result.stderr


def test_full_disk_is_refused_before_unpacking(initialised, kit, mini_pack_file):
    before = snapshot(initialised)
    result = kit("pack", "import", mini_pack_file, check=False, env={"KIT_MIN_FREE_BYTES": str(10**18)})
    assert result.returncode != 0
    assert "not enough free disk space" in result.stderr
    assert snapshot(initialised) == before
    assert not list((initialised / "packs").iterdir())


def test_build_refuses_symlinks_in_source(tmp_path, kit):
    import shutil

    from .helpers import MINI

    source = tmp_path / "src"
    shutil.copytree(MINI, source)
    (source / "lessons/01-count/link.svg").symlink_to("/etc/passwd")
    result = kit("pack", "build", source, "-o", tmp_path / "x.kitpack", check=False)
    assert result.returncode == 1 and "symbolic links" in result.stderr
    assert not (tmp_path / "x.kitpack").exists()
