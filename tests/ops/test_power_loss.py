"""The database survives kill -9 and a power cut mid-write, with whole transactions only.

A power cut is simulated by freezing the writer (SIGSTOP) at arbitrary moments, possibly
in the middle of writing a transaction's WAL frames, and copying kit.db and its WAL as
they are on disk at that instant; the copy must open, pass integrity_check and hold only
whole batches. docs/power-loss.md explains why `synchronous=FULL` is the default.
"""

import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

WRITER = Path(__file__).with_name("writer.py")
ROOT = Path(__file__).resolve().parents[2]
BATCH = 20


def _start_writer(data_dir, seconds=20, synchronous="FULL"):
    env = {"PYTHONPATH": str(ROOT), "KIT_SQLITE_SYNCHRONOUS": synchronous, "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(
        [sys.executable, str(WRITER), str(data_dir), str(BATCH), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    first = process.stdout.readline()  # the writer has committed at least once
    assert first.strip() == "1", first
    return process


def _check(copy_dir):
    conn = sqlite3.connect(copy_dir / "kit.db")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = conn.execute("select count(*) from event").fetchone()[0]
        per_batch = conn.execute(
            "select count(*) from event group by json_extract(payload, '$.batch') having count(*) != ?",
            (BATCH,),
        ).fetchall()
    finally:
        conn.close()
    assert count % BATCH == 0 and per_batch == []  # whole transactions, never part of one
    return count


@pytest.mark.parametrize("synchronous", ["FULL", "NORMAL"])
def test_kill_9_mid_write_keeps_every_committed_batch(initialised, synchronous):
    writer = _start_writer(initialised, synchronous=synchronous)
    time.sleep(random.uniform(0.3, 0.8))
    writer.send_signal(signal.SIGKILL)
    committed = [int(line) for line in writer.stdout.read().split()] or [1]
    writer.wait(10)
    count = _check(initialised)
    last = max(committed)
    assert last * BATCH <= count <= (last + 1) * BATCH  # printed after commit: at most one more


def test_power_cut_snapshots_open_cleanly_with_whole_batches(initialised, tmp_path):
    writer = _start_writer(initialised)
    counts = []
    try:
        for shot in range(8):
            time.sleep(random.uniform(0.05, 0.25))
            writer.send_signal(signal.SIGSTOP)  # the instant the power goes
            try:
                copy = tmp_path / f"cut{shot}"
                copy.mkdir()
                for name in ("kit.db", "kit.db-wal"):
                    if (initialised / name).exists():
                        shutil.copyfile(initialised / name, copy / name)
            finally:
                writer.send_signal(signal.SIGCONT)
            counts.append(_check(copy))
    finally:
        writer.kill()
        writer.wait(10)
    assert counts == sorted(counts) and counts[-1] > counts[0]
