"""A tablet's live poll held until the teacher moves: a long poll with a bounded thread budget.

A short poll (a 304 every 0.7 s) brought the page to tablets in 670 ms at p95 and cost 85
requests a second for 60 tablets; holding the poll until the class changes brought it in
81 ms with half the requests and less CPU (docs/performance.md, "Which transport"). A
held request keeps one of waitress's threads, so each worker holds at most
`live_hold_threads` of them, threads added to waitress's own for that purpose: a tablet
over the budget is answered at once and asks again after `poll_ms`, as before. The
threads come with the held asks (`on_held`, waitress's set_thread_count) and go once no
ask has been held for SHRINK_S: outside a live class the other requests have exactly
`threads`, the concurrency the serving model was measured at (docs/performance.md,
"Workers x threads"), and during one the 60 asks re-made after each move find their
threads still there instead of starting them again.

A move wakes every held ask at once; each then waits a random moment before it reads the
class and answers, so sixty answers and sixty new asks do not reach the worker in the same
few milliseconds, in front of other learners' requests. The moments span WAKE_SPREAD_S, or
longer when the worker holds more asks than WAKES_PER_S would answer in it (up to
WAKE_SPREAD_MAX_S): one worker holding all 60 tablets, woken within 0.4 s, doubled the
other learners' p95; woken over 0.8 s, they stayed within -7 to +3 % (bench/run live,
docs/performance.md, "Live class").

One thread per worker notices changes: while anyone waits it reads the running classes'
version every CHECK_S (one small query) and wakes the waiters when it changes. A change
made in another worker is seen the same way, through SQLite. The same thread notes the
held tablets as present every presence.FLUSH_S: a tablet holding a request is here,
though it asks less often than a polling one. On SIGTERM, `release_all` answers every
held request at once so the worker's drain is not kept waiting for them.
"""

import logging
import os
import random
import threading
import time

from peewee import DatabaseError

from ..db import database
from . import presence

logger = logging.getLogger(__name__)

CHECK_S = 0.05
SHRINK_S = 10.0
WAKE_SPREAD_S = 0.4
WAKES_PER_S = 75  # 30 held asks over 0.4 s: what one worker of two answers as shipped
WAKE_SPREAD_MAX_S = 1.0  # a tablet still sees a move within about a second
# The running classes, their revisions, and their raised hands (a teacher lowering a hand
# changes no revision, but that learner's answer must change).
_VERSION_SQL = (
    "SELECT group_concat(c.id || ':' || c.rev || ':' || (SELECT count(*) || '/' || total(m.hand_at)"
    " FROM live_member m WHERE m.live_id = c.id AND m.hand_up)) FROM live_class c WHERE c.ended_at IS NULL"
)


class _Watch:
    """This worker's held requests: the budget, who waits, and the version they wait past."""

    def __init__(self):
        self._reset()
        os.register_at_fork(after_in_child=self._reset)

    def _reset(self):
        # Two conditions on one lock: held asks wait for `changed`, the watcher for `wanted`.
        # Waking the watcher for each new ask through `changed` woke every held ask too
        # (60 re-asks after a move, each waking 60 threads to find nothing new).
        lock = threading.Lock()
        self.changed, self.wanted = threading.Condition(lock), threading.Condition(lock)
        self.version, self.thread, self.stopping = None, None, False
        self.held, self.extra = 0, 0  # asks held now; threads added for them
        self.on_held = None  # called with the threads to add (kit.server)
        self.waiters = {}  # (live id, learner id) -> requests held for that tablet


_watch = _Watch()


def hold_once(budget):
    """Take one of this worker's `budget` held requests, or say False: answer at once."""
    with _watch.changed:
        if _watch.stopping or _watch.held >= budget:
            return False
        _watch.held += 1
        if _watch.held > _watch.extra:
            _watch.extra = _watch.held
            if _watch.on_held is not None:
                _watch.on_held(_watch.extra)
        return True


def version():
    """The version this worker last read (None before its watcher first ran)."""
    with _watch.changed:
        return _watch.version


def wait_past(seen, deadline, tablet):
    """Sleep until the classes' version differs from `seen`, the deadline passes or we stop.

    `tablet` is (live id, learner id), noted as present while it waits. The caller took a
    slot with hold_once and gives it back with done(). Woken by a change, it waits a
    random moment up to `_spread()` more (the module's docstring says why).
    """
    with _watch.changed:
        _watch.waiters[tablet] = _watch.waiters.get(tablet, 0) + 1
        if _watch.thread is None:
            _watch.thread = threading.Thread(target=_watcher, name="live-hold", daemon=True)
            _watch.thread.start()
        _watch.wanted.notify()
        try:
            while _watch.version == seen and not _watch.stopping:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                _watch.changed.wait(left)
        finally:
            _watch.waiters[tablet] -= 1
            if not _watch.waiters[tablet]:
                del _watch.waiters[tablet]
        woken = _watch.version != seen and not _watch.stopping
        spread = _spread(_watch.held)
    if woken:
        time.sleep(min(random.uniform(0, spread), max(0.0, deadline - time.monotonic())))


def _spread(held):
    """Seconds over which `held` woken asks answer: WAKE_SPREAD_S, longer for many."""
    return min(WAKE_SPREAD_MAX_S, max(WAKE_SPREAD_S, held / WAKES_PER_S))


def done():
    """Give back the slot hold_once took."""
    with _watch.changed:
        _watch.held -= 1


def add_threads_while_held(on_held):
    """Have `on_held(n)` called with the threads to add for held asks when that changes."""
    with _watch.changed:
        _watch.on_held = on_held


def stopping():
    """True once release_all ran: the worker is draining, nothing more is held."""
    return _watch.stopping


def release_all():
    """Answer every held request now (SIGTERM): the worker may stop within its grace."""
    with _watch.changed:
        _watch.stopping = True
        _watch.changed.notify_all()
        _watch.wanted.notify()


def _watcher():
    database.connect(reuse_if_open=True)
    noted = time.monotonic()
    while True:
        with _watch.changed:
            while not _watch.waiters and not _watch.stopping:
                if not _watch.wanted.wait(SHRINK_S) and _watch.extra > _watch.held:
                    _watch.extra = _watch.held  # nothing held for SHRINK_S: give threads back
                    if _watch.on_held is not None:
                        _watch.on_held(_watch.extra)
            if _watch.stopping:
                return
            tablets = list(_watch.waiters)
        try:
            current = database.execute_sql(_VERSION_SQL).fetchone()[0]
        except DatabaseError as exc:  # the held requests end at their deadline, as polls
            logger.warning("could not read the live classes' version: %s", exc)
            time.sleep(1)
            continue
        with _watch.changed:
            if current != _watch.version:
                _watch.version = current
                _watch.changed.notify_all()
        if time.monotonic() - noted >= presence.FLUSH_S:
            noted = time.monotonic()
            now = int(time.time())
            for live_id, learner_id in tablets:
                presence.seen(live_id, learner_id, now)
        time.sleep(CHECK_S)
