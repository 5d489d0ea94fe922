"""What one simulated tablet (and one teacher) does, request by request, like learn.js.

A tablet signs in (class list, names, tap a name, pictures when it has a password),
opens its lessons page, then plays assigned lessons: the lesson page, its images and a
first range of its audio/video, page_viewed events, every quiz question checked through
/api/v1/answers, the result with /api/v1/progress. Events are queued and posted as a
batch every `flush_s` seconds and at the end of each lesson, as learn.js does on a slow
link. A teacher signs in at /teach and refreshes the class grid every `refresh_s`.
"""

import asyncio
import datetime as dt
import html
import json
import re
import time
import uuid

from .httpc import HTTPError

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TOKEN = re.compile(r'data-token="([^"]+)"')
LESSON_LINK = re.compile(r'href="(/lesson/[^"/?]+/[^"/?]+)"')
MEDIA = re.compile(r'src="(/media/[^"]+)"')
STATIC = re.compile(r'(?:src|href)="(/static/[^"]+)"')
FORM = re.compile(r'<form class="question"[^>]*data-qid="([^"]+)" data-type="([^"]+)"(.*?)</form>', re.S)
CHOICE = re.compile(r'name="response" value="([^"]+)"')
ATTEMPT = re.compile(r'data-attempt="(\d+)"')
JSON = {"Content-Type": "application/json"}
FORM_TYPE = {"Content-Type": "application/x-www-form-urlencoded"}


def _form(fields):
    from urllib.parse import urlencode

    return urlencode(fields, doseq=True).encode()


def _label(path):
    """Group a concrete path under its route, e.g. /lesson/<pack>/<lesson>."""
    if path.startswith("/media/"):
        return "GET /media/*"
    if path.startswith("/static/"):
        return "GET /static/*"
    if path.startswith("/lesson/"):
        return "GET /lesson/<pack>/<lesson>"
    return "GET " + re.sub(r"/\d+", "/<id>", path)


class Deadline(Exception):
    """The run is over: the tablet stops at its next pause."""


class Tablet:
    """One learner on one tablet; `run(until)` plays lessons until the monotonic deadline."""

    def __init__(self, client, classroom, learner_id, pictures, rng, think=1.0, flush_s=3.0):
        self.c = client
        self.classroom, self.learner_id, self.pictures = classroom, learner_id, pictures
        self.rng, self.think, self.flush_s = rng, think, flush_s
        self.boot = uuid.uuid4().hex
        self.queue, self.token, self.last_flush = [], None, time.monotonic()
        self.static_done = False
        self.until = 0.0

    async def pause(self, scale=1.0):
        """Think: a uniform 0.5x-1.5x of the think time; stop the tablet past its deadline."""
        if time.monotonic() >= self.until:
            raise Deadline()
        if self.think:
            await asyncio.sleep(self.think * scale * self.rng.uniform(0.5, 1.5))

    async def get(self, path, headers=None):
        return await self.c.request("GET", path, _label(path), headers=headers)

    async def run(self, until, ramp=0.0):
        """Wait a random part of `ramp`, then sign in, play, sign out; until the deadline."""
        self.until = until
        await asyncio.sleep(self.rng.uniform(0, ramp))
        try:
            await self._loop(until)
        except Deadline:
            pass

    async def _loop(self, until):
        while time.monotonic() < until:
            try:
                lessons = await self.sign_in()
                for path in self.rng.sample(lessons, min(2, len(lessons))):
                    if time.monotonic() >= until:
                        break
                    await self.play(path)
                await self.flush()
                await self.c.request(
                    "POST",
                    "/signout",
                    "POST /signout",
                    headers=FORM_TYPE,
                    body=_form({"csrf_token": self.csrf}),
                )
            except HTTPError:
                await self.pause()  # counted as an error already; carry on like a tablet

    async def sign_in(self):
        """Class list, names, tap a name (and pictures); return the assigned lesson paths."""
        await self.get("/")
        page = await self.get(f"/class/{self.classroom}")
        csrf = CSRF.search(page.text).group(1)
        await self.pause()
        answer = await self.c.request(
            "POST",
            "/signin",
            "POST /signin",
            headers=FORM_TYPE,
            body=_form({"csrf_token": csrf, "learner_id": self.learner_id}),
        )
        if "/signin/" in answer.url:
            csrf = CSRF.search(answer.text).group(1)
            await self.pause()
            answer = await self.c.request(
                "POST",
                answer.url,
                "POST /signin/<id> (pictures)",
                headers=FORM_TYPE,
                body=_form({"csrf_token": csrf, "picture": self.pictures}),
            )
        text = answer.text
        found = TOKEN.search(text)
        if answer.status != 200 or not found:
            raise HTTPError(
                f"sign-in of learner {self.learner_id} ended at {answer.url} with {answer.status}"
            )
        self.token = html.unescape(found.group(1))
        self.csrf = CSRF.search(text).group(1)  # the page's sign-out form
        if not self.static_done:  # a browser fetches these once, then caches them
            for path in dict.fromkeys(STATIC.findall(text)):
                await self.get(path)
            self.static_done = True
        return list(dict.fromkeys(LESSON_LINK.findall(text)))

    def event(self, kind, pack, lesson, payload=None):
        self.queue.append(
            {
                "uuid": str(uuid.uuid4()),
                "kind": kind,
                "pack_id": pack,
                "lesson_id": lesson,
                "device_time": dt.datetime.now(dt.UTC).isoformat(),
                "boot_id": self.boot,
                "mono_ms": int(time.monotonic() * 1000),
                "payload": payload or {},
            }
        )

    async def maybe_flush(self, force=False):
        if self.queue and (force or time.monotonic() - self.last_flush >= self.flush_s):
            await self.flush()

    async def flush(self):
        """Post the queued events as one batch, as learn.js does."""
        self.last_flush = time.monotonic()
        if not self.queue:
            return
        batch, self.queue = self.queue, []
        body = json.dumps({"token": self.token, "events": batch}).encode()
        await self.c.request("POST", "/api/v1/events", "POST /api/v1/events", body=body, headers=JSON)

    async def play(self, path):
        """One lesson: page and media, page views, each question checked, the result."""
        _, _, pack, lesson = path.split("/")
        page = await self.get(path)
        text = page.text
        attempt = int((ATTEMPT.search(text) or [0, 1])[1])
        for media in dict.fromkeys(MEDIA.findall(text)):
            ranged = media.rsplit(".", 1)[-1] in ("ogg", "mp3", "webm", "mp4", "m4a", "opus")
            await self.c.request(
                "GET",
                media,
                "GET /media/* (range)" if ranged else "GET /media/*",
                headers={"Range": "bytes=0-65535"} if ranged else None,
            )
        self.event("lesson_opened", pack, lesson)
        pages = int(re.search(r'data-pages="(\d+)"', text).group(1))
        for number in range(pages):
            self.event("page_viewed", pack, lesson, {"page": number})
            await self.pause(2)
            await self.maybe_flush()
        for qid, kind, body in FORM.findall(text):
            await self.answer(pack, lesson, qid, kind, CHOICE.findall(body), attempt)
            await self.maybe_flush()
        if FORM.search(text):
            self.event("quiz_finished", pack, lesson, {"attempt": attempt})
        self.event("lesson_completed", pack, lesson)
        self.event("time_spent", pack, lesson, {"seconds": self.rng.randint(30, 300)})
        await self.flush()
        await self.c.request("GET", "/api/v1/progress", "GET /api/v1/progress")

    async def answer(self, pack, lesson, qid, kind, choices, attempt):
        """Check one answer for instant feedback, then queue its event."""
        if kind == "multiple":
            response = self.rng.sample(choices, min(2, len(choices)))
        elif choices:
            response = self.rng.choice(choices)
        elif kind == "numeric":
            response = str(self.rng.randint(0, 20))
        else:
            response = self.rng.choice(["tap", "ten", "water", "hold"])
        await self.pause()
        body = json.dumps(
            {"pack_id": pack, "lesson_id": lesson, "question_id": qid, "response": response}
        ).encode()
        await self.c.request("POST", "/api/v1/answers", "POST /api/v1/answers", body=body, headers=JSON)
        self.event("answer", pack, lesson, {"question_id": qid, "response": response, "attempt": attempt})


async def teacher(client, classroom, username, password, until, refresh_s=2.0):
    """Sign a teacher in, then refresh a class's grid JSON every refresh_s until the deadline."""
    page = await client.request("GET", "/teach/login", "GET /teach/login")
    csrf = CSRF.search(page.text).group(1)
    await client.request(
        "POST",
        "/teach/login",
        "POST /teach/login",
        headers=FORM_TYPE,
        body=_form({"csrf_token": csrf, "username": username, "password": password}),
    )
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            await client.request(
                "GET", f"/teach/classes/{classroom}/grid.json", "GET /teach/classes/<id>/grid.json"
            )
        except HTTPError:
            pass
        await asyncio.sleep(max(0.0, refresh_s - (time.monotonic() - started)))


def plan_seats(plan):
    """Flatten the plan into [(class id, learner id)], class by class."""
    return [(room["id"], learner) for room in plan["classes"] for learner in room["learners"]]
