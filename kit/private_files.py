"""Folders and files holding learners' records or keys are their owner's alone: 700 and 600.

deploy/raspberrypi/install.sh makes the data folder itself, but a kit or hub set up by
hand (`kit init`, `kit hub init`, `dev/run`) makes its own, and the default umask would
leave the database readable by every account on the machine. SQLite gives its -wal and
-shm files the database file's mode, so creating the database file private is enough.
"""

import os
from pathlib import Path


def private_folder(path):
    """Make the folder `path` (and missing parents), mode 700; leave an existing one alone."""
    path = Path(path)
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
        path.chmod(0o700)  # mkdir's mode is cut by the umask; 700 is what we mean


def private_file(path):
    """Create an empty file at `path`, mode 600, unless it exists; return the path."""
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass
    return path
