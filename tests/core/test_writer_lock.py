"""Writers in different processes queue on the data folder's writer lock, never on SQLite's
busy timeout: a worker whose turn comes late waits, it does not meet "database is locked"."""

import subprocess
import sys
import time

from tests.conftest import ROOT

HOLD = """
import sys, time
from kit.datafolder import open_data
from kit.db import write, database
open_data(sys.argv[1])
with write():
    database.execute_sql("UPDATE kit_identity SET location = 'held'")
    print("holding", flush=True)
    time.sleep(float(sys.argv[2]))
print("released", flush=True)
"""

WRITE = """
import sys
from kit.datafolder import open_data
from kit.db import write, database
open_data(sys.argv[1], overrides={"busy_timeout_ms": 50})
with write():
    database.execute_sql("UPDATE kit_identity SET location = 'second'")
print("written", flush=True)
"""


def test_a_second_process_waits_for_the_writer_past_its_busy_timeout(initialised):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(initialised), "1.5"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        second = subprocess.run(
            [sys.executable, "-c", WRITE, str(initialised)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
        waited = time.monotonic() - started
    finally:
        holder.wait(30)
    assert second.returncode == 0, second.stderr[-500:]
    assert "database is locked" not in second.stderr
    assert second.stdout.strip() == "written"
    assert waited > 0.05  # it queued behind the holder (and not only its own start-up)
    import sqlite3

    with sqlite3.connect(initialised / "kit.db") as conn:
        assert conn.execute("SELECT location FROM kit_identity").fetchone()[0] == "second"


def test_the_writer_lock_dies_with_its_process(initialised):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(initialised), "60"], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "holding"
    holder.kill()  # kill -9 mid-transaction
    holder.wait(10)
    second = subprocess.run(
        [sys.executable, "-c", WRITE, str(initialised)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert second.returncode == 0 and second.stdout.strip() == "written", second.stderr[-500:]
