"""The benches' work folder and their prepared data folders (made once, copied per run).

One place for both, so every bench (class load, ingest, start, sync) shares the same
prepared kit and a test can point them all at a private folder by patching `WORK`.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

WORK = Path(os.environ.get("BENCH_WORK", "/tmp/classroom-kit-bench"))


def template(learners):
    """Prepare (once) a data folder with `learners` tablets; return (folder, plan file)."""
    work = WORK
    folder, plan = work / f"template-{learners}", work / f"plan-{learners}.json"
    if not plan.exists() or plan.stat().st_mtime < _code_mtime():
        # Remade when the kit's code changed: a folder prepared by older code keeps what
        # that code wrote (e.g. scrypt picture hashes after the switch to PBKDF2).
        shutil.rmtree(folder, ignore_errors=True)
        work.mkdir(parents=True, exist_ok=True)
        out = subprocess.run(
            [sys.executable, "-m", "bench.prepare", "--data", str(folder), "--learners", str(learners)],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parent.parent,
        )
        plan.write_text(out.stdout)
    return folder, plan


def _code_mtime():
    """Return the newest modification time of the kit's code and the bench's preparation."""
    root = Path(__file__).resolve().parent.parent
    files = [
        *(root / "kit").rglob("*.py"),
        *(root / "kit" / "migrations").glob("*.sql"),
        root / "bench" / "prepare.py",
    ]
    return max(f.stat().st_mtime for f in files)
