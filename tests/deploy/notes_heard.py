"""A remote teacher's note heard on a booted, installed kit: the learner's tablet asks,
the kit's own unit makes the clip with espeak-ng (kit/notes_aloud.py)."""

import subprocess
import sys

# A class, a learner and a remote teacher's note for her, as the sync agent applies it,
# written by the kit's own user into the running kit's data folder.
NOTE_FOR_ADA = """
import uuid
from kit import from_afar
from kit.datafolder import open_data
from kit.db import write
from kit.roster import add_learner, create_class

open_data()
room = create_class("Listening class")
ada = add_learner(room.id, name="Ada", avatar="cat", colour="blue")
change = dict(seq=1, id=str(uuid.uuid4()), kind="note", author="juma", made_at="2026-03-01T10:00:00Z",
              text="Well done on counting. Try the shapes next.", pack="", lesson="", due="")
change.update({"class": room.uuid, "learner": ada.uuid})
with write():
    from_afar.apply(change, "usb")
print(room.id, ada.id, from_afar.FromAfar.get(from_afar.FromAfar.change_id == change["id"]).id)
"""

# Ada signs in on a tablet, sees her note with its speaker button, and taps it.
ADA_LISTENS = """
import io, re, sys, wave
import requests

base, class_id, ada, note = "http://127.0.0.1:8080", *sys.argv[1:]
tablet = requests.Session()
page = tablet.get(f"{base}/class/{class_id}", timeout=30).text
token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
tablet.post(f"{base}/signin", data={"learner_id": ada, "csrf_token": token}, timeout=30)
lessons = tablet.get(f"{base}/lessons", timeout=30).text
heard = tablet.get(f"{base}/notes/{note}/aloud.wav", timeout=90)
with wave.open(io.BytesIO(heard.content)) as clip:
    seconds = clip.getnframes() / clip.getframerate()
print(f"note-aloud-{note}" in lessons, heard.status_code, heard.headers["Content-Type"], round(seconds))
"""


def a_learner_hears_a_note(machine, timeout=120):
    """Send a note to a new learner, listen to it from a tablet; return its length in seconds.

    Fails, with the kit's journal, unless her lessons page has the speaker button and the
    clip comes back as audio/wav, made in the kit's data folder.
    """
    made = machine.sh(
        "runuser -u classroom-kit -- env KIT_DATA=/var/lib/classroom-kit "
        "KIT_SETTINGS_FILE=/etc/classroom-kit/settings.toml "
        f"/opt/classroom-kit/venv/bin/python - <<'EOF'\n{NOTE_FOR_ADA}\nEOF",
        timeout=timeout,
    )
    class_id, ada, note = made.stdout.split()
    tablet = ["nsenter", "-t", str(machine.leader), "-n", "--", sys.executable, "-c", ADA_LISTENS]
    heard = subprocess.run([*tablet, class_id, ada, note], capture_output=True, text=True, timeout=timeout)
    assert heard.returncode == 0, heard.stderr
    button, status, kind, seconds = heard.stdout.split()
    journal = machine.sh("journalctl -u classroom-kit --no-pager | tail -20", check=False).stdout
    assert (button, status, kind) == ("True", "200", "audio/wav"), journal
    clips = machine.sh("ls /var/lib/classroom-kit/notes-aloud").stdout.split()
    assert len(clips) == 1 and clips[0].endswith("-en-gb.wav"), clips
    return int(seconds)
