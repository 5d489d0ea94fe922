"""A/B: the same saturation runs against `kit serve` from two source trees, alternating.

For deciding whether a hot-path workaround still earns its complexity: copy the
repository, undo the workaround in the copy, then run (each round runs A then B, so
machine noise falls on both alike):
    .venv/bin/python -m bench.ab /tmp/variant-b --targets lesson,progress --rounds 3
Prints req/s and p95 per target, variant and round, and the median ratio B/A.
"""

import argparse
import json
import statistics
import subprocess

from . import workdir
from .class_load import hammer
from .procmon import load_now
from .servers import PY, ROOT, Server, fresh_copy
from .workdir import template


class TreeServer(Server):
    """`kit serve` run from a given source tree (python -m kit finds the tree's kit first)."""

    def __init__(self, tree, data_dir, workers=None, threads=None, log=None):
        argv = [PY, "-m", "kit", "serve", "--host", "127.0.0.1", "--port", "{port}"]
        argv += ["--workers", str(workers)] if workers is not None else []
        argv += ["--threads", str(threads)] if threads else []
        super().__init__(argv, env={"KIT_DATA": str(data_dir)}, log=log)
        self.tree = tree

    def start(self, timeout=30.0):
        from .servers import wait_200

        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.argv, env=self.env, cwd=self.tree, stdout=log, stderr=subprocess.STDOUT
            )
        self.started_in = wait_200(self.url + self.health, self.process, timeout)
        return self


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("tree_b", help="the other source tree (B); A is this repository")
    parser.add_argument("--targets", default="lesson,progress")
    parser.add_argument("--conns", type=int, default=60)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args(argv)
    tpl, plan = template(60)
    rows = []
    for round_ in range(args.rounds):
        for name, tree in (("A", ROOT), ("B", args.tree_b)):
            data = fresh_copy(tpl, workdir.WORK / "data-ab")
            with TreeServer(tree, data, args.workers, args.threads, log=str(workdir.WORK / "ab.log")) as kit:
                got = hammer(kit, plan, args.conns, args.seconds, 2.0, args.targets.split(","))
                for target, row in got.items():
                    rows.append(
                        {
                            "round": round_,
                            "variant": name,
                            "target": target,
                            "rps": row["rps"],
                            "p95": row["p95"],
                            "errors": row["errors"],
                            "cpu_pct": row["server"]["cpu_pct"],
                            "cpu_ms": round(row["server"]["cpu_pct"] * 10 / row["rps"], 3)
                            if row["rps"]
                            else None,
                            "load": row["load"],
                        }
                    )
                    print(json.dumps(rows[-1]), flush=True)
    for target in args.targets.split(","):
        a = [r["rps"] for r in rows if r["target"] == target and r["variant"] == "A"]
        b = [r["rps"] for r in rows if r["target"] == target and r["variant"] == "B"]
        ratios = [y / x for x, y in zip(a, b) if x]
        print(
            f"{target}: A {a} req/s, B {b} req/s; B/A median "
            f"{statistics.median(ratios):.2f} (load now {load_now()})"
        )
    return rows


if __name__ == "__main__":
    main()
