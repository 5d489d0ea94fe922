"""What programme managers read at the hub: kits, learners reached, hours, completion.

Dates are the hub's corrected times (see timefix), so a kit whose clock was wrong still
reports learning on the right days. Each report is a list of dicts, for a page and CSV.
"""

import json
from collections import defaultdict

from peewee import fn

from .db import dialect
from .models import HubCertificate, HubEvent, HubSetAside, Kit, Record, utcnow

TEACHER_CLASS = "teacher training"  # a kit's class of teachers taking courses (kit demo makes one)


def _month(field):
    if dialect() == "postgresql":
        return fn.to_char(field, "YYYY-MM")
    return fn.strftime("%Y-%m", field)


def _sites():
    return {k.kit_id: (k.site or k.name) for k in Kit.select(Kit.kit_id, Kit.site, Kit.name)}


def kits():
    """One row per kit: status, last contact, events received, clock offset, version."""
    set_aside = dict(
        HubSetAside.select(HubSetAside.kit_id, fn.COUNT(HubSetAside.id)).group_by(HubSetAside.kit_id).tuples()
    )
    rows = []
    for k in Kit.select().order_by(Kit.name):
        offset = None if k.clock_offset_ms is None else round(k.clock_offset_ms / 1000)
        rows.append(
            {
                "name": k.name,
                "kit_id": k.kit_id,
                "site": k.site,
                "location": k.location,
                "status": "revoked" if k.revoked_at else "active",
                "last_contact": k.last_contact.isoformat(timespec="seconds") if k.last_contact else "never",
                "events_received": k.events_received,
                "acked_seq": k.acked_seq,
                "clock_offset": "" if offset is None else f"{offset:+d} s",
                "version": k.version,
                "set_aside": set_aside.get(k.kit_id, 0),
            }
        )
    return rows


def learners_reached():
    """Distinct learners with at least one event, per site and month."""
    sites = _sites()
    month = _month(HubEvent.corrected_time)
    query = (
        HubEvent.select(
            HubEvent.kit_id,
            month.alias("month"),
            fn.COUNT(HubEvent.learner_uuid.distinct()).alias("learners"),
        )
        .where(HubEvent.learner_uuid != "")
        .group_by(HubEvent.kit_id, month)
        .order_by(month, HubEvent.kit_id)
        .dicts()
    )
    return [
        {"site": sites.get(r["kit_id"], r["kit_id"]), "month": r["month"], "learners": r["learners"]}
        for r in query
    ]


def hours():
    """Hours of learning per site and month: tablets' time on lessons, and class-session attendance."""
    sites = _sites()
    lessons, sessions = defaultdict(float), defaultdict(float)
    query = (
        HubEvent.select(HubEvent.kit_id, HubEvent.corrected_time, HubEvent.payload)
        .where(HubEvent.kind == "time_spent")
        .tuples()
        .iterator()
    )
    for kit_id, when, payload in query:
        try:
            seconds = float(json.loads(payload).get("seconds", 0))
        except (ValueError, TypeError, AttributeError):
            continue
        if 0 < seconds < 86400:
            lessons[(sites.get(kit_id, kit_id), when.strftime("%Y-%m"))] += seconds
    for kit_id, data in Record.select(Record.kit_id, Record.data).where(Record.kind == "session").tuples():
        session = json.loads(data)
        minutes = sum(m for _, m in session.get("attendance", []) if isinstance(m, (int, float)) and m > 0)
        if minutes and session.get("started_at"):
            sessions[(sites.get(kit_id, kit_id), session["started_at"][:7])] += minutes * 60
    return [
        {
            "site": site,
            "month": month,
            "hours": round(lessons.get((site, month), 0) / 3600, 2),
            "session_hours": round(sessions.get((site, month), 0) / 3600, 2),
        }
        for site, month in sorted(set(lessons) | set(sessions), key=lambda key: (key[1], key[0]))
    ]


def completion():
    """Per pack and lesson: learners who started (opened) and who completed it."""
    started = dict(
        ((r[0], r[1]), r[2])
        for r in HubEvent.select(
            HubEvent.pack_id, HubEvent.lesson_id, fn.COUNT(HubEvent.learner_uuid.distinct())
        )
        .where(HubEvent.kind == "lesson_opened")
        .group_by(HubEvent.pack_id, HubEvent.lesson_id)
        .tuples()
    )
    done = dict(
        ((r[0], r[1]), r[2])
        for r in HubEvent.select(
            HubEvent.pack_id, HubEvent.lesson_id, fn.COUNT(HubEvent.learner_uuid.distinct())
        )
        .where(HubEvent.kind == "lesson_completed")
        .group_by(HubEvent.pack_id, HubEvent.lesson_id)
        .tuples()
    )
    rows = []
    for key in sorted(set(started) | set(done)):
        s, d = started.get(key, 0), done.get(key, 0)
        rows.append(
            {
                "pack": key[0],
                "lesson": key[1],
                "started": s,
                "completed": d,
                "rate": f"{100 * d / s:.0f}%" if s else "",
            }
        )
    return rows


def learners():
    """Learner records, as the kits sent them (names absent for pseudonymous kits)."""
    sites = _sites()
    rows = []
    for r in Record.select().where(Record.kind == "learner").order_by(Record.kit_id, Record.uuid):
        data = json.loads(r.data)
        rows.append(
            {
                "site": sites.get(r.kit_id, r.kit_id),
                "learner": r.uuid,
                "name": data.get("display_name", ""),
                "active": data.get("active", True),
            }
        )
    return rows


def _teachers():
    """Learner UUIDs in a class named "Teacher training" (any case), from the kits' records."""
    classes = {
        uuid
        for uuid, data in Record.select(Record.uuid, Record.data).where(Record.kind == "classroom").tuples()
        if str(json.loads(data).get("name", "")).strip().casefold() == TEACHER_CLASS
    }
    return {
        uuid
        for uuid, data in Record.select(Record.uuid, Record.data).where(Record.kind == "learner").tuples()
        if json.loads(data).get("classroom") in classes
    }


def certificates():
    """Certificates per course, site and month (hub-corrected time); revoked ones apart, and
    how many went to teachers (learners of a "Teacher training" class)."""
    teachers = _teachers()
    counts = defaultdict(lambda: [0, 0, 0, 0.0])
    for row in HubCertificate.select().iterator():
        key = (row.title, row.site, row.corrected_time.strftime("%Y-%m"))
        entry = counts[key]
        if row.revoked_at:
            entry[1] += 1
            continue
        entry[0] += 1
        entry[2] += row.learner_uuid in teachers
        try:
            entry[3] += float(row.credit_hours)
        except ValueError:
            pass
    return [
        {
            "course": course,
            "site": site,
            "month": month,
            "certificates": valid,
            "teachers_trained": trained,
            "credit_hours": round(hours, 2),
            "revoked": revoked,
        }
        for (course, site, month), (valid, revoked, trained, hours) in sorted(
            counts.items(), key=lambda item: (item[0][2], item[0][0], item[0][1])
        )
    ]


REPORTS = {
    "kits": kits,
    "learners": learners_reached,
    "hours": hours,
    "completion": completion,
    "roster": learners,
    "certificates": certificates,
}


def generated_at():
    return utcnow().isoformat(timespec="seconds") + "Z"
