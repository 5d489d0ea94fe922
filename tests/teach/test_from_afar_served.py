"""What came from afar, against a real `kit serve`: the local teacher's list says who saw
each note, and a note undone on the kit can no longer be heard, its clips deleted.

Changes are applied with kit.from_afar.apply in this process, on the server's data folder,
as the sync agent does in its own (tests/sync/test_downstream.py drives the agent for real).
"""

import html
import re
import uuid
import wave
from io import BytesIO

import pytest

from kit import from_afar
from kit.datafolder import open_data
from kit.db import database, write
from kit.models import Classroom, Learner

from .test_session_end import learner, teacher, token


@pytest.fixture
def server(teach_server):
    """The served kit, with this process bound to its database to apply changes."""
    open_data(teach_server.data_dir, run_migrations=False)
    yield teach_server
    database.close()


def send(*notes):
    """Apply notes as the sync agent would; return their rows. Each is (text, learner id or None)."""
    room = Classroom.select().where(Classroom.name == "Class A").get()
    rows = []
    with write():
        for seq, (text, learner_id) in enumerate(notes, start=1):
            change = {
                "seq": seq,
                "id": str(uuid.uuid4()),
                "kind": "note",
                "class": room.uuid,
                "learner": Learner.get_by_id(learner_id).uuid if learner_id else "",
                "author": "juma",
                "made_at": "2026-03-01T10:00:00Z",
                "text": text,
                "pack": "",
                "lesson": "",
                "due": "",
            }
            from_afar.apply(change, "online")
            rows.append(from_afar.FromAfar.get(from_afar.FromAfar.change_id == change["id"]))
    return rows


def statuses(session, server):
    """{note text: its result cell} on the local teacher's "From the remote teacher" tab."""
    page = session.get(f"{server.url}/teach/classes/{server.ids['class']}/from-afar", timeout=10)
    assert page.status_code == 200
    found = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", page.text, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, re.S)]
        found[html.unescape(cells[0]).split(": ", 1)[1]] = html.unescape(cells[3])
    return found


def test_the_list_says_which_notes_were_seen_and_by_how_many_of_the_class(server):
    ids = server.ids
    send(("Well done, Ada", ids["ada"]), ("Ben: read page 2", ids["ben"]), ("Everyone: bring a pencil", None))
    tina = teacher(server)
    assert statuses(tina, server) == {
        "Well done, Ada": "delivered · not seen yet",
        "Ben: read page 2": "delivered · not seen yet",
        "Everyone: bring a pencil": "delivered · seen by 0 of 2",
    }
    ada = learner(server, ids["ada"], ids["class"])
    for _ in range(2):  # a learner looking twice is counted once
        assert "Everyone: bring a pencil" in ada.get(f"{server.url}/lessons", timeout=10).text
    assert statuses(tina, server) == {
        "Well done, Ada": "delivered · seen",
        "Ben: read page 2": "delivered · not seen yet",
        "Everyone: bring a pencil": "delivered · seen by 1 of 2",
    }
    learner(server, ids["ben"], ids["class"]).get(f"{server.url}/lessons", timeout=10)
    assert set(statuses(tina, server).values()) == {"delivered · seen", "delivered · seen by 2 of 2"}
    # A learner who leaves the class leaves the count: "of" is the class's active learners.
    with write():
        Learner.update(active=False).where(Learner.id == ids["ben"]).execute()
    assert statuses(tina, server)["Everyone: bring a pencil"] == "delivered · seen by 1 of 1"
    french = tina.get(
        f"{server.url}/teach/classes/{ids['class']}/from-afar", headers={"Accept-Language": "fr"}, timeout=10
    )
    assert "vu par 1 sur 1" in html.unescape(french.text)


def undo(tina, server, row):
    """The local teacher undoes a change from afar through the real form."""
    answer = tina.post(
        f"{server.url}/teach/from-afar/{row.id}/undo",
        data={"csrf_token": token(tina, f"{server.url}/teach/")},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302


def test_an_undone_note_keeps_who_saw_it_and_is_no_longer_awaited(server):
    ids = server.ids
    mine, everyone = send(("Well done, Ada", ids["ada"]), ("Everyone: bring a pencil", None))
    learner(server, ids["ben"], ids["class"]).get(f"{server.url}/lessons", timeout=10)
    tina = teacher(server)
    for row in (mine, everyone):
        undo(tina, server, row)
    assert statuses(tina, server) == {
        "Well done, Ada": "undone",
        "Everyone: bring a pencil": "undone · seen by 1 of 2",
    }


def clips(server):
    folder = server.data_dir / "notes-aloud"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_undoing_a_note_deletes_its_clips_and_the_tablet_is_told_it_was_taken_back(server):
    ids = server.ids
    mine, everyone = send(("Well done, Ada", ids["ada"]), ("Everyone: bring a pencil", None))
    ada = learner(server, ids["ada"], ids["class"])
    for row in (mine, everyone):
        for lang in ("en", "fr"):
            heard = ada.get(
                f"{server.url}/notes/{row.id}/aloud.wav", headers={"Accept-Language": lang}, timeout=30
            )
            assert heard.status_code == 200 and heard.headers["Content-Type"] == "audio/wav"
            with wave.open(BytesIO(heard.content)) as clip:
                assert clip.getnframes() > clip.getframerate()  # over a second of speech
    assert clips(server) == sorted(
        f"{row.change_id}-{voice}.wav" for row in (mine, everyone) for voice in ("en-gb", "fr-fr")
    )
    undo(teacher(server), server, everyone)
    assert clips(server) == sorted(
        f"{mine.change_id}-{voice}.wav" for voice in ("en-gb", "fr-fr")
    )  # Ada's stay
    gone = ada.get(f"{server.url}/notes/{everyone.id}/aloud.wav", timeout=10)
    assert gone.status_code == 404
    assert "Your teacher took this note back: there is nothing to hear." in html.unescape(gone.text)
    french = ada.get(
        f"{server.url}/notes/{everyone.id}/aloud.wav", headers={"Accept-Language": "fr"}, timeout=10
    )
    assert french.status_code == 404 and "Ton enseignant a retiré cette note" in html.unescape(french.text)
    assert ada.get(f"{server.url}/notes/{mine.id}/aloud.wav", timeout=10).status_code == 200


def test_a_clip_made_while_its_note_was_undone_is_deleted_when_next_asked_for(server):
    """A tablet's request that read the note just before the undo writes its clip after it."""
    ids = server.ids
    (note,) = send(("Everyone: bring a pencil", None))
    undo(teacher(server), server, note)
    late = server.data_dir / "notes-aloud" / f"{note.change_id}-en-gb.wav"
    late.parent.mkdir(exist_ok=True)
    late.write_bytes(b"RIFF")
    ada = learner(server, ids["ada"], ids["class"])
    assert ada.get(f"{server.url}/notes/{note.id}/aloud.wav", timeout=10).status_code == 404
    assert not late.exists()
