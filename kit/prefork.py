"""Serve from pre-forked worker processes on one listening socket, each on its own CPU.

Why processes, and why pinned: the threads of one interpreter hand its lock to each
other on every SQLite call and socket write, and when those threads run on different
CPUs each hand-off is a cross-CPU wake-up. On a 2-core Xeon VM that made the kit serve
35 lesson pages/s; the same kit pinned to one CPU served 1,887 (issue 13). One process
per CPU keeps every hand-off on one core and lets the cores work side by side. The
numbers are in docs/performance.md, the reasoning in docs/architecture.md.

The parent binds the socket, forks the workers and otherwise only supervises: it
replaces a worker that dies, stops them all on SIGTERM or SIGINT, and under systemd
pings the watchdog after a real /healthz answer (systemd supervises the parent). It
starts no thread, so a fork never copies a lock that another thread held.
"""

import ctypes
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback

from . import systemd

logger = logging.getLogger(__name__)

# A worker that dies this soon after its start counts as a failed start: the next one
# waits longer (0.5 s, doubling, at most MAX_BACKOFF_S) so a crash loop does not spin.
QUICK_DEATH_S = 5.0
MAX_BACKOFF_S = 30.0
TICK_S = 0.2
PR_SET_PDEATHSIG = 1  # prctl(2)


def cpus():
    """Return the CPUs this process may run on, in order."""
    return sorted(os.sched_getaffinity(0))


def pin(index, allowed=None):
    """Pin the calling process to one CPU (worker `index` takes the index-th, round robin).

    Returns the CPU, or None where pinning is refused (a seccomp filter without
    sched_setaffinity): the kit then serves unpinned, slower but whole.
    """
    allowed = allowed or cpus()
    cpu = allowed[index % len(allowed)]
    try:
        os.sched_setaffinity(0, {cpu})
    except OSError as exc:
        logger.warning("could not pin worker %d to CPU %d (%s); serving unpinned", index, cpu, exc)
        return None
    return cpu


def mem_total_bytes():
    """Return the machine's RAM from /proc/meminfo (None where there is none)."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def auto_workers(per_worker_bytes, cores=None, mem_bytes=None):
    """One worker per CPU we may use, but no more than half the RAM holds at the budget."""
    cores = len(cpus()) if cores is None else cores
    mem_bytes = mem_total_bytes() if mem_bytes is None else mem_bytes
    if not mem_bytes:
        return max(1, cores)
    return max(1, min(cores, int(mem_bytes // 2 // per_worker_bytes)))


def listen(host, port, backlog=1024):
    """Bind and listen on host:port (IPv4 or IPv6) for the workers to share."""
    family, kind, proto, _name, address = socket.getaddrinfo(
        host or None, port, 0, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)
    sock.listen(backlog)
    sock.setblocking(False)
    return sock


def drain_on_sigterm(server, grace_s=10.0, on_stop=None):
    """Make SIGTERM stop a waitress server gently: stop accepting, finish what is in hand.

    The first SIGTERM stops this process accepting (the listening socket stays open in
    the others); once no request is being received, queued, run or written, or after
    `grace_s`, the server's loop ends and the process exits. Idle keep-alive connections
    do not hold it up. Without this, Python's default SIGTERM ends the process at once,
    cutting answers (an event batch's acknowledgement) in half. `on_stop` runs at the
    first SIGTERM: it lets requests that wait on purpose (a held live poll) answer now.
    """
    deadline = []

    def idle():
        tasks = server.task_dispatcher
        if tasks.active_count or tasks.queue:
            return False
        return not any(
            getattr(ch, "request", None)
            or getattr(ch, "requests", None)
            or getattr(ch, "total_outbufs_len", 0)
            for ch in list(server._map.values())
        )

    def wait_then_again():
        while not idle() and time.monotonic() < deadline[0]:
            time.sleep(0.05)
        os.kill(os.getpid(), signal.SIGTERM)

    def on_term(_signum, _frame):
        if not deadline:
            deadline.append(time.monotonic() + grace_s)
            server.accepting = False
            if on_stop is not None:
                on_stop()
            if not idle():
                threading.Thread(target=wait_then_again, name="drain", daemon=True).start()
                return
        if idle() or time.monotonic() >= deadline[0]:
            raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)


class Supervisor:
    """Fork `workers` processes running `work(index)`; keep them running until told to stop.

    `work` runs in the child and returns its exit status (it never returns into the
    parent's code: the child always ends with os._exit). `health_url` is what the
    systemd watchdog probes before each ping.
    """

    def __init__(self, workers, work, health_url=None, stop_timeout_s=15.0, name="worker"):
        self.workers, self.work, self.health_url = workers, work, health_url
        self.stop_timeout_s, self.name = stop_timeout_s, name
        self.pids = {}  # pid -> slot
        self.started = {}  # slot -> monotonic start time
        self.failures = {}  # slot -> quick deaths in a row
        self.due = {}  # slot -> when to start its replacement
        self.stopping = False

    def run(self):
        """Start every worker and supervise them; return 0 after a clean stop."""
        signal.signal(signal.SIGTERM, self._stop)
        signal.signal(signal.SIGINT, self._stop)
        for slot in range(self.workers):
            self._spawn(slot)
        interval = systemd.watchdog_interval()
        next_ping = time.monotonic() + (interval or 0)
        while not self.stopping:
            self._reap()
            now = time.monotonic()
            for slot, when in list(self.due.items()):
                if now >= when:
                    del self.due[slot]
                    self._spawn(slot)
            if interval and now >= next_ping and self.health_url:
                if systemd.probe(self.health_url, timeout=max(1.0, interval * 0.8)):
                    systemd.notify("WATCHDOG=1")
                next_ping = time.monotonic() + interval
            time.sleep(TICK_S)
        self._stop_all()
        return 0

    def _stop(self, _signum, _frame):
        self.stopping = True

    def _spawn(self, slot):
        sys.stdout.flush()
        sys.stderr.flush()
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            self._child(slot, parent)  # never returns
        self.pids[pid] = slot
        self.started[slot] = time.monotonic()
        logger.info("%s %d started (pid %d)", self.name, slot, pid)

    def _child(self, slot, parent):
        status = 1
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides; it sends SIGTERM
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _die_with(parent)
            status = self.work(slot) or 0
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 0
        except BaseException:  # noqa: BLE001 - the child must end here, whatever happened
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)

    def _reap(self):
        while self.pids:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            slot = self.pids.pop(pid, None)
            if slot is None or self.stopping:
                continue
            lived = time.monotonic() - self.started.get(slot, 0)
            self.failures[slot] = self.failures.get(slot, 0) + 1 if lived < QUICK_DEATH_S else 0
            wait = min(MAX_BACKOFF_S, 0.5 * 2 ** (self.failures[slot] - 1)) if self.failures[slot] else 0.0
            logger.warning(
                "%s %d (pid %d) %s after %.1f s; starting another in %.1f s",
                self.name,
                slot,
                pid,
                _describe(status),
                lived,
                wait,
            )
            self.due[slot] = time.monotonic() + wait

    def _stop_all(self):
        for pid in self.pids:
            _signal(pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout_s
        while self.pids and time.monotonic() < deadline:
            self._reap()
            time.sleep(0.05)
        for pid in self.pids:
            logger.warning("%s pid %d did not stop in %.0f s: killed", self.name, pid, self.stop_timeout_s)
            _signal(pid, signal.SIGKILL)
        for pid in list(self.pids):
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
        self.pids.clear()


def _die_with(parent):
    """Have the kernel send this worker SIGTERM when its supervisor dies, however it dies.

    Without it, a supervisor killed -9 (outside systemd, which would clean its unit up)
    leaves its workers serving the port, and the next `kit serve` cannot bind it.
    """
    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, "prctl", None) is not None:
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    if os.getppid() != parent:  # it died before prctl took effect
        raise SystemExit(0)


def _signal(pid, signum):
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        pass


def _describe(status):
    if os.WIFSIGNALED(status):
        return f"was killed by signal {os.WTERMSIG(status)}"
    return f"exited with status {os.waitstatus_to_exitcode(status)}"
