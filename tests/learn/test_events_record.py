"""kit.events.record: validation, server judgement, idempotence, derived progress."""

import subprocess
import sys
from pathlib import Path

import pytest

from kit.db import database
from kit.event_schema import BadEvent
from kit.events import FIRST_TRIES, record, server_event
from kit.models import Event, LessonProgress, QuestionProgress

from .conftest import make_event


def answer(question, response, attempt=1, **payload):
    return make_event(
        "answer", {"question_id": question, "response": response, "attempt": attempt, **payload}
    )


def test_record_appends_and_repeats_are_no_ops(ids):
    batch = [make_event("lesson_opened"), make_event("page_viewed", {"page": 1})]
    assert record(batch, ids["ada"]) == {"accepted": 2, "duplicate": 0}
    assert record(batch, ids["ada"]) == {"accepted": 0, "duplicate": 2}
    again = make_event("page_viewed", {"page": 1})
    assert record([again, again], ids["ada"]) == {"accepted": 1, "duplicate": 1}
    assert Event.select().count() == 3
    row = LessonProgress.get(learner=ids["ada"], pack_id="mini", lesson_id="01-count")
    assert (row.status, row.page) == ("in_progress", 1)


def test_server_judges_answers_and_ignores_the_tablets_claim(ids):
    record([answer("q1", "a", correct=True, first_try=False)], ids["ada"])
    stored = Event.get(Event.kind == "answer").payload
    assert stored["correct"] is False and stored["first_try"] is True
    record([answer("q1", "b", correct=False, first_try=True)], ids["ada"])
    second = Event.select().where(Event.kind == "answer").order_by(Event.seq.desc()).first()
    assert second.payload["correct"] is True and second.payload["first_try"] is False
    q = QuestionProgress.get(learner=ids["ada"], question_id="q1")
    assert (q.attempts, q.wrong, q.correct) == (2, 1, True)


def test_quiz_score_uses_first_tries_and_the_mastery_rule(ids):
    # q1 wrong then right (not a first try), q2-q4 right first time: 3/4 = 0.75 = min_score.
    batch = [
        answer("q1", "a"),
        answer("q1", "b"),
        answer("q2", ["c", "a"]),
        answer("q3", "3"),
        answer("q4", "  A Mango "),
        make_event("quiz_finished", {"attempt": 1, "score": 1.0}),
        make_event("lesson_completed"),
    ]
    record(batch[:3], ids["ada"])
    record(batch[3:], ids["ada"])
    finished = Event.get(Event.kind == "quiz_finished").payload
    assert finished == {"attempt": 1, "score": 0.75, "questions": 4, "mastered": True}
    row = LessonProgress.get(learner=ids["ada"], lesson_id="01-count")
    assert (row.status, row.score, row.best_score, row.attempts) == ("mastered", 0.75, 0.75, 1)
    assert row.completed_at is not None


def test_a_failed_quiz_completes_without_mastery(ids):
    record(
        [answer("q1", "a"), make_event("quiz_finished", {"attempt": 1}), make_event("lesson_completed")],
        ids["ada"],
    )
    row = LessonProgress.get(learner=ids["ada"], lesson_id="01-count")
    assert (row.status, row.score) == ("completed", 0.0)


def test_help_time_and_teacher_dismissal(ids):
    record(
        [
            make_event("help_requested"),
            make_event("time_spent", {"seconds": 40}),
            make_event("time_spent", {"seconds": 20}),
        ],
        ids["ada"],
    )
    row = LessonProgress.get(learner=ids["ada"], lesson_id="01-count")
    assert row.needs_help and row.seconds == 60
    record([server_event("help_dismissed", "mini", "01-count", {"by": "teacher"})], ids["ada"])
    assert not LessonProgress.get_by_id(row.id).needs_help


BAD = [
    ("unknown kind", lambda: make_event("danced"), "unknown kind 'danced'"),
    ("bad uuid", lambda: make_event("lesson_opened", uuid="not-a-uuid"), "uuid must be a UUID"),
    (
        "bad time",
        lambda: make_event("lesson_opened", device_time="yesterday"),
        "device_time must be an ISO 8601 time",
    ),
    ("extra field", lambda: make_event("lesson_opened", colour="red"), "unknown field 'colour'"),
    (
        "missing boot",
        lambda: {k: v for k, v in make_event("lesson_opened").items() if k != "boot_id"},
        "boot_id is required",
    ),
    (
        "surrogate in boot",
        lambda: make_event("lesson_opened", boot_id="tab\ud8001"),
        "boot_id must be text without NUL characters or unpaired surrogates",
    ),
    # The hub cannot store these (kit.storable): refused here, so the tablet learns at once.
    (
        "NUL in boot",
        lambda: make_event("lesson_opened", boot_id="tab\x00let"),
        "boot_id must be text without NUL characters or unpaired surrogates",
    ),
    (
        "NUL in response",
        lambda: answer("q4", "ma\x00ngo"),
        "payload.response must be text without NUL characters",
    ),
    (
        "surrogate in by",
        lambda: make_event("help_dismissed", {"by": "t\udc00"}),
        "payload.by must be text without NUL characters",
    ),
    (
        "before year 1 in UTC",
        lambda: make_event("lesson_opened", device_time="0001-01-01T00:30:00+01:00"),
        "device_time must be a time between the years 1 and 9999 in UTC",
    ),
    (
        "after year 9999 in UTC",
        lambda: make_event("lesson_opened", device_time="9999-12-31T23:30:00-01:00"),
        "device_time must be a time between the years 1 and 9999 in UTC",
    ),
    ("page not int", lambda: make_event("page_viewed", {"page": "2"}), "payload.page must be"),
    ("payload extra", lambda: make_event("page_viewed", {"page": 1, "x": 1}), "unknown payload field 'x'"),
    (
        "time too long",
        lambda: make_event("time_spent", {"seconds": 99999}),
        "payload.seconds must be a whole number from 1 to 3600",
    ),
    (
        "unknown lesson",
        lambda: make_event("lesson_opened", lesson="99-nope"),
        "no lesson '99-nope' in pack 'mini'",
    ),
    ("unknown question", lambda: answer("q9", "a"), "has no question 'q9'"),
    ("bad response", lambda: answer("q1", "z"), "must be one of the choice ids"),
    # Wrong shapes for the question: a TypeError (500) in judging before.
    ("list for a single choice", lambda: answer("q1", ["a"]), "must be one of the choice ids"),
    ("number for a single choice", lambda: answer("q1", 1), "must be one of the choice ids"),
    ("text for a multiple choice", lambda: answer("q2", "a"), "must be a list of choice ids"),
    (
        "attempt zero",
        lambda: make_event("quiz_finished", {"attempt": 0}),
        "payload.attempt must be a whole number from 1",
    ),
]


@pytest.mark.parametrize("name,make,message", BAD, ids=[b[0] for b in BAD])
def test_bad_events_are_refused_whole_with_a_clear_message(ids, name, make, message):
    good = make_event("lesson_opened")
    with pytest.raises(BadEvent) as caught:
        record([good, make()], ids["ada"])
    assert message in caught.value.message
    assert caught.value.details["index"] == 1
    assert caught.value.message.startswith("event 1: ")
    assert Event.select().count() == 0
    assert LessonProgress.select().count() == 0


def test_oversized_and_empty_batches_are_refused(ids):
    with pytest.raises(BadEvent, match=r"too many events in one batch: 4 \(at most 3\)"):
        record([make_event("lesson_opened") for _ in range(4)], ids["ada"], max_batch=3)
    with pytest.raises(BadEvent, match="events must be a non-empty list"):
        record([], ids["ada"])
    with pytest.raises(BadEvent, match="no learner with id 999"):
        record([make_event("lesson_opened")], 999)
    assert Event.select().count() == 0


def test_text_is_stored_exactly(ids):
    boot = 'tablette-é✓😀 "q" \\ \u0001 \x7f'
    response = 'ma\u0001ngo é "x" \\u0041 😀'
    record([make_event("lesson_opened", boot_id=boot), answer("q4", response)], ids["ada"])
    opened = Event.get(Event.kind == "lesson_opened")
    assert opened.boot_id == boot
    assert Event.get(Event.kind == "answer").payload["response"] == response


def test_progress_sees_earlier_batches_of_the_same_group(ids):
    # Batches stored together behave exactly as if stored one by one (kit.events._store).
    from kit.db import write
    from kit.event_judge import judge_answers, lesson_facts
    from kit.event_schema import validate_batch
    from kit.events import _Batch, _store

    first = [answer("q1", "a"), answer("q2", ["a", "c"])]
    second = [answer("q1", "b"), first[0], make_event("quiz_finished", {"attempt": 1})]
    batches = []
    for events in (first, second):
        clean = validate_batch(events, 500)
        facts = lesson_facts(clean)
        judge_answers(clean)
        batches.append(_Batch(clean, ids["ada"], facts))
    with write():
        results = _store(batches)
    assert results == [{"accepted": 2, "duplicate": 0}, {"accepted": 2, "duplicate": 1}]
    stored = [e.payload for e in Event.select().order_by(Event.seq)]
    assert [p.get("first_try") for p in stored[:3]] == [True, True, False]
    assert stored[3]["score"] == 0.25  # q2 right at the first try, of 4 questions
    q1 = QuestionProgress.get(learner=ids["ada"], question_id="q1")
    assert (q1.attempts, q1.wrong, q1.correct) == (2, 1, True)


def test_a_missing_learner_fails_only_its_own_batch_in_a_group(ids):
    from kit.db import write
    from kit.event_judge import lesson_facts
    from kit.event_schema import validate_batch
    from kit.events import _Batch, _store

    shared = make_event("lesson_opened")
    batches = []
    for learner in (999, ids["ada"]):
        clean = validate_batch([dict(shared)], 500)
        batches.append(_Batch(clean, learner, lesson_facts(clean)))
    with write():
        missing, stored = _store(batches)
    assert isinstance(missing, BadEvent) and missing.message == "no learner with id 999"
    assert stored == {"accepted": 1, "duplicate": 0}  # the failed batch's UUID is not "known"
    assert [e.learner_id for e in Event.select()] == [ids["ada"]]


def test_a_batch_failing_in_a_group_is_retried_alone_and_fails_alone(ids):
    from kit.event_judge import lesson_facts
    from kit.event_schema import validate_batch
    from kit.events import _Batch, _store_group

    good = validate_batch([make_event("lesson_opened")], 500)
    bad = validate_batch([make_event("lesson_opened")], 500)
    bad[0]["boot_id"] = "tab\ud800"  # past validation: SQLite cannot take it
    batches = [_Batch(clean, ids["ada"], lesson_facts(clean)) for clean in (good, bad)]
    _store_group(batches)
    assert batches[0].result == {"accepted": 1, "duplicate": 0} and batches[0].error is None
    assert isinstance(batches[1].error, UnicodeEncodeError) and batches[1].result is None
    assert [e.uuid for e in Event.select()] == [good[0]["uuid"]]


def test_events_the_kit_makes_carry_the_machines_boot_id_in_every_process():
    """Several worker processes make events: one boot, one id, so the hub can place them.

    Each process once made up its own "kit-…" id, so the hub saw a boot per worker with
    no clock anchor for any of them.
    """
    machine = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    other_process = subprocess.run(
        [
            sys.executable,
            "-c",
            "from kit.events import server_event; print(server_event('help_dismissed', 'p', 'l')['boot_id'])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert server_event("help_dismissed", "mini", "01-count")["boot_id"] == machine
    assert other_process == machine


def test_batches_queued_while_another_writer_commits_join_one_group(ids):
    """The writer takes the data folder's writer lock before it takes its group: what
    queues while another worker commits is stored in the next group, all together."""
    import threading
    import time

    from kit.db import database

    batches = [[make_event("lesson_opened")], [make_event("page_viewed", {"page": 1})]]
    lock, path = database.writer_lock, database.database + "-writer"
    lock.acquire(path)  # as another worker's commit would (a thread here: the same lock)
    threads = []
    try:
        for batch in batches:  # the second arrives while the writer already waits
            threads.append(threading.Thread(target=record, args=(batch, ids["ada"])))
            threads[-1].start()
            time.sleep(0.3)
    finally:
        lock.release()
    for thread in threads:
        thread.join(30)
    stored = list(Event.select().order_by(Event.seq))
    assert [e.uuid for e in stored] == [batch[0]["uuid"] for batch in batches]
    assert stored[0].received_at == stored[1].received_at  # one group: one transaction, one time


def test_first_tries_are_found_through_their_own_index_whatever_the_taps_before(ids):
    # A child tapping one question 40 times in one attempt: each tap is judged against the
    # attempt's first tries only, read through event_first_tries, never every earlier tap.
    for tap in range(40):
        record([answer("q1", "ab"[tap % 2])], ids["ada"])
    record([answer("q2", ["c", "a"]), answer("q1", "b", attempt=2)], ids["ada"])
    tries = [
        (e.payload["question_id"], e.payload["attempt"], e.payload["first_try"])
        for e in Event.select().where(Event.kind == "answer").order_by(Event.seq)
    ]
    assert tries[0] == ("q1", 1, True) and all(not first for _q, _a, first in tries[1:40])
    assert tries[40:] == [("q2", 1, True), ("q1", 2, True)]
    record([make_event("quiz_finished", {"attempt": 1})], ids["ada"])
    # q1's first try was "a" (wrong), q2 right: the 20 right taps on q1 after it do not count.
    assert Event.get(Event.kind == "quiz_finished").payload["score"] == 0.25
    plan = " ".join(
        str(row[-1]) for row in database.execute_sql("EXPLAIN QUERY PLAN " + FIRST_TRIES, ("[]",))
    )
    assert "USING INDEX event_first_tries" in plan, plan
