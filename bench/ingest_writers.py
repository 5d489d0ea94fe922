"""The ingest bench's writers: the `ingest` mode of bench.loadgen, run in its processes.

Each writer signs in as its own learner, reads the lesson's questions, then posts batches
of realistic events (every third one twice, as a tablet does after a lost answer) and
writes the UUIDs the kit acknowledged to a file for bench.ingest's proof.
"""

import asyncio
import json
import random
import time
import uuid

from .httpc import Client, HTTPError
from .tablet import CHOICE, FORM, JSON, Tablet, plan_seats

LESSON = ("first-steps", "01-touch")


def make_batch(rng, size, boot, questions):
    """Return `size` valid events of one lesson in a realistic mix."""
    events = []
    for _ in range(size):
        roll = rng.random()
        if roll < 0.1 and questions:
            qid, choices = rng.choice(questions)
            kind, payload = (
                "answer",
                {"question_id": qid, "attempt": 1, "response": rng.choice(choices) if choices else "3"},
            )
        elif roll < 0.2:
            kind, payload = "lesson_opened", {}
        elif roll < 0.4:
            kind, payload = "time_spent", {"seconds": rng.randint(1, 120)}
        else:
            kind, payload = "page_viewed", {"page": rng.randint(0, 2)}
        events.append(
            {
                "uuid": str(uuid.uuid4()),
                "kind": kind,
                "pack_id": LESSON[0],
                "lesson_id": LESSON[1],
                "device_time": "2026-03-01T09:30:00.000Z",
                "boot_id": boot,
                "mono_ms": int(time.monotonic() * 1000),
                "payload": payload,
            }
        )
    return events


async def writer(client, seat, plan, args, record, until, sent):
    """Sign in, read the lesson's questions, then post batches until the deadline."""
    tablet = Tablet(client, seat[0], seat[1], plan["pictures"], random.Random(seat[1]), think=0)
    tablet.until = until + 600  # signing in is not bounded by the run (a busy machine is slow)
    await tablet.sign_in()
    page = await client.request("GET", "/lesson/{}/{}".format(*LESSON), "GET /lesson/<pack>/<lesson>")
    questions = [
        (q, [c for c in CHOICE.findall(body)])
        for q, kind, body in FORM.findall(page.text)
        if kind == "single"
    ]
    rng, number = random.Random(seat[1] * 7), 0
    # Paced: one batch every `pace` seconds, writers spread over the first period.
    next_at = time.monotonic() + rng.uniform(0, args.pace)
    while number == 0 or time.monotonic() < until:  # at least one batch, however late
        if args.pace:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            next_at += args.pace
        number += 1
        batch = make_batch(rng, args.batch, tablet.boot, questions)
        for attempt in range(2 if number % 3 == 0 else 1):
            body = json.dumps({"token": tablet.token, "events": batch}).encode()
            try:
                answer = await client.request(
                    "POST", "/api/v1/events", "POST /api/v1/events", body=body, headers=JSON
                )
            except HTTPError:
                break
            if answer.status == 200:
                counts = json.loads(answer.body)
                _tally(record, counts, attempt, len(batch))
                if attempt == 0:
                    sent.extend(e["uuid"] for e in batch)


def _tally(record, counts, attempt, size):
    extra = record.extra
    key = "resend" if attempt else "first"
    extra[f"{key}_accepted"] = extra.get(f"{key}_accepted", 0) + counts["accepted"]
    extra[f"{key}_duplicate"] = extra.get(f"{key}_duplicate", 0) + counts["duplicate"]
    if record.counting and attempt == 0:
        extra["window_accepted"] = extra.get("window_accepted", 0) + counts["accepted"]


async def run_writers(args, plan, record, until):
    """The ingest mode of bench.loadgen: writers args.first..first+count."""
    record.extra = {}
    seats = plan_seats(plan)[args.first : args.first + args.count]
    sent, clients = [], [Client(args.url, record) for _ in seats]
    await asyncio.gather(*(writer(c, s, plan, args, record, until, sent) for c, s in zip(clients, seats)))
    for client in clients:
        await client.close()
    with open(args.out + ".uuids", "w") as handle:
        handle.write("\n".join(sent))
    record.extra["uuids_file"] = args.out + ".uuids"
