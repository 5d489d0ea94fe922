"""Sign-first lesson page under load (issue 18), against the class-load lesson pages in the same run.

Two kits made from the class-load bench's prepared folder, each with the tests' sign pack
("mini": a sign clip per page, a signed word, read-along narration, a spoken question)
imported and assigned to every bench class: in one every learner reads plainly, in the
other every learner has "sign language first". On each, at 8 and then 60 connections,
every connection repeats one page as fast as it is answered, the pages in turn: the
numeracy lesson page, the lesson page class-load hammers (first-steps), and the mini
lesson, whose sign-first variant is the page issue 18 added. Only the HTML is asked for,
as class-load does (a tablet keeps the scripts and styles; the clips load only on play).

The clips are ffmpeg test patterns made by tests/packs/sign_pack.py, NOT signing: a
page's server cost does not depend on what its clips show.
Run: bench/run sign-lesson  (--quick: a smoke run; --no-doc: leave docs/performance.md).
"""

import argparse
import statistics
import subprocess
import sys
import time

from . import report, workdir
from .class_load import hammer
from .procmon import load_now
from .servers import PY, ROOT, fresh_copy, kit_server
from .workdir import template

PAGES = {  # hammer target -> what the report calls it
    "/lesson/numeracy/01-counting": "numeracy lesson page",
    "lesson": "first-steps lesson page (class-load's)",
    "/lesson/mini/01-count": "sign pack lesson page",
}


def sign_pack():
    """Build the tests' sign pack once into the bench's work folder; return the .kitpack."""
    out = workdir.WORK / "mini-signs.kitpack"
    if not out.exists():
        from kit.packs.archive import build
        from tests.packs.sign_pack import make_sign_pack

        folder = workdir.WORK / "sign-pack" / "mini"
        subprocess.run(["rm", "-rf", str(folder.parent)], check=True)
        folder.parent.mkdir(parents=True)
        build(make_sign_pack(folder), out)
    return out


def prepare(data, pack, sign_first):
    """Import the sign pack into `data`, assign it to every class, set every learner's flag
    (in a child process: the bench never holds the kit's database open while it serves)."""
    subprocess.run(
        [PY, "-m", "kit", "--data", str(data), "pack", "import", str(pack)], check=True, capture_output=True
    )
    subprocess.run(
        [PY, "-m", "bench.sign_lesson", "--prepare", str(data), *(["--sign-first"] if sign_first else [])],
        check=True,
        cwd=ROOT,
    )


def _prepare_in_process(data, sign_first):
    from kit.assignments import assign
    from kit.datafolder import open_data
    from kit.models import Learner
    from kit.roster import list_classes, set_sign_first

    open_data(data)
    for room in list_classes():
        assign(room.id, "mini")
    for learner in Learner.select():
        set_sign_first(learner.id, sign_first)


def run(args):
    tpl, plan = template(max(args.conns))
    pack = sign_pack()
    results = {"machine": report.machine(), "args": vars(args), "load_before": load_now(), "runs": {}}
    for sign_first in (False, True):
        name = "sign_first" if sign_first else "plain"
        data = fresh_copy(tpl, workdir.WORK / "data-sign")
        prepare(data, pack, sign_first)
        with kit_server(data, log=str(workdir.WORK / "serve-sign.log")) as kit:
            for conns in args.conns:
                for round_ in range(args.rounds):  # pages in turn, a round at a time: noise falls on all
                    rows = hammer(kit, plan, conns, args.seconds, args.warmup, list(PAGES))
                    for target, row in rows.items():
                        results["runs"].setdefault(f"{name} {conns}", {}).setdefault(target, []).append(row)
                        print(
                            f"{name:10} {conns:3} conns  round {round_}  {PAGES[target]:40} {row['rps']:7} req/s"
                            f"  p50 {row['p50']} ms  p95 {row['p95']} ms  errors {row['errors']}"
                            f"  {row.get('bytes_each')} B each  statuses {row.get('statuses')}  load {row['load']}",
                            flush=True,
                        )
    results["load_after"] = load_now()
    return results


def table(results):
    """The markdown table of the run: per page, learner kind and connection count, the
    median of the rounds' req/s and p95 (each round's p95 in brackets)."""
    lines = [
        "| page | learners | connections | req/s (median) | p95 (median) | p95 each round | errors |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for key, pages in results["runs"].items():
        kind, conns = key.rsplit(" ", 1)
        who = "sign language first" if kind == "sign_first" else "plain"
        for target, rows in pages.items():
            rps = statistics.median(r["rps"] for r in rows)
            p95s = [r["p95"] for r in rows]
            each = ", ".join(f"{p:.0f}" for p in p95s)
            lines.append(
                f"| {PAGES[target]} | {who} | {conns} | {rps:,.0f} | {statistics.median(p95s):.0f} ms"
                f" | {each} ms | {sum(r['errors'] for r in rows)} |"
            )
    return "\n".join(lines)


def parse(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--conns", default="8,60", help="connection counts")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per page")
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the pages in turn, per kit and count"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: 3 connections, 0.5 s a page")
    parser.add_argument("--prepare", help=argparse.SUPPRESS)
    parser.add_argument("--sign-first", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.conns, args.seconds, args.warmup, args.rounds = "3", 0.5, 0.3, 1
    args.conns = [int(n) for n in args.conns.split(",") if n]
    return args


def main(argv=None):
    args = parse(argv)
    if args.prepare:
        return _prepare_in_process(args.prepare, args.sign_first)
    started = time.monotonic()
    results = run(args)
    print(table(results))
    print(f"{results['machine']}; load average before {results['load_before']}, after {results['load_after']};"
          f" {time.monotonic() - started:.0f} s")  # fmt: skip
    if not args.quick:  # a smoke run keeps the last real run's results
        report.save_json("sign-lesson", results)
    return results


if __name__ == "__main__":
    sys.exit(main() and 0)
