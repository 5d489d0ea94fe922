"""kit pack build | import | list | remove, and what an upgrade keeps."""

import json
import shutil

from .helpers import MINI, snapshot


def _copy_mini(tmp_path, version):
    source = tmp_path / f"mini-{version}"
    shutil.copytree(MINI, source)
    text = (source / "pack.yaml").read_text().replace("version: 1.0.0", f"version: {version}")
    (source / "pack.yaml").write_text(text)
    return source


def test_build_writes_the_same_bytes_twice(kit, tmp_path):
    first, second = tmp_path / "a.kitpack", tmp_path / "b.kitpack"
    result = kit("pack", "build", MINI, "-o", first)
    kit("pack", "build", MINI, "-o", second)
    assert "mini 1.0.0, 2 lessons, 14 files" in result.stdout
    assert first.read_bytes() == second.read_bytes()


def test_import_list_and_remove(initialised, kit, mini_pack_file):
    assert "installed mini 1.0.0" in kit("pack", "import", mini_pack_file).stdout
    packs = json.loads(kit("pack", "list", "--json").stdout)
    assert packs == [
        {
            "id": "mini",
            "version": "1.0.0",
            "title": "Mini test pack",
            "language": "en",
            "lessons": 2,
            "files": 14,
            "bytes": packs[0]["bytes"],
        }
    ]
    assert (initialised / "packs" / "mini@1.0.0" / "lessons/01-count/count.webm").is_file()
    assert "removed mini" in kit("pack", "remove", "mini").stdout
    assert json.loads(kit("pack", "list", "--json").stdout) == []
    assert not list((initialised / "packs").iterdir())


def test_older_version_is_a_clear_no_op(installed_kit, kit, tmp_path):
    before = snapshot(installed_kit)
    older_src = _copy_mini(tmp_path, "0.9.0")
    kit("pack", "build", older_src, "-o", tmp_path / "old.kitpack")
    older = kit("pack", "import", tmp_path / "old.kitpack")
    assert "older than the installed 1.0.0; nothing changed" in older.stdout
    assert snapshot(installed_kit) == before


def test_reimporting_the_same_file_changes_nothing(installed_kit, kit, mini_pack_file):
    before = snapshot(installed_kit)
    result = kit("pack", "import", mini_pack_file)
    assert "already installed; nothing changed" in result.stdout
    assert snapshot(installed_kit) == before


def test_upgrade_keeps_progress_assignments_and_previous_files(installed_kit, kit, tmp_path):
    from kit.datafolder import open_data
    from kit.db import database
    from kit.models import Assignment, Classroom, Learner, LessonProgress

    open_data(installed_kit)
    with database.atomic():
        room = Classroom.create(name="A")
        learner = Learner.create(classroom=room, display_name="Ama")
        Assignment.create(classroom=room, pack_id="mini")
        LessonProgress.create(
            learner=learner, pack_id="mini", lesson_id="01-count", page=1, status="in_progress"
        )
    database.close()
    newer = _copy_mini(tmp_path, "1.1.0")
    kit("pack", "build", newer, "-o", tmp_path / "new.kitpack")
    result = kit("pack", "import", tmp_path / "new.kitpack")
    assert "upgraded mini from 1.0.0 to 1.1.0; learners' progress kept" in result.stdout
    assert sorted(p.name for p in (installed_kit / "packs").iterdir()) == ["mini@1.0.0", "mini@1.1.0"]
    open_data(installed_kit)
    assert LessonProgress.get().page == 1 and Assignment.select().count() == 1
    database.close()
    newest = _copy_mini(tmp_path, "1.2.0")
    kit("pack", "build", newest, "-o", tmp_path / "newest.kitpack")
    kit("pack", "import", tmp_path / "newest.kitpack")
    assert sorted(p.name for p in (installed_kit / "packs").iterdir()) == ["mini@1.1.0", "mini@1.2.0"]


def test_remove_unknown_pack_is_a_clear_error(initialised, kit):
    result = kit("pack", "remove", "nope", check=False)
    assert result.returncode == 1 and "no pack 'nope' is installed" in result.stderr


def test_large_pack_import_shows_progress(initialised, kit, tmp_path):
    source = _copy_mini(tmp_path, "1.0.0")
    (source / "lessons/02-shapes/big.webm").write_bytes(__import__("os").urandom(6 * 1024 * 1024))
    kit("pack", "build", source, "-o", tmp_path / "big.kitpack")
    result = kit("pack", "import", tmp_path / "big.kitpack")
    assert "unpacking" in result.stderr and "100%" in result.stderr


def test_a_pack_reinstalled_at_the_same_version_by_another_process_is_seen_at_once(
    installed_kit, kit, tmp_path
):
    """Caches here must not outlive a remove + import done by `kit pack import` elsewhere."""
    from kit.datafolder import open_data
    from kit.packs.lessons import check_answer, get_lesson

    open_data(installed_kit)
    assert get_lesson("mini", "01-count").title == "Counting mangoes"
    assert check_answer("mini", "01-count", "q3", "3")["correct"]
    changed = _copy_mini(tmp_path, "1.0.0")
    lesson = changed / "lessons/01-count/lesson.md"
    lesson.write_text(lesson.read_text().replace("title: Counting mangoes", "title: Counting limes"))
    quiz = changed / "lessons/01-count/quiz.yaml"
    quiz.write_text(quiz.read_text().replace("answer: 3", "answer: 4"))
    kit("pack", "build", changed, "-o", tmp_path / "changed.kitpack")
    kit("pack", "remove", "mini")
    kit("pack", "import", tmp_path / "changed.kitpack")
    assert get_lesson("mini", "01-count").title == "Counting limes"
    assert not check_answer("mini", "01-count", "q3", "3")["correct"]


def test_a_video_poster_must_be_an_image_of_the_pack(kit, tmp_path):
    """The poster (the still before a video plays) is checked like every other file."""
    lesson = "lessons/01-count/lesson.md"
    for poster, message in (
        ("nowhere.jpg", "video poster 'nowhere.jpg' is not a file of this lesson's pack"),
        ("count.vtt", "video poster 'count.vtt' must be one of .jpeg, .jpg, .png, .webp"),
        ("../../../../x.jpg", "video poster '../../../../x.jpg' is not a file"),
    ):
        source = _copy_mini(tmp_path / poster.replace("/", "_"), "1.0.1")
        text = (source / lesson).read_text().replace("poster: count-poster.jpg", f"poster: {poster}")
        (source / lesson).write_text(text)
        out = tmp_path / "bad.kitpack"
        result = kit("pack", "build", source, "-o", out, check=False)
        assert result.returncode != 0 and message in result.stdout + result.stderr, result
        assert not out.exists()
