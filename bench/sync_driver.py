"""Kit-side helpers for the sync bench, run as their own process (inside a netns if asked).

python -m bench.sync_driver events --data DIR --count 100000
    append events to kit.db as the events API stores them (a real mix of kinds);
python -m bench.sync_driver now --data DIR
    run one sync cycle in-process and print {"seconds", "result"} as JSON: the time of
    the sync itself, without the 1-2 s of starting a Python interpreter.
"""

import argparse
import datetime as dt
import json
import random
import time
import uuid

KINDS = [
    ("page_viewed", lambda r: {"page": r.randint(0, 5)}),
    ("time_spent", lambda r: {"seconds": r.randint(5, 300)}),
    (
        "answer",
        lambda r: {
            "question_id": f"q{r.randint(1, 4)}",
            "response": r.choice("abc"),
            "attempt": 1,
            "correct": r.random() < 0.6,
            "first_try": True,
        },
    ),
    ("lesson_opened", lambda r: {}),
    ("lesson_completed", lambda r: {}),
]


def make_events(data_dir, count, chunk=5000):
    """Insert `count` events spread over the kit's learners, in chunks of one transaction."""
    from kit.datafolder import open_data
    from kit.db import database, write
    from kit.models import Event, Learner

    open_data(data_dir)
    rng = random.Random(7)
    learners = [l.id for l in Learner.select(Learner.id)]
    start = dt.datetime(2026, 3, 2, 8, 0)
    made = 0
    while made < count:
        rows = []
        for i in range(made, min(count, made + chunk)):
            kind, payload = KINDS[i % len(KINDS)]
            when = start + dt.timedelta(seconds=i * 3)
            rows.append(
                {
                    "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                    "learner": rng.choice(learners),
                    "pack_id": "numeracy",
                    "lesson_id": f"0{i % 7 + 1}-lesson",
                    "kind": kind,
                    "payload": payload(rng),
                    "device_time": when,
                    "boot_id": "tablet-boot",
                    "mono_ms": 1000 + i * 3000,
                    "received_at": when,
                }
            )
        with write():
            Event.insert_many(rows).execute()
        made += len(rows)
    database.close()
    return made


def sync_now(data_dir):
    """One sync cycle, timed in this process."""
    from kit.datafolder import open_data
    from sync.agent.scheduler import run_locked

    config = open_data(data_dir)
    started = time.perf_counter()
    result = run_locked(config, force=True)
    return {"seconds": round(time.perf_counter() - started, 3), "result": result}


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("what", choices=["events", "now"])
    parser.add_argument("--data", required=True)
    parser.add_argument("--count", type=int, default=100000)
    args = parser.parse_args(argv)
    if args.what == "events":
        print(json.dumps({"made": make_events(args.data, args.count)}))
    else:
        print(json.dumps(sync_now(args.data)))


if __name__ == "__main__":
    main()
