"""Make a benchmark data folder: `kit demo`, then classes of 30 learners with lessons assigned.

Run as a separate process (`python -m bench.prepare --data DIR --learners 150`) so the
benchmark's own process never holds the kit's database open while the server runs.
Every fourth learner has a picture password, so sign-in exercises both paths.
"""

import argparse
import json
import subprocess
import sys

CLASS_SIZE = 30
PICTURES = "sun+tree"
PACKS = ("first-steps", "numeracy")


def bench_classes(learners):
    """Return [(class name, [learner names])] for this many learners, 30 per class."""
    out = []
    for start in range(0, learners, CLASS_SIZE):
        names = [f"Tablet {n:03d}" for n in range(start, min(start + CLASS_SIZE, learners))]
        out.append((f"Bench class {start // CLASS_SIZE + 1}", names))
    return out


def prepare(data_dir, learners):
    """Fill data_dir for `learners` tablets; print a JSON plan the load generator reads."""
    subprocess.run(
        [sys.executable, "-m", "kit", "--data", str(data_dir), "demo"],
        check=True,
        capture_output=True,
        text=True,
    )
    from kit.assignments import assign, list_assignments
    from kit.datafolder import open_data
    from kit.models import Learner
    from kit.roster import add_learner, create_class, find_class

    open_data(data_dir)
    plan = {"classes": [], "teacher": _teacher(data_dir), "pictures": PICTURES.split("+")}
    for class_name, names in bench_classes(learners):
        room = find_class(class_name) or create_class(class_name)
        have = {l.display_name for l in Learner.select().where(Learner.classroom == room)}
        for index, name in enumerate(names):
            if name not in have:
                add_learner(room.id, name=name, picture_password=PICTURES if index % 4 == 3 else "")
        assigned = {a["pack_id"] for a in list_assignments(room.id)}
        for pack_id in PACKS:
            if pack_id not in assigned:
                assign(room.id, pack_id)
        ids = [l.id for l in Learner.select().where(Learner.classroom == room).order_by(Learner.display_name)]
        plan["classes"].append({"id": room.id, "name": class_name, "learners": ids})
    return plan


def _teacher(data_dir):
    from pathlib import Path

    saved = json.loads((Path(data_dir) / "demo-credentials.txt").read_text())
    return {"username": "teacher", "password": saved["teacher"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", required=True)
    parser.add_argument("--learners", type=int, default=150)
    args = parser.parse_args()
    print(json.dumps(prepare(args.data, args.learners)))


if __name__ == "__main__":
    main()
