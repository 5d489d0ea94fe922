"""`kit serve` plus a long-poll route, for bench.live_transport only (the kit does not ship it).

GET /api/v1/live/wait answers like GET /api/v1/live, except that while the tablet's ETag
is still current it holds the request (up to WAIT_S) until the live class changes, so
the tablet learns of a move as soon as the kit does instead of at its next poll. Each
held request keeps one of waitress's threads, so a worker holds at most `--budget` of
them at once (a bounded thread budget); a request over the budget is answered at once,
as a short poll is, and its tablet asks again after poll_ms. The answer says
`X-Live-Held: 1` when it was held, and the tablet then asks again at once.

One thread per worker notices changes: while anyone waits it reads the running classes'
revisions every CHECK_S (one indexed query) and wakes the waiters when they change. A
change made by another worker is seen the same way, through SQLite.

Run: python -m bench.live_longpoll --port P --threads T --budget B (KIT_DATA set).
"""

import argparse
import threading
import time

from flask import request

from kit import server as kit_server
from kit.api.live import _learner, state_response
from kit.db import database
from kit.live import room

WAIT_S = 20.0
CHECK_S = 0.05
_VERSION_SQL = "SELECT group_concat(id || ':' || rev) FROM live_class WHERE ended_at IS NULL"


class Watch:
    """This worker's held requests: the budget, and the change they wait for."""

    def __init__(self, budget):
        self.slots = threading.BoundedSemaphore(budget)
        self.changed = threading.Condition()
        self.version, self.waiting, self.thread = None, 0, None

    def mark(self):
        with self.changed:
            return self.version

    def wait_past(self, version, deadline):
        """Sleep until the classes' version differs from `version` or the deadline passes."""
        with self.changed:
            self.waiting += 1
            if self.thread is None:
                self.thread = threading.Thread(target=self._watch, name="live-watch", daemon=True)
                self.thread.start()
            self.changed.notify_all()
            try:
                while self.version == version and time.monotonic() < deadline:
                    self.changed.wait(max(0.0, deadline - time.monotonic()))
            finally:
                self.waiting -= 1

    def _watch(self):
        database.connect(reuse_if_open=True)
        while True:
            with self.changed:
                while not self.waiting:
                    self.changed.wait()
            version = database.execute_sql(_VERSION_SQL).fetchone()[0]
            with self.changed:
                if version != self.version:
                    self.version = version
                    self.changed.notify_all()
            time.sleep(CHECK_S)


def add_route(app, budget):
    """Register GET /api/v1/live/wait on the kit's app, with this worker's budget."""
    watch = Watch(budget)

    def live_wait():
        learner = _learner()
        version = watch.mark()
        live = room.learner_live(learner, here=request.args.get("here") == "1")
        tag, held = room.etag(live), False
        if live is not None and request.if_none_match.contains(tag) and watch.slots.acquire(blocking=False):
            held = True
            try:
                deadline = time.monotonic() + WAIT_S
                while request.if_none_match.contains(tag) and time.monotonic() < deadline:
                    watch.wait_past(version, deadline)
                    version = watch.mark()
                    live = room.learner_live(learner)
                    tag = room.etag(live)
            finally:
                watch.slots.release()
        response = state_response(live, tag)
        response.headers["X-Live-Held"] = "1" if held else "0"
        return response

    app.add_url_rule("/api/v1/live/wait", "bench_live_wait", live_wait)
    return app


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--budget", type=int, default=4, help="held requests per worker at most")
    args = parser.parse_args(argv)
    real = kit_server.create_app
    kit_server.create_app = lambda *a, **kw: add_route(real(*a, **kw), args.budget)
    kit_server.serve(host="127.0.0.1", port=args.port, threads=args.threads, workers=args.workers)


if __name__ == "__main__":
    main()
