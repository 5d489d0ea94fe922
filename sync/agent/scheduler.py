"""Run the agent on a schedule: inside `kit serve` (a background thread) or standalone.

APScheduler runs two jobs on one worker: the sync cycle every ``sync_interval_s`` and
a one-second check of the poke file. A lock file makes sure only one agent per data
folder runs a cycle at a time, whichever process it lives in.
"""

import datetime as dt
import fcntl
import logging
import os

from apscheduler.executors.pool import ThreadPoolExecutor

from kit.db import database

from .agent import record_crash, run_once
from .poke import poke_stamp, sync_folder

logger = logging.getLogger(__name__)


class AgentLock:
    """An exclusive, non-blocking lock on DATA/sync/agent.lock (released if the process dies)."""

    def __init__(self, data):
        folder = sync_folder(data)
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "agent.lock"
        self.fd = None

    def acquire(self):
        # Read-only is enough for flock, and still works if root made the file first.
        fd = os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self):
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def run_locked(config, force=False):
    """Run one cycle unless another agent is in one; return its result line or None."""
    lock = AgentLock(config["data"])
    if not lock.acquire():
        return None
    try:
        return run_once(config, force=force)
    except Exception as exc:  # the scheduler thread must survive anything one cycle does
        logger.exception("sync cycle crashed")
        _record_crash(config, exc)
        return "crashed"
    finally:
        lock.release()
        if not database.is_closed():
            database.close()


def _record_crash(config, exc):
    """Put the crash in the state row for the status page; a database too broken for that is logged."""
    try:
        record_crash(config, exc)
    except Exception:  # the thread must survive this too
        logger.exception("could not record the crash in the sync state")


class Agent:
    """The schedule: a periodic cycle, plus an immediate one when poked."""

    def __init__(self, config, scheduler_class):
        self.config = config
        self.seen_poke = poke_stamp(config["data"])
        self.scheduler = scheduler_class(
            executors={"default": ThreadPoolExecutor(1)}, job_defaults={"coalesce": True, "max_instances": 1}
        )
        now = dt.datetime.now().astimezone()
        self.scheduler.add_job(
            self.tick,
            "interval",
            seconds=max(1, config["sync_interval_s"]),
            id="sync",
            next_run_time=now + dt.timedelta(seconds=1),
        )
        self.scheduler.add_job(self.watch, "interval", seconds=1, id="poke")

    def tick(self):
        result = run_locked(self.config)
        if result and result != "not enrolled":
            logger.info("sync: %s", result)

    def watch(self):
        stamp = poke_stamp(self.config["data"])
        if stamp != self.seen_poke:
            self.seen_poke = stamp
            logger.info("sync: poked")
            logger.info("sync: %s", run_locked(self.config, force=True))

    def start(self):
        self.scheduler.start()
        return self

    def stop(self):
        self.scheduler.shutdown(wait=False)


def start_background(config):
    """Start the agent in a daemon thread of this process (used by `kit serve`)."""
    from apscheduler.schedulers.background import BackgroundScheduler  # deferred: +51 modules, 2.8 MB

    return Agent(config, lambda **kw: BackgroundScheduler(daemon=True, **kw)).start()


def run_foreground(config):
    """Run the agent until interrupted (`kit sync agent`, for its own systemd unit)."""
    from apscheduler.schedulers.blocking import BlockingScheduler  # deferred: as BackgroundScheduler

    agent = Agent(config, BlockingScheduler)
    try:
        agent.start()
    except (KeyboardInterrupt, SystemExit):
        pass
