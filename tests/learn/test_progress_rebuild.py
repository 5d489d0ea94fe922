"""`kit progress rebuild` recomputes exactly the rows the kit keeps live."""

from kit.events import record, server_event
from kit.models import Event, LessonProgress
from kit.progress import rebuild, snapshot
from tests.conftest import run_kit

from .conftest import make_event


def _a_busy_morning(ids):
    """Two learners, two lessons, answers, retries, a quiz retaken, help asked and dismissed."""
    ada, ben = ids["ada"], ids["ben"]
    ans = lambda q, r, attempt=1, lesson="01-count": make_event(  # noqa: E731
        "answer", {"question_id": q, "response": r, "attempt": attempt}, lesson=lesson
    )
    record([make_event("lesson_opened"), make_event("page_viewed", {"page": 1})], ada)
    record(
        [
            make_event("lesson_opened", lesson="02-shapes"),
            ans("q1", "b", lesson="02-shapes"),
            make_event("help_requested", lesson="02-shapes"),
        ],
        ben,
    )
    record(
        [
            ans("q1", "a"),
            ans("q1", "b"),
            ans("q2", ["a"]),
            make_event("quiz_finished", {"attempt": 1}),
            make_event("time_spent", {"seconds": 90}),
        ],
        ada,
    )
    record(
        [
            ans("q1", "b", 2),
            ans("q2", ["a", "c"], 2),
            ans("q3", 3, 2),
            ans("q4", "mango", 2),
            make_event("quiz_finished", {"attempt": 2}),
            make_event("lesson_completed"),
        ],
        ada,
    )
    record(
        [ans("q1", "a", lesson="02-shapes"), make_event("quiz_finished", {"attempt": 1}, lesson="02-shapes")],
        ben,
    )
    record([server_event("help_dismissed", "mini", "02-shapes")], ben)


def test_rebuild_produces_identical_rows(ids):
    _a_busy_morning(ids)
    live = snapshot()
    assert len(live["lesson_progress"]) == 2 and len(live["question_progress"]) == 5
    ada = LessonProgress.get(learner=ids["ada"], lesson_id="01-count")
    assert (ada.status, ada.attempts, ada.score, ada.best_score) == ("mastered", 2, 1.0, 1.0)
    ben = LessonProgress.get(learner=ids["ben"], lesson_id="02-shapes")
    assert (ben.status, ben.score, ben.needs_help) == ("in_progress", 0.0, False)

    LessonProgress.update(status="not_started", page=0).execute()  # damage it
    assert rebuild() == Event.select().count()
    assert snapshot() == live


def test_cli_rebuild_reports_and_matches(ids, installed_kit):
    _a_busy_morning(ids)
    live = snapshot()
    from kit.db import database

    database.close()
    result = run_kit(installed_kit, "progress", "rebuild")
    assert result.stdout.strip() == f"progress rebuilt from {Event.select().count()} event(s)"
    database.connect(reuse_if_open=True)
    assert snapshot() == live


def test_cli_help_ends_with_an_example(kit):
    out = kit("progress", "rebuild", "--help").stdout
    assert "Example:" in out and "kit --data /var/lib/classroom-kit progress rebuild" in out
