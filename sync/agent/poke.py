"""Waking the agent: `kit sync poke` touches DATA/sync/poke; the running agent watches it.

A file rather than a socket because the poke comes from NetworkManager's dispatcher as
root, maybe while no agent runs: a file needs no port, cannot reach the wrong process,
and is simply noticed by the next agent to start. Poking never opens the database (a
root-owned WAL file would lock the kit's own user out of it).
"""

import os
from pathlib import Path


def sync_folder(data):
    path = Path(data) / "sync"
    return path


def mark_enrolled(data, enrolled):
    """Keep a marker that poke can read without touching the database."""
    folder = sync_folder(data)
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / "enrolled"
    if enrolled:
        marker.write_text("1\n")
    elif marker.exists():
        marker.unlink()


def poke(data):
    """Ask the agent to sync now; return a sentence saying what happened. Never raises for 'not ready'."""
    folder = sync_folder(data)
    if not (folder / "enrolled").exists():
        return "this kit is not enrolled with a hub; nothing to do"
    flag = folder / "poke"
    try:
        flag.touch(mode=0o666)
        os.utime(flag)
    except OSError as exc:
        return f"could not poke the agent ({exc.strerror}); it will sync at its next interval"
    return "the sync agent will sync within a few seconds (if it is running)"


def poke_stamp(data):
    """Return the poke file's modification time (0 when it does not exist)."""
    try:
        return (sync_folder(data) / "poke").stat().st_mtime_ns
    except OSError:
        return 0
