"""One process: a teacher leading a live class and N tablets following it (for bench/run live).

The tablets do what static/learn/live.js does: sign in, then ask GET /api/v1/live?here=1
with the last ETag (If-None-Match) and `wait=1` (the kit holds the ask until the teacher
moves; asked again at once after a held answer, after poll_ms otherwise), post a
`live_page_shown` event within SPREAD_S of showing a new page (live.js spreads them), and
answer a question asked to the room after a short think. `--transport short` polls every
poll_ms without `wait` (the kit with holding off). The teacher signs in, starts the live class, moves it (`--moves`
times, `--gap-s` apart) and asks `--questions` questions, each open `--window-s`, then
closes and reveals it; meanwhile it fetches state.json every second like the teacher's
page. Every tap's time is kept, so each tablet's first sight of the new page gives one
propagation time. Teacher, tablets and clock share one event loop and one monotonic clock.
"""

import argparse
import asyncio
import json
import os
import random
import re
import time
import uuid
from urllib.parse import urlencode

from .httpc import Client, HTTPError
from .stats import Recorder
from .tablet import CSRF, FORM_TYPE, JSON, Tablet

POLL = "GET /api/v1/live (poll)"
SHOWN = "POST /api/v1/events (live page shown)"
# What a tablet asks, by transport: a poll, or live.js's ask the kit holds.
POLL_PATH = {"short": "/api/v1/live?here=1", "long": "/api/v1/live?here=1&wait=1"}
SPREAD_S = 3.0  # live.js's SPREAD_MS: a page-shown event is sent within it


class Room:
    """What the teacher did (tap times per revision) and what the tablets saw."""

    def __init__(self):
        self.taps = {}  # rev a page move produced -> monotonic time of the tap
        self.propagation = []  # ms from a tap to one tablet's first sight of it
        self.last_seen = {}  # tablet index -> highest rev seen
        self.answers = []  # (monotonic time, status)
        self.pending = []  # answers on their way
        self.done = False


def second_connection(client, record, url):
    """A browser's second connection (same cookies): an answer or a state fetch never waits
    behind the poll on the first."""
    other = Client(url, record)
    other.cookies = client.cookies
    return other


async def tablet_loop(index, tablet, room, record, rng, url, transport="long"):
    """Follow the live class until the teacher is done; answer each question once."""
    c, tag, poll_ms, answered, shown = tablet.c, None, 700, set(), None
    sender = Sender(second_connection(c, record, url))  # answers
    events = Sender(second_connection(c, record, url))  # learn.js's queue: one batch at a time
    await asyncio.sleep(rng.uniform(0, 0.7))
    while not room.done:
        headers = {"If-None-Match": tag} if tag else None
        try:
            response = await c.request("GET", POLL_PATH[transport], POLL, headers=headers)
        except HTTPError:
            await asyncio.sleep(1)
            continue
        now = time.monotonic()
        if response.status == 200:
            tag = response.headers.get("etag")
            data = json.loads(response.text)
            poll_ms = data.get("poll_ms", poll_ms)
            live = data.get("live")
            if live:
                _saw(index, live["rev"], now, room)
                if shown is not None and live["step"] != shown:  # the page opened at the first
                    room.pending.append(asyncio.ensure_future(_shown(events, tablet, live, rng)))
                shown = live["step"]
                question = live.get("question")
                if question and question["state"] == "open" and question["no"] not in answered:
                    answered.add(question["no"])
                    room.pending.append(
                        asyncio.ensure_future(_answer(sender, live["id"], question, room, rng))
                    )
        if response.headers.get("x-live-held") != "1":  # held by a long poll: ask again at once
            await asyncio.sleep(poll_ms / 1000)


class Sender:
    """One connection used by one request at a time, as learn.js sends one batch at a time."""

    def __init__(self, client):
        self.client, self.lock = client, asyncio.Lock()


async def _shown(events, tablet, live, rng):
    """The page-shown event live.js queues; learn.js sends it within SPREAD_S."""
    tablet.event(
        "live_page_shown", live["pack_id"], live["lesson_id"], {"live": live["id"], "page": live["step"]}
    )
    await asyncio.sleep(rng.uniform(0, SPREAD_S))
    async with events.lock:  # what queued meanwhile goes in this batch
        if not tablet.queue:
            return
        batch, tablet.queue = tablet.queue, []
        body = json.dumps({"token": tablet.token, "events": batch}).encode()
        try:
            await events.client.request("POST", "/api/v1/events", SHOWN, body=body, headers=JSON)
        except HTTPError:
            pass  # counted as an error by the recorder


def _saw(index, rev, now, room):
    before = room.last_seen.get(index, 0)
    for tapped in range(before + 1, rev + 1):
        if tapped in room.taps:
            room.propagation.append(round((now - room.taps[tapped]) * 1000, 1))
    room.last_seen[index] = max(before, rev)


async def _answer(sender, live_id, question, room, rng):
    await asyncio.sleep(rng.uniform(0.2, 2.0))  # a child reads and taps
    choice = rng.choice(question["choices"])["id"]
    body = json.dumps(
        {"live": live_id, "question": question["no"], "choices": [choice], "uuid": str(uuid.uuid4())}
    )
    async with sender.lock:
        try:
            response = await sender.client.request(
                "POST", "/api/v1/live/answers", "POST /api/v1/live/answers", body=body.encode(), headers=JSON
            )
            room.answers.append((time.monotonic(), response.status))
        except HTTPError:
            room.answers.append((time.monotonic(), 0))


class Teacher:
    """The teacher's phone: sign in, start, move, ask, end."""

    def __init__(self, client, plan, args):
        self.c, self.plan, self.args = client, plan, args
        self.live_id = self.rev = self.csrf = None

    async def sign_in(self):
        page = await self.c.request("GET", "/teach/login", "GET /teach/login")
        form = {"csrf_token": CSRF.search(page.text).group(1), **self.plan["teacher_login"]}
        await self.c.request(
            "POST", "/teach/login", "POST /teach/login", headers=FORM_TYPE, body=urlencode(form).encode()
        )
        page = await self.c.request("GET", "/teach/", "GET /teach/")
        self.csrf = CSRF.search(page.text).group(1)

    async def start(self, room_id, what):
        body = urlencode({"csrf_token": self.csrf, "what": what}).encode()
        answer = await self.c.request(
            "POST",
            f"/teach/classes/{room_id}/live",
            "POST /teach/classes/<id>/live",
            body=body,
            headers=FORM_TYPE,
            follow=False,
        )
        self.live_id = int(re.search(r"/teach/live/(\d+)", answer.headers["location"]).group(1))
        state = await self.c.request(
            "GET", f"/teach/live/{self.live_id}/state.json", "GET /teach/live/<id>/state.json"
        )
        self.rev = json.loads(state.text)["rev"]

    async def act(self, room, do, **fields):
        body = urlencode({"csrf_token": self.csrf, "do": do, "rev": self.rev, **fields}).encode()
        if do in ("goto", "next", "back"):
            room.taps[self.rev + 1] = time.monotonic()
        answer = await self.c.request(
            "POST",
            f"/teach/live/{self.live_id}/act",
            f"POST /teach/live/<id>/act ({do})",
            body=body,
            headers={**FORM_TYPE, "Accept": "application/json"},
        )
        data = json.loads(answer.text)
        self.rev = (data.get("state") or data)["rev"]
        return answer.status

    async def watch(self, room, record):
        """The teacher's page fetches the class's state every second."""
        reader = second_connection(self.c, record, self.args.url)
        while not room.done:
            try:
                await reader.request(
                    "GET", f"/teach/live/{self.live_id}/state.json", "GET /teach/live/<id>/state.json"
                )
            except HTTPError:
                pass
            await asyncio.sleep(1)


async def lead(teacher, room, args, last_step, question_steps):
    """Move `moves` times and ask `questions` questions, spread over the moves."""
    every = max(1, args.moves // max(1, args.questions)) if args.questions else args.moves + 1
    step, asked = 0, 0
    for move in range(args.moves):
        step = step + 1 if step < last_step else 0
        await teacher.act(room, "goto", step=step)
        await asyncio.sleep(args.gap_s)
        if asked < args.questions and (move + 1) % every == 0:
            step = question_steps[asked % len(question_steps)]
            await teacher.act(room, "goto", step=step)
            await teacher.act(room, "ask")
            await asyncio.sleep(args.window_s)
            await teacher.act(room, "close")
            await teacher.act(room, "reveal")
            asked += 1
    await asyncio.sleep(args.gap_s)


async def main_async(args):
    plan = json.loads(open(args.plan).read())
    record, room, rng = Recorder(), Room(), random.Random(args.seed)
    teacher = Teacher(Client(args.url, record), plan, args)
    await teacher.sign_in()
    await teacher.start(plan["live_class"], plan["lesson"])
    tablets = []
    for learner in plan["learners"][: args.tablets]:
        tablet = Tablet(
            Client(args.url, record),
            plan["live_class"],
            learner,
            plan["pictures"],
            random.Random(rng.random()),
            think=0,
        )
        tablet.until = time.monotonic() + 3600
        await tablet.sign_in()
        tablets.append(tablet)
    record.reset()  # sign-ins are not the live class
    cpu0, started = os.times(), time.monotonic()
    loops = [
        tablet_loop(i, t, room, record, random.Random(rng.random()), args.url, args.transport)
        for i, t in enumerate(tablets)
    ]
    watcher = asyncio.ensure_future(teacher.watch(room, record))
    following = asyncio.gather(*loops)
    await asyncio.sleep(2)  # every tablet has joined
    await lead(teacher, room, args, plan["last_step"], plan["question_steps"])
    room.done = True
    lead_s = time.monotonic() - started
    if args.transport == "long":  # held requests end with the class, not 20 s later
        end = await _end(teacher, room)
    await asyncio.wait_for(following, 30)
    await asyncio.wait_for(watcher, 5)
    if args.transport != "long":
        end = await _end(teacher, room)
    seconds = time.monotonic() - started
    cpu1 = os.times()
    final = max(room.taps) if room.taps else 0
    return {
        "records": record.to_json(),
        "propagation_ms": room.propagation,
        "moves": len(room.taps),
        "tablets": len(tablets),
        "left_behind": sum(1 for i in range(len(tablets)) if room.last_seen.get(i, 0) < final),
        "answers": room.answers,
        "seconds": round(seconds, 1),
        "lead_s": round(lead_s, 1),
        "ended": end.status,
        "cpu_s": round((cpu1.user - cpu0.user) + (cpu1.system - cpu0.system), 2),
    }


async def _end(teacher, room):
    """Let the answers on their way arrive, then end the live class."""
    if room.pending:
        await asyncio.wait_for(asyncio.gather(*room.pending), 30)
    return await teacher.c.request(
        "POST",
        f"/teach/live/{teacher.live_id}/end",
        "POST /teach/live/<id>/end",
        body=urlencode({"csrf_token": teacher.csrf}).encode(),
        headers=FORM_TYPE,
        follow=False,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True)
    parser.add_argument("--plan", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--tablets", type=int, default=60)
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--questions", type=int, default=5)
    parser.add_argument("--gap-s", type=float, default=1.5)
    parser.add_argument("--window-s", type=float, default=4.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--transport", choices=sorted(POLL_PATH), default="long")
    args = parser.parse_args(argv)
    result = asyncio.run(main_async(args))
    with open(args.out, "w") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
