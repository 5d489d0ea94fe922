"""A served kit for the teacher browser tests, and screenshots for docs/teachers-guide.md.

Screenshots are always taken (so the code path is tested); with KIT_SCREENSHOTS=1 they
are written to docs/img/ to refresh the guide's pictures:

    KIT_SCREENSHOTS=1 .venv/bin/pytest tests/browser/test_teacher_flow.py tests/browser/test_teacher_pages.py
"""

import os
import re
from pathlib import Path

from tests.conftest import ADMIN, run_kit

ROOT = Path(__file__).resolve().parents[2]
DOCS_IMG = ROOT / "docs" / "img"
TEACHER = ("amina", "amina-password-2")


def add_accounts(data_dir):
    """Add the admin and a teacher through the real `kit users add`."""
    for (name, password), role, display in ((ADMIN, "admin", "The Boss"), (TEACHER, "teacher", "Amina")):
        run_kit(
            data_dir,
            "users",
            "add",
            name,
            "--role",
            role,
            "--name",
            display,
            "--password-stdin",
            input=password + "\n",
        )


def course_kit(tmp_path):
    """A new kit's data folder with the tests' course pack imported and the accounts
    added (tests.courses.helpers.course_pack, "mini"); returns the folder."""
    from kit.packs.archive import build
    from tests.courses.helpers import course_pack

    data = tmp_path / "data"
    data.mkdir()
    run_kit(data, "init", "--site", "Mopti Truck 3")
    pack = tmp_path / "c.kitpack"
    build(course_pack(tmp_path / "src"), pack)
    run_kit(data, "pack", "import", pack)
    add_accounts(data)
    return data


def shot(page, name, tmp_path):
    """Screenshot the page: into docs/img when KIT_SCREENSHOTS=1, else into tmp_path."""
    folder = DOCS_IMG if os.environ.get("KIT_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 1000
    return path


def sign_in(page, url, who=TEACHER):
    page.goto(url + "/teach/login")
    page.get_by_label("User name").fill(who[0])
    page.get_by_label("Password").fill(who[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/(teach|admin)/$"))
