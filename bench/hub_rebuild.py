"""`kit hub reports rebuild` of one source tree against another's, on the same events in PostgreSQL.

The generator of bench/hub_scale.py COPYs N events into a throwaway PostgreSQL; then each
tree's rebuild runs on that same table, in turns, and the summary tables each made are
compared (the tables both trees know must be equal row for row). Used to measure the
set-based rebuild against the Python tally it replaced:

    git archive <old commit> | tar -x -C /tmp/old
    .venv/bin/python -m bench.hub_rebuild --old /tmp/old --events 200000 --shape real

Bounded: one rebuild per tree per round, each with a timeout.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg2

from .hub_scale import SHAPES, Hub, _generate, load
from .sync_scenarios import postgres_url

ROOT = Path(__file__).resolve().parent.parent
COMPARED = ("hub_sum_hours", "hub_sum_learner", "hub_sum_lesson")


def _rebuild(tree, env):
    """Run one tree's rebuild (its own code first on the path); return (seconds, its answer)."""
    t0 = time.perf_counter()
    answer = subprocess.run(
        [sys.executable, "-m", "kit", "hub", "reports", "rebuild"],
        env={**env, "PYTHONPATH": str(tree)},
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    return time.perf_counter() - t0, answer.stdout.strip()


def _code_of(tree):
    """Where the rebuild run in `tree` takes its code from (the tree's own, not this one's)."""
    return subprocess.run(
        [sys.executable, "-c", "import sync.hub.summaries as s; print(s.__file__)"],
        env={**os.environ, "PYTHONPATH": str(tree)},
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()


def _tables(url):
    with psycopg2.connect(url) as conn:
        cur = conn.cursor()
        made = {}
        for table in COMPARED:
            cur.execute(f"SELECT * FROM {table}")
            made[table] = sorted(cur.fetchall())
    return made


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--old", required=True, help="the other source tree (git archive of a commit)")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--shape", choices=SHAPES, default="real")
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args(argv)
    old = Path(args.old).resolve()
    if not (old / "sync" / "hub" / "summaries.py").is_file():
        parser.error(f"{old} is not a source tree of the kit (no sync/hub/summaries.py)")
    url, halt = postgres_url()
    result = {
        "events": args.events,
        "shape": args.shape,
        "rounds": [],
        "code": [_code_of(old), _code_of(ROOT)],
    }
    print(json.dumps(result), flush=True)
    try:
        with tempfile.TemporaryDirectory() as folder:
            hub = Hub(url, 1, folder)
            _generate(url, args.events, args.shape)
            for _ in range(args.rounds):
                entry = {}
                for name, tree in (("old", old), ("new", ROOT)):
                    entry[f"{name}_load"] = load()
                    seconds, said = _rebuild(tree, hub.env)
                    entry[name] = round(seconds, 1)
                    entry[f"{name}_said"] = said
                    entry[f"{name}_tables"] = _tables(url)
                same = entry.pop("old_tables") == entry.pop("new_tables")
                entry.update(same=same, ratio=round(entry["old"] / entry["new"], 1))
                print(json.dumps(entry), flush=True)
                result["rounds"].append(entry)
    finally:
        halt()
    result["load_end"] = list(os.getloadavg())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
