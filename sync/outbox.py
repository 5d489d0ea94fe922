"""What the kit has to send: events above the cursor and records that changed.

Learners, classes, sessions (with their attendance) and teachers' display names travel
as versioned upserts. Password hashes and picture passwords never leave the kit; with
the ``pseudonymous_sync`` setting learners travel without their names.
"""

import hashlib
import json

from kit.models import Attendance, ClassSession, Classroom, Event, Learner, User

from .state import SentRecord, SetAside


def _ms(value):
    if value is None:
        return None
    import datetime as dt

    return int(value.replace(tzinfo=dt.timezone.utc).timestamp() * 1000)


def event_dict(row, learners):
    """Return an Event row as the dict protocol.encode_events expects."""
    return {
        "seq": row.seq, "uuid": row.uuid,
        "learner": learners.get(row.learner_id, ""),
        "pack_id": row.pack_id, "lesson_id": row.lesson_id, "kind": row.kind,
        "payload": row.payload if isinstance(row.payload, dict) else {"value": row.payload},
        "device_ms": _ms(row.device_time), "boot_id": row.boot_id,
        "mono_ms": row.mono_ms, "received_ms": _ms(row.received_at),
    }


def learner_uuids(rows):
    """Return {learner id: uuid} for the learners of these Event rows, in one query."""
    ids = {row.learner_id for row in rows if row.learner_id}
    return dict(Learner.select(Learner.id, Learner.uuid).where(Learner.id.in_(list(ids))).tuples()) if ids else {}


def pending_events(after, limit):
    """Return (events, skipped seqs, upto) for the next batch above seq `after`."""
    set_aside = {s.seq for s in SetAside.select(SetAside.seq).where(SetAside.seq > after)}
    rows = list(Event.select().where(Event.seq > after).order_by(Event.seq).limit(limit + len(set_aside)))
    learners = learner_uuids(rows)
    events, skipped, upto = [], [], after
    for row in rows:
        if row.seq in set_aside:
            skipped.append(row.seq)
        elif len(events) < limit:
            events.append(event_dict(row, learners))
        else:
            break
        upto = row.seq
    return events, skipped, upto


def _digest(data):
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:32]


def _iso(value):
    return value.isoformat() if value else None


def _user(row, ids):
    return {"display_name": row.display_name, "role": row.role, "active": row.active}


def _classroom(row, ids):
    return {"name": row.name, "active": row.active}


def _learner(row, ids):
    data = {"classroom": ids["classroom"].get(row.classroom_id), "language": row.language, "active": row.active}
    if not ids["pseudonymous"]:
        data["display_name"] = row.display_name
    return data


def _session(row, ids):
    return {
        "classroom": ids["classroom"].get(row.classroom_id), "started_at": _iso(row.started_at),
        "ended_at": _iso(row.ended_at), "started_by": ids["user"].get(row.started_by_id),
        "attendance": sorted(ids["attendance"].get(row.id, [])),
    }


KINDS = (("user", User, _user), ("classroom", Classroom, _classroom),
         ("learner", Learner, _learner), ("session", ClassSession, _session))


def _lookups(pseudonymous):
    """Read every id-to-uuid map once, so shaping N records costs a few queries, not N."""
    learners = dict(Learner.select(Learner.id, Learner.uuid).tuples())
    attendance = {}
    for session_id, learner_id, minutes in Attendance.select(
            Attendance.session, Attendance.learner, Attendance.minutes).tuples():
        attendance.setdefault(session_id, []).append([learners.get(learner_id), minutes])
    return {"pseudonymous": pseudonymous, "attendance": attendance,
            "classroom": dict(Classroom.select(Classroom.id, Classroom.uuid).tuples()),
            "user": dict(User.select(User.id, User.uuid).tuples())}


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
        (SentRecord.insert(kind=rec["t"], uuid=rec["id"], version=rec["v"], digest=rec["h"])
         .on_conflict(conflict_target=[SentRecord.kind, SentRecord.uuid],
                      update={SentRecord.version: rec["v"], SentRecord.digest: rec["h"]})
         .execute())
