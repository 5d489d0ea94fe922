"""Memory and CPU of a server process (and its children) read from /proc, in a thread.

RSS and PSS are summed over the process tree (`kit serve` forks its workers; PSS splits
their shared pages, so its sum is the tree's real memory), and the largest single
process is kept too; CPU is user+system jiffies over wall time, so 100 % means one core.
"""

import os
import threading
import time

CLOCK = os.sysconf("SC_CLK_TCK")


def tree(pid):
    """Return pid and all its descendants that exist right now."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        todo.extend(children.get(current, []))
    return out


def _sum_tree(pid, name, parse):
    """Sum parse(text of /proc/<p>/<name>) over pid's tree, skipping processes just gone."""
    total = 0
    for one in tree(pid):
        try:
            with open(f"/proc/{one}/{name}") as handle:
                total += parse(handle.read())
        except (OSError, IndexError, ValueError, StopIteration):  # gone, or a zombie
            continue
    return total


def _vmrss(text):
    line = next(l for l in text.splitlines() if l.startswith("VmRSS:"))
    return int(line.split()[1]) * 1024


def _jiffies(text):
    fields = text.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK


def _pss(text):
    line = next(l for l in text.splitlines() if l.startswith("Pss:"))
    return int(line.split()[1]) * 1024


def pss_bytes(pid):
    """Proportional memory of pid's tree: each shared page split between its sharers, so
    the sum is what the tree really takes (RSS counts a forked worker's shared pages again)."""
    return _sum_tree(pid, "smaps_rollup", _pss)


def per_process(pid):
    """[(pid, RSS bytes, PSS bytes)] for pid and each descendant."""
    out = []
    for one in tree(pid):
        try:
            with open(f"/proc/{one}/status") as status, open(f"/proc/{one}/smaps_rollup") as roll:
                out.append((one, _vmrss(status.read()), _pss(roll.read())))
        except (OSError, StopIteration):
            continue
    return out


def rss_bytes(pid):
    """Resident memory of pid and its descendants, in bytes (0 if gone)."""
    return _sum_tree(pid, "status", _vmrss)


def cpu_seconds(pid):
    """User+system CPU seconds used so far by pid and its descendants."""
    return _sum_tree(pid, "stat", _jiffies)


class Monitor:
    """Sample a process's RSS and CPU every `interval` seconds between start() and stop().

    The CPU samples carry wall-clock times, so `cpu_pct_between` can give the CPU of one
    measuring window inside a longer run (the saturation phase asks several routes in turn
    on one server without counting sign-ins and warm-ups).
    """

    def __init__(self, pid, interval=0.2):
        self.pid = pid
        self.interval = interval
        self.samples, self.pss, self.largest = [], [], 0
        self.cpu_marks = []  # (time.time(), CPU seconds so far)
        self._stop = threading.Event()
        self._thread = None
        self._cpu0 = self._t0 = None

    def start(self):
        self._cpu0, self._t0 = cpu_seconds(self.pid), time.monotonic()
        self.cpu_marks.append((time.time(), self._cpu0))
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.interval):
            self.cpu_marks.append((time.time(), cpu_seconds(self.pid)))
            each = per_process(self.pid)
            self.samples.append(sum(rss for _p, rss, _s in each))
            self.pss.append(sum(pss for _p, _r, pss in each))
            self.largest = max([self.largest] + [rss for _p, rss, _s in each])

    def cpu_pct_between(self, start, end):
        """CPU % of one core between two wall-clock times inside the run (interpolated
        between samples, which are `interval` apart)."""
        marks = self.cpu_marks
        if end <= start or len(marks) < 2:
            return None

        def at(when):
            for (t0, c0), (t1, c1) in zip(marks, marks[1:]):
                if t0 <= when <= t1:
                    return c0 + (c1 - c0) * (when - t0) / ((t1 - t0) or 1)
            return marks[0][1] if when < marks[0][0] else marks[-1][1]

        return round(100 * (at(end) - at(start)) / (end - start), 1)

    def stop(self):
        """Stop sampling; return {rss_peak_mb, rss_steady_mb, cpu_pct, seconds}."""
        cpu = cpu_seconds(self.pid) - self._cpu0
        wall = time.monotonic() - self._t0
        self._stop.set()
        self._thread.join(5)
        self.cpu_marks.append((time.time(), self._cpu0 + cpu))
        samples = self.samples or [rss_bytes(self.pid)]
        tail = sorted(samples[len(samples) // 2 :])
        return {
            "rss_peak_mb": round(max(samples) / 2**20, 1),
            "rss_steady_mb": round(tail[len(tail) // 2] / 2**20, 1),
            "pss_peak_mb": round(max(self.pss or [pss_bytes(self.pid)]) / 2**20, 1),
            "process_rss_peak_mb": round((self.largest or max(samples)) / 2**20, 1),
            "cpu_pct": round(100 * cpu / wall, 1) if wall else None,
            "seconds": round(wall, 2),
        }


def load_now():
    """The load average right now (other work on the machine skews every number)."""
    with open("/proc/loadavg") as handle:
        return " ".join(handle.read().split()[:3])
