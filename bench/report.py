"""Results: the machine, targets with PASS/FAIL, and docs/performance.md sections.

Each bench owns one section of docs/performance.md between markers
``<!-- bench:NAME -->`` and ``<!-- /bench:NAME -->`` and rewrites only that section, so
the hand-written explanation around them survives every run. Raw numbers also go to
bench/results/NAME.json.
"""

import datetime as dt
import json
import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
RESULTS = ROOT / "bench" / "results"


@dataclass
class Target:
    """One number to beat: `ok` is None when it could not be measured."""

    name: str
    goal: str
    measured: str
    ok: object
    why: str = ""

    @property
    def verdict(self):
        return {True: "PASS", False: "FAIL", None: "NOT MEASURED"}[self.ok]


def machine():
    """What this ran on: CPU count and model, RAM, kernel, Python, date."""
    model = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as handle:
        mem_kb = int(handle.readline().split()[1])
    with open("/proc/loadavg") as handle:  # other work on the machine skews every number
        load = " ".join(handle.read().split()[:3])
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "ram_gb": round(mem_kb / 2**20, 1),
        "loadavg_before": load,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def print_targets(targets):
    """Print each target with its measured value and PASS/FAIL (and why, when missed)."""
    for t in targets:
        print(f"  [{t.verdict:>4}] {t.name}: {t.measured} (target {t.goal})")
        if t.ok is False and t.why:
            print(f"         why: {t.why}")


def targets_markdown(targets):
    lines = ["| target | goal | measured | result |", "| --- | --- | --- | --- |"]
    for t in targets:
        lines.append(f"| {t.name} | {t.goal} | {t.measured} | **{t.verdict}** |")
    missed = [t for t in targets if t.ok is False and t.why]
    if missed:
        lines += ["", "Missed, and why:", ""]
        lines += [f"- **{t.name}**: {t.why}" for t in missed]
    return "\n".join(lines)


def routes_markdown(rows):
    """A per-route latency table from stats.summarise(): the one rendering, for the docs
    and the terminal alike (a markdown table reads well in both)."""
    lines = [
        "| route | requests | req/s | p50 ms | p95 ms | p99 ms | errors |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, r in rows.items():
        lines.append(
            f"| `{label}` | {r['n']} | {_n(r['rps'])} | {_n(r['p50'])} | "
            f"{_n(r['p95'])} | {_n(r['p99'])} | {r['errors']} |"
        )
    return "\n".join(lines)


def _n(value):
    return "–" if value is None else f"{value:.1f}"


def machine_line(info, command):
    return (
        f"Run {info['date']} with `{command}` on {info['nproc']} × {info['cpu']}, "
        f"{info['ram_gb']} GB RAM, Linux {info['kernel']}, Python {info['python']}; "
        f"load average before the run {info.get('loadavg_before', '?')}."
    )


def save_json(name, data):
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(data, indent=1, default=str))


def update_section(name, markdown, doc=DOC):
    """Replace (or append) the section between this bench's markers in docs/performance.md."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    text = doc.read_text() if doc.exists() else "# Performance\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _m: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text)
