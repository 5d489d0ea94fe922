"""What programme managers read at the hub: kits, learners reached, hours, completion.

Dates are the hub's corrected times (see timefix), so a kit whose clock was wrong still
reports learning on the right days. Each report is a list of dicts, for a page and CSV,
read from the summary tables (sync/hub/summaries.py), never from a scan of the events.
"""

import json
from collections import defaultdict

from peewee import fn

from .db import database
from .models import HubCertificate, HubSetAside, Kit, Record, utcnow

TEACHER_CLASS = "teacher training"  # a kit's class of teachers taking courses (kit demo makes one)


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


def learners_reached(limit=None, offset=0):
    """Distinct learners with at least one event, per site and month (hub_sum_reach: one row a kit and month).

    `limit` and `offset`: one page of the rows, fetched alone (the report page asks for 500).
    """
    sites = _sites()
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    query = database.execute_sql(
        f"SELECT kit_id, month, learners FROM hub_sum_reach ORDER BY month, kit_id{page}"
    )
    return [{"site": sites.get(kit_id, kit_id), "month": month, "learners": n} for kit_id, month, n in query]


def learners_reached_count():
    """How many rows learners_reached() has, without making them."""
    return database.execute_sql("SELECT COUNT(*) FROM hub_sum_reach").fetchone()[0]


def _session_seconds():
    """{(site, month): seconds} of class-session attendance, from the session records."""
    sites, seconds = _sites(), defaultdict(float)
    for kit_id, data in Record.select(Record.kit_id, Record.data).where(Record.kind == "session").tuples():
        session = json.loads(data)
        minutes = sum(m for _, m in session.get("attendance", []) if isinstance(m, (int, float)) and m > 0)
        if minutes and session.get("started_at"):
            seconds[(sites.get(kit_id, kit_id), session["started_at"][:7])] += minutes * 60
    return seconds


def hours():
    """Hours of learning per site and month: tablets' time on lessons (hub_sum_kit_hours), and class-session attendance."""
    sites, lessons = _sites(), defaultdict(int)
    for kit_id, month, ms in database.execute_sql(
        "SELECT kit_id, month, ms FROM hub_sum_kit_hours WHERE ms > 0"
    ):
        lessons[(sites.get(kit_id, kit_id), month)] += int(ms)
    sessions = _session_seconds()
    return [
        {
            "site": site,
            "month": month,
            "hours": round(lessons.get((site, month), 0) / 3_600_000, 2),
            "session_hours": round(sessions.get((site, month), 0) / 3600, 2),
        }
        for site, month in sorted(set(lessons) | set(sessions), key=lambda key: (key[1], key[0]))
    ]


def completion():
    """Per pack and lesson: learners who started (opened) and who completed it (hub_sum_lesson_count).

    A learner is one kit's: learner ids are made on the kit.
    """
    counts = defaultdict(dict)
    for pack, lesson, kind, n in database.execute_sql(
        "SELECT pack_id, lesson_id, kind, SUM(learners) FROM hub_sum_lesson_count GROUP BY pack_id, lesson_id, kind"
    ):
        counts[(pack, lesson)][kind] = int(n)
    rows = []
    for key in sorted(counts):
        s, d = counts[key].get("lesson_opened", 0), counts[key].get("lesson_completed", 0)
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


PAGED = {"learners": (learners_reached, learners_reached_count)}  # reports whose page is fetched alone

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
