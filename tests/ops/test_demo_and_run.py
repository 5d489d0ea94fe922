"""`kit demo` and the README's run command, end to end."""

import os
import re
import signal
import subprocess
from pathlib import Path

import requests

from tests.conftest import free_port, wait_http

ROOT = Path(__file__).resolve().parents[2]


def test_demo_makes_a_class_accounts_and_packs_and_is_rerunnable(data_dir, kit):
    first = kit("demo")
    assert "installed first-steps" in first.stdout and "installed numeracy" in first.stdout
    assert "installed teaching-with-tablets 1.0.0" in first.stdout
    assert "installed teaching-with-tablets-fr 1.0.0" in first.stdout
    passwords = dict(re.findall(r"as (\w+) with password (\S+)", first.stdout))
    assert set(passwords) == {"admin", "teacher"}
    again = kit("demo")
    assert "already installed; nothing changed" in again.stdout
    assert dict(re.findall(r"as (\w+) with password (\S+)", again.stdout)) == passwords
    assert oct((data_dir / "demo-credentials.txt").stat().st_mode)[-3:] == "600"

    from kit.datafolder import open_data
    from kit.models import Assignment, Classroom, User
    from kit.passwords import check_password

    open_data(data_dir)
    room = Classroom.get(Classroom.name == "Demo class")
    assert room.learners.count() == 8
    assert [a.pack_id for a in Assignment.select().where(Assignment.classroom == room)] == ["first-steps"]
    training = Classroom.get(Classroom.name == "Teacher training")
    assert [a.pack_id for a in Assignment.select().where(Assignment.classroom == training)] == [
        "teaching-with-tablets"
    ]
    teacher = User.get(User.username == "teacher")
    assert teacher.role == "teacher" and check_password(teacher.password_hash, passwords["teacher"])
    # The demo teacher's "My training" makes a profile of its own; the trainee on the
    # tablets stays a tablet learner.
    from kit.training import open_profile

    profile = open_profile(teacher)
    trainees = {l.display_name: l.teacher_id for l in training.learners}
    assert trainees == {"Teacher Amina": None, profile.display_name: teacher.id}


def test_readme_run_command_serves_the_sample_lessons(tmp_path):
    """`./dev/run` as the README says, with the address moved to loopback for the test."""
    readme = (ROOT / "README.md").read_text()
    assert "./dev/run" in readme and "./dev/test" in readme
    port = free_port()
    env = {**os.environ, "KIT_DATA": str(tmp_path / "demo"), "KIT_HOST": "127.0.0.1", "KIT_PORT": str(port)}
    process = subprocess.Popen(
        ["./dev/run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        health = wait_http(url + "/healthz", timeout=90, process=process).json()
        assert health["status"] == "ok"
        lesson = requests.get(url + "/media/first-steps/1.1.0/pack.yaml", timeout=5)
        assert lesson.status_code == 404  # sources are never served; media are:
        packs = requests.get(url + "/api/v1/packs", timeout=5).json()
        assert {p["id"] for p in packs["packs"]} >= {"first-steps", "numeracy"}
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        process.wait(20)
    output = process.stdout.read()
    assert re.search(r"sign in at /teach as teacher with password \S+", output)
