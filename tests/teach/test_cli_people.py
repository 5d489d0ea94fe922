"""`kit users add|list` and `kit learners import` through the real command."""

import json

from tests.conftest import run_kit


def test_users_add_with_stdin_password_and_list(teach_data):
    added = run_kit(
        teach_data,
        "users",
        "add",
        "omar",
        "--role",
        "teacher",
        "--name",
        "Omar D",
        "--password-stdin",
        input="omar-password\n",
    )
    assert added.stdout.strip() == "added teacher omar (Omar D)"
    rows = json.loads(run_kit(teach_data, "users", "list", "--json").stdout)
    assert {"username": "omar", "name": "Omar D", "role": "teacher", "active": True} in rows
    assert [r["username"] for r in rows][:1] == ["boss"]


def test_users_add_refuses_bad_input_with_one_line(teach_data):
    for args, message in [
        (("tina", "--role", "teacher", "--password", "long-enough"), "already taken"),
        (("newbie", "--role", "teacher", "--password", "short"), "at least 8 characters"),
        (("Bad Name", "--role", "admin", "--password", "long-enough"), "a user name is"),
    ]:
        result = run_kit(teach_data, "users", "add", *args, check=False)
        assert result.returncode == 1
        assert result.stderr.startswith("error: ") and message in result.stderr
        assert "Traceback" not in result.stderr
    listed = run_kit(teach_data, "users", "list").stdout
    assert "newbie" not in listed and "bad name" not in listed.lower()


def test_learners_import_dry_run_then_real(teach_data, tmp_path):
    csv = tmp_path / "roster.csv"
    csv.write_text("name,avatar\nKofi,cat\nAda,owl\n", encoding="utf-8")
    dry = run_kit(teach_data, "learners", "import", csv, "--class", "Class A", "--dry-run")
    assert "1 would be added, 1 would be updated" in dry.stdout
    real = run_kit(teach_data, "learners", "import", csv, "--class", "Class A")
    assert "imported: 1 added, 1 updated" in real.stdout
    again = run_kit(teach_data, "learners", "import", csv, "--class", "Class A")
    assert "0 to add, 0 to update, 2 unchanged" in again.stdout


def test_learners_import_with_a_bad_line_changes_nothing_unless_asked(teach_data, tmp_path):
    csv = tmp_path / "roster.csv"
    csv.write_text("name,avatar\nKofi,cat\nEsi,unicorn\n", encoding="utf-8")
    refused = run_kit(teach_data, "learners", "import", csv, "--class", "Class B", check=False)
    assert refused.returncode == 1
    assert f"{csv}:3: avatar 'unicorn' is not one of" in refused.stderr
    assert "nothing imported" in refused.stderr
    dry = run_kit(teach_data, "learners", "import", csv, "--class", "Class B", "--dry-run", check=False)
    assert "Class B (new)" in dry.stdout  # the class was not made by the refused import
    skipped = run_kit(teach_data, "learners", "import", csv, "--class", "Class B", "--skip-bad-lines")
    assert "imported: 1 added, 0 updated" in skipped.stdout


def test_people_commands_help_ends_with_an_example(teach_data):
    for args in (("users", "add"), ("users", "list"), ("learners", "import")):
        text = run_kit(teach_data, *args, "--help").stdout
        assert "Example:" in text and "kit " in text.split("Example:")[1]


def test_users_add_prompts_twice_for_the_password(teach_data):
    added = run_kit(
        teach_data, "users", "add", "zed", "--role", "admin", input="zed-password-1\nzed-password-1\n"
    )
    assert "added admin zed (zed)" in added.stdout
    mismatch = run_kit(
        teach_data,
        "users",
        "add",
        "zoe",
        "--role",
        "admin",
        input="zoe-password-1\nsomething-else\n",
        check=False,
    )
    # click says so on stdout and asks again; the input ends, so the command aborts.
    assert "do not match" in mismatch.stdout + mismatch.stderr
    assert mismatch.returncode == 130 and mismatch.stderr.rstrip().endswith("aborted")
    assert "zoe" not in run_kit(teach_data, "users", "list").stdout
