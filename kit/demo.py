"""A demo kit in one step: the sample packs, a demo class, a teacher and an admin.

`./dev/run` calls this so that a fresh clone is a working classroom in a browser. It is
safe to run again: what exists is kept, and the credentials made the first time are
printed again from DATA/demo-credentials.txt (a demo folder only; real kits never
store a password).
"""

import json
import logging
import secrets
import tempfile
from pathlib import Path

from .assignments import assign
from .datafolder import identity
from .errors import NotFound
from .identity import create_identity
from .models import Assignment, Classroom, Pack, User
from .packs.archive import build
from .packs.install import import_pack
from .roster import add_learner, create_class, find_class
from .users import create_user

logger = logging.getLogger(__name__)

SAMPLE_PACKS = Path(__file__).resolve().parent.parent / "content_packs"
CLASS_NAME = "Demo class"
LEARNERS = [  # name, picture password ("" for none)
    ("Amina", "sun+tree"),
    ("Baraka", ""),
    ("Chiara", ""),
    ("Dembe", "moon+boat"),
    ("Esi", ""),
    ("Farid", ""),
    ("Grace", ""),
    ("Hamza", ""),
]
CREDENTIALS = "demo-credentials.txt"
# Teachers take the teacher-training course as learners of their own class; the hub
# reports that class's certificates as "teachers trained".
TRAINING_CLASS = "Teacher training"
TRAINING_PACK = "teaching-with-tablets"
# Not the demo teacher account's name ("Demo teacher"): its "My training" would take this
# learner over as its own profile, and the tablets would lose her.
TRAINEES = [("Teacher Amina", "sun+moon")]


def sample_pack_folders(root=SAMPLE_PACKS):
    """Every folder under content_packs/ that holds a pack.yaml, in name order."""
    return sorted(p.parent for p in Path(root).glob("*/pack.yaml"))


def make_demo(config, packs_root=SAMPLE_PACKS, say=print):
    """Fill a data folder with the demo; return the credentials {username: password}."""
    try:
        identity()
    except NotFound:
        create_identity("Demo kit", "Demo village")
    _import_samples(config, packs_root, say)
    room = _demo_class()
    _assign_first_pack(room)
    _training_class()
    return _accounts(Path(config["data"]))


def _import_samples(config, packs_root, say):

    with tempfile.TemporaryDirectory() as tmp:
        for folder in sample_pack_folders(packs_root):
            archive = Path(tmp) / f"{folder.name}.kitpack"
            build(folder, archive)
            say(import_pack(archive, config).describe())


def _demo_class():
    room = find_class(CLASS_NAME) or create_class(CLASS_NAME)
    existing = {learner.display_name for learner in room.learners}
    for name, pictures in LEARNERS:
        if name not in existing:
            add_learner(room.id, name=name, picture_password=pictures)
    return room


def _training_class():

    if not Pack.select().where(Pack.pack_id == TRAINING_PACK).exists():
        return
    room = find_class(TRAINING_CLASS) or create_class(TRAINING_CLASS)
    existing = {learner.display_name for learner in room.learners}
    for name, pictures in TRAINEES:
        if name not in existing:
            add_learner(room.id, name=name, picture_password=pictures)
    if not Assignment.select().where(Assignment.classroom == room).exists():
        assign(room.id, TRAINING_PACK)


def _assign_first_pack(room):
    first = Pack.select().order_by(Pack.pack_id).first()
    preferred = Pack.get_or_none(Pack.pack_id == "first-steps") or first
    if preferred and not Assignment.select().where(Assignment.classroom == room).exists():
        assign(room.id, preferred.pack_id)


def _accounts(data):
    path = data / CREDENTIALS
    saved = json.loads(path.read_text()) if path.exists() else {}
    for username, role in (("admin", "admin"), ("teacher", "teacher")):
        if User.select().where(User.username == username).exists():
            continue
        password = secrets.token_urlsafe(9)
        create_user(username, role, password, display_name="Demo " + role)
        saved[username] = password
    path.touch(mode=0o600)
    path.write_text(json.dumps(saved))
    return saved


def demo_summary(credentials):
    """What a person needs to start: who to sign in as, and which class to pick."""
    room = Classroom.get_or_none(Classroom.name == CLASS_NAME)
    lines = [
        f"demo class: {CLASS_NAME} ({room.learners.count() if room else 0} learners; "
        "Amina's picture password is sun+tree, Dembe's moon+boat)"
    ]
    for username, password in sorted(credentials.items()):
        lines.append(f"sign in at /teach as {username} with password {password}")
    return lines
