"""A note from the remote teacher read aloud (kit.notes_aloud): the real espeak-ng makes its clip
on the kit; only the learner it is for, or their class, can fetch it; no voice, no button."""

import io
import uuid
import wave
from pathlib import Path

import pytest

from kit import from_afar, notes_aloud
from kit.db import write
from kit.models import Classroom, Learner

from .test_pages import sign_in

NOTE = "Well done on counting. Try the shapes next."


def _note(learner_id=None, class_id=None, seq=1):
    """A note as the sync agent applies it (kit.from_afar.apply)."""
    room = Classroom.get_by_id(class_id) if class_id else None
    learner = Learner.get_by_id(learner_id) if learner_id else None
    change = {
        "seq": seq,
        "id": str(uuid.uuid4()),
        "kind": "note",
        "class": room.uuid if room else "",
        "learner": learner.uuid if learner else "",
        "author": "juma",
        "made_at": "2026-03-01T10:00:00Z",
        "text": NOTE,
        "pack": "",
        "lesson": "",
        "due": "",
    }
    with write():
        from_afar.apply(change, "usb")
    return from_afar.FromAfar.get(from_afar.FromAfar.change_id == change["id"])


def test_a_note_is_heard_as_a_clip_the_kit_makes_once(learn_app, ids):
    mine = _note(learner_id=ids["ada"])
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    page = client.get("/lessons").get_data(as_text=True)
    url = f"/notes/{mine.id}/aloud.wav"
    assert f'<audio id="note-aloud-{mine.id}" preload="none" src="{url}">' in page
    assert '<span class="vh">Listen to the note</span>' in page and "learn/speak.js" in page
    answer = client.get(url)
    assert answer.status_code == 200 and answer.mimetype == "audio/wav"
    assert "private" in answer.headers["Cache-Control"]
    with wave.open(io.BytesIO(answer.data)) as clip:
        seconds = clip.getnframes() / clip.getframerate()
    assert 1.5 < seconds < 10, seconds  # eight words at 135 a minute, read by espeak-ng
    made = list((Path(learn_app.config["KIT"]["data"]) / "notes-aloud").iterdir())
    assert [f.name for f in made] == [f"{mine.change_id}-en-gb.wav"]
    before = made[0].stat().st_mtime_ns
    assert (
        client.get(url).data == answer.data and made[0].stat().st_mtime_ns == before
    )  # kept, not made again
    french = client.get(url, headers={"Accept-Language": "fr"})
    assert french.status_code == 200 and french.data != answer.data
    assert (made[0].parent / f"{mine.change_id}-fr-fr.wav").exists()


def test_only_the_learner_or_their_class_can_hear_a_note(learn_app, ids):
    for_ben = _note(learner_id=ids["ben"])
    for_class = _note(class_id=ids["class"], seq=2)
    other = Classroom.create(name="Class B")
    for_other_class = _note(class_id=other.id, seq=3)
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    assert client.get(f"/notes/{for_class.id}/aloud.wav").status_code == 200
    for refused in (for_ben.id, for_other_class.id, 999999):
        assert client.get(f"/notes/{refused}/aloud.wav").status_code == 404
    with write():
        from_afar.FromAfar.update(undone_at=from_afar.utcnow()).where(
            from_afar.FromAfar.id == for_class.id
        ).execute()
    assert client.get(f"/notes/{for_class.id}/aloud.wav").status_code == 404  # undone by the local teacher
    assert learn_app.test_client().get(f"/notes/{for_class.id}/aloud.wav").status_code == 302  # not signed in


@pytest.fixture
def no_espeak(monkeypatch, tmp_path):
    """A kit without espeak-ng on its PATH (as a Raspberry Pi where it was not installed)."""
    monkeypatch.setenv("PATH", str(tmp_path))
    notes_aloud._espeak.cache_clear()
    yield
    notes_aloud._espeak.cache_clear()


def test_without_a_voice_a_note_is_read_not_heard(learn_app, ids, no_espeak):
    mine = _note(learner_id=ids["ada"])
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    page = client.get("/lessons").get_data(as_text=True)
    assert NOTE in page and "Listen to the note" not in page and "speak.js" not in page
    refused = client.get(f"/notes/{mine.id}/aloud.wav")
    assert refused.status_code == 503
    assert "Error 503" in refused.get_data(
        as_text=True
    )  # the learner's error page, a way back to the lessons


def test_a_language_espeak_has_no_voice_for_has_no_speaker_button(learn_app, ids):
    mine = _note(learner_id=ids["ada"])
    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    page = client.get("/lessons", headers={"Accept-Language": "wo"}).get_data(as_text=True)
    assert NOTE in page and f"note-aloud-{mine.id}" not in page
    assert client.get(f"/notes/{mine.id}/aloud.wav", headers={"Accept-Language": "wo"}).status_code == 503
