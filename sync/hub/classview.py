"""One class as the hub knows it from the kit's last sync: progress grid, hard questions, who needs
help, sessions and hours — what a remote teacher reads before acting.

Everything comes from the records and events the kit sent (sync.hub.ingest), so it is
as old as the kit's last contact; the page says so.
"""

import json
from collections import defaultdict

from .models import HubEvent, Record

LEARNER_KINDS = (
    "lesson_opened",
    "page_viewed",
    "answer",
    "quiz_finished",
    "lesson_completed",
    "help_requested",
    "help_dismissed",
    "time_spent",
)


def learners(found):
    """The class's learners as [{uuid, name, active}], by name (a short id when the kit sends no names)."""
    rows = []
    query = Record.select(Record.uuid, Record.data).where(
        (Record.kit_id == found.kit_id) & (Record.kind == "learner")
    )
    for uuid, data in query.tuples():
        data = json.loads(data)
        if data.get("classroom") == found.uuid:
            name = data.get("display_name") or f"#{uuid[:8]}"
            rows.append({"uuid": uuid, "name": name, "active": data.get("active", True)})
    return sorted(rows, key=lambda r: (not r["active"], r["name"].lower()))


def _payload(text):
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def report(found):
    """Return the class's grid, hard questions, learners needing help, sessions and hours."""
    people = learners(found)
    names = {p["uuid"]: p["name"] for p in people}
    status, questions, help_at, dismissed_at = {}, defaultdict(lambda: [0, 0]), {}, {}
    seconds = 0.0
    events = HubEvent.select(
        HubEvent.learner_uuid,
        HubEvent.pack_id,
        HubEvent.lesson_id,
        HubEvent.kind,
        HubEvent.payload,
        HubEvent.corrected_time,
    ).where(
        (HubEvent.kit_id == found.kit_id)
        & HubEvent.learner_uuid.in_(list(names) or [""])
        & HubEvent.kind.in_(LEARNER_KINDS)
    )
    for learner, pack, lesson, kind, payload, when in events.tuples().iterator():
        key = (learner, pack, lesson)
        if kind == "lesson_completed":
            status[key] = "completed"
        elif pack and lesson:
            status.setdefault(key, "started")
        if kind == "answer":
            data = _payload(payload)
            counts = questions[(pack, lesson, str(data.get("question_id", "")))]
            counts[0] += 1
            counts[1] += data.get("correct") is False
        elif kind == "help_requested":
            help_at[learner] = max(help_at.get(learner, when), when)
        elif kind == "help_dismissed":
            dismissed_at[learner] = max(dismissed_at.get(learner, when), when)
        elif kind == "time_spent":
            value = _payload(payload).get("seconds", 0)
            if isinstance(value, (int, float)) and 0 < value < 86400:
                seconds += value
    lessons = sorted({(pack, lesson) for _, pack, lesson in status})
    hard = sorted(
        (
            {"pack": k[0], "lesson": k[1], "question": k[2], "answers": a, "wrong": w}
            for k, (a, w) in questions.items()
            if w
        ),
        key=lambda q: (-q["wrong"] / q["answers"], -q["answers"]),
    )[:10]
    needing = [
        {"name": names[u], "since": at}
        for u, at in sorted(help_at.items(), key=lambda item: item[1])
        if u in names and at > dismissed_at.get(u, at.min)
    ]
    return {
        "learners": people,
        "lessons": lessons,
        "grid": {(u, p, l): s for (u, p, l), s in status.items()},
        "hard": hard,
        "needs_help": needing,
        "lesson_hours": round(seconds / 3600, 1),
        **_sessions(found),
    }


def _sessions(found):
    count, live, minutes = 0, 0, 0
    query = Record.select(Record.data).where((Record.kit_id == found.kit_id) & (Record.kind == "session"))
    for (data,) in query.tuples():
        session = json.loads(data)
        if session.get("classroom") != found.uuid:
            continue
        count += 1
        live += session.get("live") is True  # led live from the teacher's phone (kit.live)
        minutes += sum(m for _, m in session.get("attendance", []) if isinstance(m, (int, float)) and m > 0)
    return {"sessions": count, "live_sessions": live, "session_hours": round(minutes / 60, 1)}
