"""What shaping costs the certificate PDF: memory and time of `kit.courses.pdf.render` as
it is (DejaVu with Noto Sans Bengali as fallback, text shaped by uharfbuzz) against the
same page without shaping, the baseline (uharfbuzz blocked, DejaVu alone: the renderer
before Bangla names). Each way runs in a fresh process: RSS with the kit's module loaded but
not fpdf2 (a worker that has printed nothing), after importing fpdf2, and the peak after rendering --pages one-page PDFs (a class's printout is one
PDF of many pages, so a page's time is the PDF's time over its pages); time is the median
of --rounds PDFs of --pages pages, after one warm-up. The names are Latin, Bangla and
Arabic script; the baseline draws Bangla without shaping (wrongly), which costs it nothing.

Run: .venv/bin/python -m bench.certificate_pdf
"""

import argparse
import json
import subprocess
import sys

from . import report

LABELS = {
    "certificate": "Certificate",
    "certifies": "This certifies that",
    "completed": "has completed the course",
    "score": "Score",
    "hours": "Credit hours",
    "site": "Site",
    "date": "Date",
    "code": "Code",
    "verify": "Anyone can check this certificate: scan the QR code, or type its code on the verify page.",
}
NAMES = ["Amina Diallo", "আমিনা খাতুন", "আমিনা", "Ada Ñúñez", "آمنة جالو"]
CHILD = r"""
import json, statistics, sys, time
shaping, pages, rounds, labels, names = json.loads(sys.argv[1])
def rss(field="VmRSS"):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
from kit.courses import pdf  # imports fpdf2 only when it renders
before = rss()
if not shaping:
    sys.modules["uharfbuzz"] = None  # fpdf2 then has no shaper, as before uharfbuzz was a dependency
from fpdf import FPDF
if not shaping:
    FPDF.set_text_shaping = lambda self, *a, **k: None
    FPDF.set_fallback_fonts = lambda self, *a, **k: None
imported = rss()
certs = [
    {"holder_name": names[i % len(names)], "title": "Teaching with tablets in a mobile classroom",
     "site": "Mopti Truck 3", "date": "2026-12-07", "score_pct": 90, "credit_hours": "3", "code": "K7QM-3XPD-9TRR"}
    for i in range(pages)
]
pdf.render(certs[:1], labels)
times = []
for _ in range(rounds):
    start = time.perf_counter()
    body = pdf.render(certs, labels)
    times.append(time.perf_counter() - start)
print(json.dumps({"before_mb": before, "imported_mb": imported, "peak_mb": rss("VmHWM"),
                  "pdf_s": statistics.median(times), "bytes": len(body)}))
"""


def _run(shaping, pages, rounds):
    args = json.dumps([shaping, pages, rounds, LABELS, NAMES])
    out = subprocess.run([sys.executable, "-c", CHILD, args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def measure(pages=20, rounds=5):
    shaped, plain = _run(True, pages, rounds), _run(False, pages, rounds)
    result = {"pages": pages, "rounds": rounds, "machine": report.machine(), "shaped": shaped, "plain": plain}
    result["import_mb"] = {
        k: round(r["imported_mb"] - r["before_mb"], 1) for k, r in (("shaped", shaped), ("plain", plain))
    }
    result["page_ms"] = {
        k: round(r["pdf_s"] / pages * 1000, 1) for k, r in (("shaped", shaped), ("plain", plain))
    }
    result["time_ratio"] = round(shaped["pdf_s"] / plain["pdf_s"], 2)
    result["peak_mb"] = {k: round(r["peak_mb"], 1) for k, r in (("shaped", shaped), ("plain", plain))}
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(measure(args.pages, args.rounds), indent=1))


if __name__ == "__main__":
    main()
