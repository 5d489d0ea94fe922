"""Each benchmark's code runs end to end with tiny parameters (timed benchmarks are not tests).

These drive the real parts, as the benches do: `kit serve` and the bare Flask app on
loopback, the asyncio load generator in its own processes, a real hub, and (for sync) a
2G link in network namespaces. They check the machinery counts and verifies correctly,
not how fast anything is.
"""

import json
import subprocess

import pytest

from bench import report, stats, svgplot, workdir
from bench.class_load import main as class_load_main
from bench.class_report import _strip
from bench.ingest import main as ingest_main
from bench.live_class import main as live_main
from bench.live_transport import main as transport_main
from bench.sign_lesson import PAGES
from bench.sign_lesson import main as sign_lesson_main
from bench.startup import main as startup_main


@pytest.fixture(scope="module", autouse=True)
def bench_work(tmp_path_factory):
    """One private work folder for this module: the prepared data folder is made once."""
    work = tmp_path_factory.mktemp("bench-work")
    patch = pytest.MonkeyPatch()
    patch.setattr(workdir, "WORK", work)  # every bench reads it from there when it runs
    yield work
    patch.undo()


def test_live_quick_times_every_move_and_counts_the_answers():
    results = live_main(["--quick"])
    summary = results["live"]["summary"]
    assert summary["tablets"] == 6 and summary["moves"] >= 3
    assert summary["samples"] == summary["tablets"] * summary["moves"]  # each tablet saw each move once
    assert summary["left_behind"] == 0
    # Each tablet answered once; one that answered after the close was refused (409), not lost.
    assert summary["answers"] + summary["answers_refused"] == 6 and summary["answers"] >= 1
    assert set(summary["polls"]) <= {"200", "304"}  # every ask answered: the state, or held then 304
    assert results["baseline"]["ordinary"]["ALL"]["errors"] == 0


def test_sign_lesson_quick_serves_each_page_to_plain_and_sign_first_learners():
    results = sign_lesson_main(["--quick"])
    assert set(results["runs"]) == {"plain 3", "sign_first 3"}
    for pages in results["runs"].values():
        assert set(pages) == set(PAGES)
        for (row,) in pages.values():
            assert row["n"] >= 1 and row["errors"] == 0 and set(row["statuses"]) == {"200"}
    # Which page a sign-first learner gets is tests/learn/test_sign_first_flag.py's to prove:
    # here the gzipped sizes differ by a few bytes, and the page's random tokens by as many
    # (a run had the sign-first page 3 B smaller on average).


def test_live_transport_quick_follows_by_short_and_long_poll():
    results = transport_main(["--quick"])
    phases = results["phases"]
    assert phases["alone"]["ordinary"]["ALL"]["errors"] == 0 and "room" not in phases["alone"]
    for name in ("short poll", "long poll (as shipped)"):
        room = phases[name]["room"]
        assert room["left_behind"] == 0 and room["samples"] == room["tablets"] * 3, (name, room)
    # A held ask answers when the teacher moves: far fewer requests than polling.
    assert phases["long poll (as shipped)"]["room"]["poll_count"] < phases["short poll"]["room"]["poll_count"]


def test_class_load_quick_counts_every_route_without_errors():
    results = class_load_main(["--quick"])
    rows = results["class"]["rows"]
    assert rows["ALL"]["n"] > 10 and rows["ALL"]["errors"] == 0
    assert rows["GET /lesson/<pack>/<lesson>"]["n"] >= 1
    sat = results["saturate"]
    for conns in ("3",):
        for key in (
            "lesson",
            "progress",
            "answers",
            "events",
            "healthz",
            "bare",
            "bare_post",
            "bare_events",
            "bare_healthz",
        ):
            assert sat[conns][key]["n"] > 0 and sat[conns][key]["errors"] == 0, (conns, key)
            assert sat[conns][key]["server"]["cpu_pct"] > 0, (conns, key)  # its own window's CPU
    assert len(sat["idle"]) >= 2  # the supervisor and its workers, each measured
    from bench.class_report import targets

    answers = next(t for t in targets(results) if "answers: req/s vs" in t.name)
    assert "(POST)" in answers.name
    assert f"vs {sat['3']['bare_post']['rps']:.0f} req/s" in answers.measured
    for key in ("burst", "burst_one_core"):
        burst = results[key]
        assert [r["answered"] for r in burst["rounds"]] == [3, 3] and burst["errors"] == 0
        assert 0 < burst["max_ms"] < 30000
    assert [(g["workers"], g["threads"]) for g in results["grid"]] == [(2, 2)]
    assert all(g["n"] > 0 for g in results["grid"])
    assert set(results["sweep"]) == {3}
    assert "### Saturation: 3 connections" in results["section"]  # the docs' section renders
    assert json.loads(json.dumps(_strip(results)))["sweep"]  # and the results save as JSON
    assert results["class"]["server"]["rss_peak_mb"] > 10


def test_ingest_quick_proves_each_event_stored_once():
    result, rows = ingest_main(["--quick"])
    proof = result["proof"]
    assert proof["sent"] > 0 and proof["missing"] == 0
    assert proof["rows"] == proof["distinct_uuids"] == proof["sent_distinct"]
    assert result["resend_accepted"] == 0 and result["resend_duplicate"] > 0
    paced = result["paced"]["proof"]
    assert paced["sent"] > 0 and paced["missing"] == 0 and paced["rows"] == paced["sent_distinct"]
    assert rows[-1].ok is True


def test_startup_quick_measures_a_start_and_idle_memory():
    result, rows = startup_main(["--quick"])
    assert 0 < result["median_start_s"] < 30
    assert result["max_idle_rss_mb"] > 10 and result["bare_idle_rss_mb"][0] > 10
    assert result["idle_total_pss_mb"][0] > 10
    assert [r.ok for r in rows][:2] == [result["median_start_s"] < 1, result["max_idle_rss_mb"] < 45]


@pytest.mark.postgres
def test_sync_quick_delivers_every_event_once_over_loopback_and_2g():
    from bench.sync_report import main as sync_main

    res, rows = sync_main(["--quick"])
    for key in ("loopback_sqlite", "loopback_postgres", "2g"):
        assert res[key]["hub_rows"] == (300, 300)
        assert res[key]["drain"]["result"].startswith("ok: ")  # after any retried cycles
        assert res[key]["noop"]["result"].startswith("ok: 0 event(s)")
    assert res["2g"]["drain_wire"]["sent"][1] > 300 * 10  # the link really carried them
    from bench import link2g

    listed = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True).stdout
    assert link2g.KIT_NS not in listed and link2g.HUB_NS not in listed  # others' runs may be there


def test_percentiles_are_nearest_rank():
    values = list(range(1, 101))
    assert stats.percentile(values, 50) == 50
    assert stats.percentile(values, 95) == 95
    assert stats.percentile(values, 99) == 99
    assert stats.percentile([], 95) is None


def test_merge_adds_up_processes():
    a = {"GET /": {"ms": [1.0, 2.0], "errors": 0, "statuses": {"200": 2}, "bytes": 10}}
    b = {"GET /": {"ms": [3.0], "errors": 1, "statuses": {"0": 1}, "bytes": 0}}
    merged = stats.merge([a, b])
    assert merged["GET /"]["ms"] == [1.0, 2.0, 3.0] and merged["GET /"]["errors"] == 1
    rows = stats.summarise(merged, 1.0)
    assert rows["ALL"]["n"] == 3 and rows["ALL"]["rps"] == 3.0


def test_update_section_keeps_the_text_around_it(tmp_path):
    doc = tmp_path / "perf.md"
    doc.write_text("# Performance\n\nhand-written intro\n")
    report.update_section("x", "first", doc=doc)
    report.update_section("x", "second", doc=doc)
    text = doc.read_text()
    assert "hand-written intro" in text and "second" in text and "first" not in text
    assert text.count("<!-- bench:x -->") == 1


def test_svg_plot_is_well_formed_xml():
    import xml.etree.ElementTree as ET

    svg = svgplot.line_chart(
        "t", "x", "y", {"a": [(10, 5.0), (20, 9.0)], "b": [(10, None)]}, hline=(150, "target")
    )
    assert ET.fromstring(svg).tag.endswith("svg")


def test_hub_scale_generator_shapes_are_what_the_docs_say():
    """bench/hub_scale.py's report generator: "real" is 30 learners a kit over 36 months in
    order, "worst" a learner per event; a shape it does not know is refused before any work."""
    from bench.hub_scale import _event_row
    from bench.hub_scale import main as hub_scale_main

    kits, total = 4, 4_000
    rows = {
        shape: [_event_row(shape, n, kits, total // kits) for n in range(total)]
        for shape in ("real", "worst")
    }
    real = [r for r in rows["real"] if r[0] == "gen-1"]
    assert len({r[3] for r in real}) == 30 and len({r[3] for r in rows["worst"]}) == total
    months = [r[8][:7] for r in real]
    assert months == sorted(months) and len(set(months)) == 36
    assert len({r[4] for r in real if r[3] == real[0][3]}) == 2  # each learner in two packs
    with pytest.raises(SystemExit):
        hub_scale_main(["--workers", "", "--report-shapes", "busy"])


def test_hub_scale_ingest_summary_gives_each_tree_its_median_and_the_ratio():
    """bench/hub_scale.py --baseline: runs of both trees in turn become one row per tree and
    worker count, this tree's row carrying new ÷ baseline; losses add up, never average out."""
    from bench.hub_scale import ingest_summary

    def run(name, workers, per_s, lost=0):
        return {
            "name": name,
            "workers": workers,
            "events_per_s": per_s,
            "p95_batch_ms": per_s // 10,
            "cpu_us_per_event": {"hub": 30, "postgresql": 40, "client": 4},
            "lost": lost,
            "duplicated": 0,
            "errors": 0,
            "load": {"start": [1.0], "end": [2.0]},
        }

    runs = [
        run("new", 4, 20_000),
        run("base", 4, 10_000),
        run("base", 4, 9_000, lost=1),
        run("new", 4, 22_000),
    ]
    rows = {(r["name"], r["workers"]): r for r in ingest_summary(runs)}
    assert rows[("new", 4)]["each_events_per_s"] == [20_000, 22_000]
    assert rows[("base", 4)]["lost"] == 1
    assert rows[("new", 4)]["new_over_base"] == round(
        rows[("new", 4)]["events_per_s"] / rows[("base", 4)]["events_per_s"], 2
    )
    assert "new_over_base" not in rows[("base", 4)]
