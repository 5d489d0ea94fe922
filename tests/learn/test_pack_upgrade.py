"""A pack is replaced while a learner is mid-lesson: their page and their events keep working."""

import re
import shutil

from kit.models import Event
from tests.conftest import FIXTURE_PACKS, run_kit

from .conftest import make_event
from .test_api import token_of
from .test_pages import sign_in


def test_replacing_a_pack_mid_lesson_keeps_the_learners_page_working(learn_app, ids, installed_kit, tmp_path):
    from kit.db import database
    from kit.packs.archive import build

    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    token = token_of(client)
    old_page = client.get("/lesson/mini/01-count").get_data(as_text=True)
    old_media = re.search(r'src="(/media/mini/1\.0\.0/[^"]+\.svg)"', old_page).group(1)

    source = tmp_path / "mini-2"
    shutil.copytree(FIXTURE_PACKS / "mini", source)
    pack_yaml = source / "pack.yaml"
    pack_yaml.write_text(pack_yaml.read_text().replace("version: 1.0.0", "version: 1.1.0"))
    build(source, tmp_path / "mini-2.kitpack")
    database.close()
    run_kit(installed_kit, "pack", "import", tmp_path / "mini-2.kitpack")
    database.connect(reuse_if_open=True)

    media = client.get(old_media, follow_redirects=True)
    assert media.status_code == 200 and media.mimetype == "image/svg+xml"
    accepted = client.post(
        "/api/v1/events",
        json={
            "token": token,
            "events": [
                make_event("page_viewed", {"page": 1}),
                make_event("answer", {"question_id": "q1", "response": "b", "attempt": 1}),
            ],
        },
    )
    assert accepted.get_json() == {"accepted": 2, "duplicate": 0}
    assert Event.get(Event.kind == "answer").payload["correct"] is True
    new_page = client.get("/lesson/mini/01-count").get_data(as_text=True)
    assert "/media/mini/1.1.0/" in new_page and 'data-step="1"' in new_page
