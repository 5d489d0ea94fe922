"""The load generator: one process running many simulated clients on one asyncio loop.

The benches start several of these processes (`spawn`) so the generator is never one
saturated interpreter; each reports its latencies and its own CPU use, which the
results print beside the server's, to show where the time went.

Modes: ``class`` (tablets playing lessons plus teachers' grids), ``hammer`` (each
connection repeats one request as fast as it is answered: the saturation test), and
``ingest`` (event writers, bench.ingest_writers; bench.ingest runs and proves them).
"""

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import time

from .httpc import Client, HTTPError
from .ingest_writers import run_writers
from .stats import Recorder
from .tablet import Tablet, plan_seats, teacher

HAMMER = {  # target -> (method, path, label, body)
    "lesson": ("GET", "/lesson/first-steps/01-touch", "GET /lesson/<pack>/<lesson>", None),
    "progress": ("GET", "/api/v1/progress", "GET /api/v1/progress", None),
    "answers": (
        "POST",
        "/api/v1/answers",
        "POST /api/v1/answers",
        json.dumps(
            {"pack_id": "first-steps", "lesson_id": "01-touch", "question_id": "how-to-tap", "response": "a"}
        ).encode(),
    ),
    # A tablet's batch as learn.js sends it every few seconds: new UUIDs each time (body
    # made per request, below); on the bare app the same bytes are one JSON POST.
    "events": ("POST", "/api/v1/events", "POST /api/v1/events", None),
    "healthz": ("GET", "/healthz", "GET /healthz", None),
}
EVENTS_PER_BATCH = 10


def event_batch(tablet):
    """A fresh batch of EVENTS_PER_BATCH page views from this tablet's learner."""
    for index in range(EVENTS_PER_BATCH):
        tablet.event("page_viewed", "first-steps", "01-touch", {"page": index % 3})
    batch, tablet.queue = tablet.queue, []
    return json.dumps({"token": tablet.token or "bench", "events": batch}).encode()


async def run_class(args, plan, record, until):
    """Tablets args.first..first+count, and one teacher per class they belong to."""
    seats = plan_seats(plan)[args.first : args.first + args.count]
    rng = random.Random(args.seed + args.first)
    clients, jobs = [], []
    for room, learner in seats:
        client = Client(args.url, record)
        clients.append(client)
        tablet = Tablet(
            client,
            room,
            learner,
            plan["pictures"],
            random.Random(rng.random()),
            think=args.think,
            flush_s=args.flush_s,
        )
        jobs.append(tablet.run(until, ramp=args.warmup))
    if args.teachers:
        for room in sorted({room for room, _ in seats}):
            client = Client(args.url, record)
            clients.append(client)
            jobs.append(
                teacher(
                    client,
                    room,
                    plan["teacher"]["username"],
                    plan["teacher"]["password"],
                    until,
                    args.refresh_s,
                )
            )
    await _gather(jobs, clients)


async def run_hammer(args, plan, record, until):
    """Each connection signs in as its own learner, then repeats one request; with several
    targets (`--target lesson,progress`), each in turn on the same signed-in connections.

    Each target gets its own window (warm-up, then duration, not counted while warming),
    which starts once every connection of this process has signed in: on a busy machine
    sign-ins can outlast a warm-up, and their time would otherwise count as time the
    target was not asked for. The windows' wall-clock bounds go back in `extra`, so the
    server's CPU can be read for each target alone.
    """
    seats = plan_seats(plan)[args.first : args.first + args.count] if plan else [None] * args.count

    async def sign_in(seat):
        client = Client(args.url, record)
        tablet = Tablet(
            client,
            *(seat or (0, 0)),
            plan["pictures"] if plan else "",
            random.Random(seat[1] if seat else 0),
            think=0,
        )
        if seat is not None:
            tablet.until = until + 600  # sign-in is not bounded by the measuring window
            await tablet.sign_in()  # its requests carry sign-in labels, not the target's
        return tablet

    record.counting = False
    tablets = await asyncio.gather(*(sign_in(seat) for seat in seats))
    windows = {}
    for target in args.target.split(","):
        windows[target] = await _hammer_one(args, record, tablets, target)
    record.extra = {"windows": windows}
    for tablet in tablets:
        await tablet.c.close()


async def _hammer_one(args, record, tablets, target):
    """Every connection repeats `target`'s request for warm-up + duration; count the
    duration only; return its wall-clock [start, end].

    The counted window lasts at least until one answer came back (bounded: 30 s more): on
    a busy machine a short window (the smoke run's) could otherwise close before the
    first slow answer and count nothing. The rate is taken over the window's real length.
    """
    method, path, label, body = HAMMER.get(target, ("GET", target, "GET " + target, None))
    headers = {"Content-Type": "application/json"} if method == "POST" else None
    window, done = [], asyncio.Event()

    async def measure():
        await asyncio.sleep(args.warmup)
        record.counting = True
        window.append(time.time())
        await asyncio.sleep(args.duration)
        limit = time.monotonic() + 30
        while not record.latencies.get(label) and time.monotonic() < limit:
            await asyncio.sleep(0.02)
        record.counting = False
        window.append(time.time())
        done.set()

    async def one(tablet):
        while not done.is_set():
            data = event_batch(tablet) if target == "events" else body
            try:
                await tablet.c.request(method, path, label, body=data, headers=headers)
            except HTTPError:
                await asyncio.sleep(0.01)

    await asyncio.gather(measure(), *(one(tablet) for tablet in tablets))
    return window


async def run_burst(args, plan, record, until):
    """Tablets signed in and idle on open connections; then, args.rounds times, all of them
    ask for the same lesson page within args.spread_s (each at its own offset, spread
    evenly over every generator process). Records when each page had fully arrived."""
    seats = plan_seats(plan)[args.first : args.first + args.count]
    method, path, label, _ = HAMMER["lesson"]
    tablets = []
    for seat in seats:
        client = Client(args.url, record)
        tablet = Tablet(client, seat[0], seat[1], plan["pictures"], random.Random(seat[1]), think=0)
        tablet.until = until
        tablets.append(tablet)
    await asyncio.gather(*(t.sign_in() for t in tablets))
    await asyncio.gather(*(t.c.request(method, path, label) for t in tablets))  # warm, as a class is
    done = []

    async def one(position, tablet):
        for round_ in range(args.rounds):
            send_at = (
                args.first_round_at
                + round_ * args.round_s
                + args.spread_s * position / max(1, args.all_tablets - 1)
            )
            await asyncio.sleep(max(0.0, send_at - time.time()))
            try:
                response = await tablet.c.request(method, path, label)
                status = response.status
            except HTTPError:
                status = 0
            done.append((round_, time.time(), status))

    await asyncio.gather(*(one(args.first + n, t) for n, t in enumerate(tablets)))
    record.extra = {"burst": done}
    for tablet in tablets:
        await tablet.c.close()


async def _gather(jobs, clients):
    try:
        await asyncio.gather(*jobs)
    finally:
        for client in clients:
            await client.close()


MODES = {"class": run_class, "hammer": run_hammer, "burst": run_burst, "ingest": run_writers}


async def main_async(args):
    plan = json.loads(open(args.plan).read()) if args.plan else None
    record = Recorder()
    loop_start = time.monotonic() + max(0.0, args.start_at - time.time())
    await asyncio.sleep(max(0.0, loop_start - time.monotonic()))
    until = loop_start + args.warmup + args.duration

    async def window():
        if args.mode in ("hammer", "burst"):  # they keep their own time (and end when done)
            return
        record.counting = False
        await asyncio.sleep(args.warmup)
        record.reset()
        record.counting = True
        await asyncio.sleep(args.duration)
        record.counting = False

    mode = MODES[args.mode]
    cpu0 = os.times()
    await asyncio.gather(window(), mode(args, plan, record, until))
    cpu1 = os.times()
    used = (cpu1.user - cpu0.user) + (cpu1.system - cpu0.system)
    return {
        "records": record.to_json(),
        "cpu_s": round(used, 2),
        "wall_s": round(time.monotonic() - loop_start, 2),
        "extra": getattr(record, "extra", {}),
    }


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--plan", help="JSON from bench.prepare")
    parser.add_argument("--mode", choices=sorted(MODES), default="class")
    parser.add_argument("--target", default="lesson", help="hammer: route(s) to repeat, comma-separated")
    parser.add_argument("--first", type=int, default=0)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--warmup", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--flush-s", type=float, default=3.0)
    parser.add_argument("--refresh-s", type=float, default=2.0)
    parser.add_argument("--teachers", type=int, default=1)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument(
        "--pace",
        type=float,
        default=0.0,
        help="ingest: seconds between one writer's batches (0: back to back)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=20, help="burst: how many bursts")
    parser.add_argument("--round-s", type=float, default=1.0, help="burst: seconds between bursts")
    parser.add_argument(
        "--spread-s", type=float, default=0.05, help="burst: every tablet asks within this many seconds"
    )
    parser.add_argument(
        "--first-round-at",
        type=float,
        default=0.0,
        help="burst: wall-clock time (epoch s) of the first burst",
    )
    parser.add_argument("--all-tablets", type=int, default=1, help="burst: tablets in all processes")
    parser.add_argument("--start-at", type=float, default=0.0, help="wall-clock start (epoch s)")
    parser.add_argument("--out", required=True)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    result = asyncio.run(main_async(args))
    with open(args.out, "w") as handle:
        json.dump(result, handle)


def spawn(processes, total, out_prefix, cpus=None, lead_s=0.7, **options):
    """Start `processes` generator processes sharing `total` clients; return them.

    Options become --flags (underscores to dashes). All processes start at the same
    wall-clock moment, lead_s from now (time for an interpreter to start and import),
    so their measuring windows line up.
    """
    start_at = time.time() + lead_s
    teachers = options.pop("teachers", 1)
    procs, outs = [], []
    share, extra = divmod(total, processes)
    first = 0
    for index in range(processes):
        count = share + (1 if index < extra else 0)
        if count == 0:
            continue
        out = f"{out_prefix}.{index}.json"
        argv = [
            sys.executable,
            "-m",
            "bench.loadgen",
            "--first",
            str(first),
            "--count",
            str(count),
            "--start-at",
            str(start_at),
            "--out",
            out,
            "--teachers",
            "1" if index == 0 and teachers else "0",
        ]
        for name, value in options.items():
            if value is not None:
                argv += ["--" + name.replace("_", "-"), str(value)]
        if cpus:
            argv = ["taskset", "-c", cpus, *argv]
        procs.append(subprocess.Popen(argv, cwd=os.path.dirname(os.path.dirname(__file__))))
        outs.append(out)
        first += count
    return procs, outs


def collect(procs, outs, timeout):
    """Wait for the generator processes (bounded) and load their results."""
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    results = []
    for proc, out in zip(procs, outs):
        if proc.returncode != 0:
            raise RuntimeError(f"load generator exited with {proc.returncode} ({out})")
        with open(out) as handle:
            results.append(json.load(handle))
    return results


if __name__ == "__main__":
    main()
