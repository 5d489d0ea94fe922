"""What the kit has to send: events above the cursor and records that changed.

Learners, classes, sessions (with their attendance) and teachers' display names travel
as versioned upserts. Password hashes and picture passwords never leave the kit; with
the ``pseudonymous_sync`` setting learners travel without their names.
"""

import datetime as dt
import hashlib
import json

from kit.db import database
from kit.models import Attendance, Classroom, ClassSession, Event, Learner, LiveClass, User

from .state import SentRecord


def _ms(value):
    if value is None:
        return None
    return int(value.replace(tzinfo=dt.UTC).timestamp() * 1000)


_EVENT_SQL = (
    "SELECT e.seq, e.uuid, COALESCE(l.uuid, ''), e.pack_id, e.lesson_id, e.kind, e.payload,"
    " e.device_time, e.boot_id, e.mono_ms, e.received_at"
    " FROM event e LEFT JOIN learner l ON l.id = e.learner_id"
    " WHERE e.seq > ? AND e.seq <= ? ORDER BY e.seq LIMIT ?"
)


def _time_ms(text):
    """Milliseconds of a stored DateTimeField text, without peewee's per-row cost."""
    if text is None:
        return None
    try:
        value = dt.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        value = Event.device_time.python_value(text)  # anything odd: peewee's own parsing, as before
    return _ms(value)


# A certificate's name travels beside its signed document (which holds initials and a salted
# hash of the name, kit.courses.certificates): a pseudonymous kit leaves name and salt out.
CERTIFICATE_PRIVATE = ("holder_name", "holder_salt")


def _raw_event(row, pseudonymous=False):
    """Shape one row of _EVENT_SQL as the dict protocol.encode_events expects (the one wire shape)."""
    seq, uuid, learner, pack_id, lesson_id, kind, payload, device_time, boot_id, mono_ms, received = row
    payload = None if payload is None else json.loads(payload)
    if pseudonymous and kind == "certificate_issued" and isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k not in CERTIFICATE_PRIVATE}
    return {
        "seq": seq,
        "uuid": uuid,
        "learner": learner,
        "pack_id": pack_id,
        "lesson_id": lesson_id,
        "kind": kind,
        "payload": payload if isinstance(payload, dict) else {"value": payload},
        "device_ms": _time_ms(device_time),
        "boot_id": boot_id,
        "mono_ms": mono_ms,
        "received_ms": _time_ms(received),
    }


def pending_events(after, limit, ceiling=None, pseudonymous=False):
    """Return (events, skipped seqs, upto) for the next batch above seq `after` (and <= `ceiling`).

    One raw query with the learner's UUID joined in: building 2,000 peewee model rows per
    batch was most of the kit's time in a drain (docs/performance.md, sync).
    """
    ceiling = 2**62 if ceiling is None else ceiling
    set_aside = {
        seq
        for (seq,) in database.execute_sql(
            "SELECT seq FROM sync_set_aside WHERE seq > ? AND seq <= ?", (after, ceiling)
        )
    }
    rows = database.execute_sql(_EVENT_SQL, (after, ceiling, limit + len(set_aside))).fetchall()
    events, skipped, upto = [], [], after
    for row in rows:
        if row[0] in set_aside:
            skipped.append(row[0])
        elif len(events) < limit:
            events.append(_raw_event(row, pseudonymous))
        else:
            break
        upto = row[0]
    return events, skipped, upto


def one_event(seq, pseudonymous=False):
    """Return the event with this seq in its wire shape (a set-aside event sent alone), or None."""
    row = database.execute_sql(_EVENT_SQL, (seq - 1, seq, 1)).fetchone()
    return None if row is None else _raw_event(row, pseudonymous)


def _digest(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def _iso(value):
    return value.isoformat() if value else None


def _user(row, ids):
    return {"display_name": row.display_name, "role": row.role, "active": row.active}


def _classroom(row, ids):
    return {"name": row.name, "active": row.active}


def _learner(row, ids):
    data = {
        "classroom": ids["classroom"].get(row.classroom_id),
        "language": row.language,
        "active": row.active,
    }
    if not ids["pseudonymous"]:
        data["display_name"] = row.display_name
    return data


def _session(row, ids):
    return {
        "classroom": ids["classroom"].get(row.classroom_id),
        "started_at": _iso(row.started_at),
        "ended_at": _iso(row.ended_at),
        "started_by": ids["user"].get(row.started_by_id),
        "attendance": sorted(ids["attendance"].get(row.id, [])),
        # Only when true, so the records of other sessions (and their digests) stay as they were.
        **({"live": True} if row.id in ids["live"] else {}),
    }


KINDS = (
    ("user", User, _user),
    ("classroom", Classroom, _classroom),
    ("learner", Learner, _learner),
    ("session", ClassSession, _session),
)


def _lookups(pseudonymous):
    """Read every id-to-uuid map once, so shaping N records costs a few queries, not N."""
    learners = dict(Learner.select(Learner.id, Learner.uuid).tuples())
    attendance = {}
    for session_id, learner_id, minutes in Attendance.select(
        Attendance.session, Attendance.learner, Attendance.minutes
    ).tuples():
        attendance.setdefault(session_id, []).append([learners.get(learner_id), minutes])
    return {
        "pseudonymous": pseudonymous,
        "attendance": attendance,
        "classroom": dict(Classroom.select(Classroom.id, Classroom.uuid).tuples()),
        "user": dict(User.select(User.id, User.uuid).tuples()),
        "live": {
            s for (s,) in LiveClass.select(LiveClass.session).where(LiveClass.session.is_null(False)).tuples()
        },
    }


def changed_records(pseudonymous, limit=500):
    """Return up to `limit` records whose content differs from what the hub last accepted."""
    sent = {(r.kind, r.uuid): r.digest for r in SentRecord.select()}
    ids = _lookups(pseudonymous)
    out = []
    for kind, model, shape in KINDS:
        for row in model.select().order_by(model.id):
            data = shape(row, ids)
            digest = _digest(data)
            if sent.get((kind, row.uuid)) != digest:
                out.append({"t": kind, "id": row.uuid, "v": row.version, "h": digest, "d": data})
                if len(out) >= limit:
                    return out
    return out


def mark_sent(records):
    """Remember what the hub accepted, so unchanged records are not sent again."""
    for rec in records:
        (
            SentRecord.insert(kind=rec["t"], uuid=rec["id"], version=rec["v"], digest=rec["h"])
            .on_conflict(
                conflict_target=[SentRecord.kind, SentRecord.uuid],
                update={SentRecord.version: rec["v"], SentRecord.digest: rec["h"]},
            )
            .execute()
        )
