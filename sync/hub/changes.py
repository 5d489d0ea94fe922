"""Downstream changes at the hub: made by a remote teacher, numbered per kit, sent once they are asked for.

A change gets the kit's next seq (1, 2, 3 … no gaps, the unique index refuses a
duplicate) and a UUID. The kit says what it has applied in two ways: the ``after`` of
its next GET /sync/v1/changes, and the ``remote_change_applied`` events it sends up
(with the outcome, online or in a USB bundle); a ``remote_note_seen`` event says the
learner saw a note. :func:`refresh` reads those events into the change rows;
:func:`seen_by` counts who saw a note to a whole class (one event per learner).
"""

import json
import uuid as uuidlib

from peewee import BigIntegerField, CharField, DateTimeField, IntegrityError, TextField, fn

from kit.errors import KitError

from ..changes_format import check_change
from .db import database
from .models import HubEvent, HubModel, Record, utcnow
from .scopes import writable

ATTEMPTS = 5  # two writers taking the same seq on PostgreSQL: the loser tries the next one


class HubChange(HubModel):
    kit_id = CharField()
    seq = BigIntegerField()
    change_id = CharField(unique=True)
    kind = CharField()
    class_uuid = CharField(default="")
    learner_uuid = CharField(default="")
    body = TextField()  # the change as it goes on the wire (sync/changes_format.py)
    author = CharField()
    created_at = DateTimeField(default=utcnow)
    delivered_at = DateTimeField(null=True)
    outcome = TextField(default="")
    seen_at = DateTimeField(null=True)

    class Meta:
        table_name = "hub_change"


def _learner_in(found, learner_uuid):
    """Refuse a learner who is not in this class (as the kit last said)."""
    record = Record.get_or_none(
        (Record.kit_id == found.kit_id) & (Record.kind == "learner") & (Record.uuid == learner_uuid)
    )
    if record is None or json.loads(record.data).get("classroom") != found.uuid:
        raise KitError("that learner is not in this class")


def make(found, author, kind, learner="", text="", pack="", lesson="", due="", course=False):
    """Record one change for a class (found by sync.hub.scopes.find_class); return its row.

    `course`: an assignment of a whole pack as its course (the caller checked the catalogue
    has one: sync.hub.catalogue.courses).
    """
    writable(found)
    if learner:
        _learner_in(found, learner)
    change = {
        "seq": 1,
        "id": str(uuidlib.uuid4()),
        "kind": kind,
        "class": found.uuid,
        "learner": learner or "",
        "author": author,
        "made_at": utcnow().isoformat(timespec="seconds") + "Z",
        "text": (text or "").strip(),
        "pack": (pack or "").strip(),
        "lesson": (lesson or "").strip(),
        "due": (due or "").strip(),
        "course": bool(course),
    }
    check_change(change)  # the same checks the kit makes: never store what a kit would refuse
    for _ in range(ATTEMPTS):
        try:
            with database.atomic():
                top = HubChange.select(fn.MAX(HubChange.seq)).where(HubChange.kit_id == found.kit_id).scalar()
                change["seq"] = (top or 0) + 1
                return HubChange.create(
                    kit_id=found.kit_id,
                    seq=change["seq"],
                    change_id=change["id"],
                    kind=kind,
                    class_uuid=found.uuid,
                    learner_uuid=change["learner"],
                    body=json.dumps(change, sort_keys=True),
                    author=author,
                )
        except IntegrityError:
            continue
    raise KitError("the hub is busy numbering this kit's changes: try again")


def pending(kit_id, after, limit):
    """The kit's changes above `after`, in order, as they go on the wire; and whether more wait."""
    rows = list(
        HubChange.select()
        .where((HubChange.kit_id == kit_id) & (HubChange.seq > after))
        .order_by(HubChange.seq)
        .limit(limit + 1)
    )
    return [json.loads(r.body) for r in rows[:limit]], len(rows) > limit


def applied_upto(kit_id, after):
    """The kit asked for changes after `after`: so it has applied every one up to it."""
    HubChange.update(delivered_at=utcnow()).where(
        (HubChange.kit_id == kit_id) & (HubChange.seq <= after) & HubChange.delivered_at.is_null()
    ).execute()


def refresh(kit_id):
    """Read the kit's applied / seen events into its change rows (outcome and times)."""
    rows = {
        r.change_id: r
        for r in HubChange.select().where(
            (HubChange.kit_id == kit_id) & (HubChange.seen_at.is_null() | (HubChange.outcome == ""))
        )
    }
    if not rows:
        return
    events = HubEvent.select(HubEvent.kind, HubEvent.payload, HubEvent.corrected_time).where(
        (HubEvent.kit_id == kit_id)
        & HubEvent.kind.in_(["remote_change_applied", "remote_note_seen", "remote_change_undone"])
    )
    with database.atomic():
        for kind, payload, when in events.tuples():
            try:
                data = json.loads(payload)
                row = rows.get(data.get("change"))
            except (ValueError, AttributeError):
                continue
            if row is None:
                continue
            if kind == "remote_change_applied" and not row.outcome:
                row.outcome = str(data.get("outcome", "applied"))[:300]
                row.delivered_at = row.delivered_at or when
            elif kind == "remote_note_seen" and row.seen_at is None:
                row.seen_at = when
            elif kind == "remote_change_undone":
                row.outcome = "undone on the kit by the local teacher"
            row.save()


def seen_by(kit_id, change_ids):
    """Return {change id: {learner uuid, …}}: who saw each of these class-wide notes, as the kit said."""
    wanted = set(change_ids)
    seen = {change_id: set() for change_id in wanted}
    if not wanted:
        return seen
    events = HubEvent.select(HubEvent.payload).where(
        (HubEvent.kit_id == kit_id) & (HubEvent.kind == "remote_note_seen")
    )
    for (payload,) in events.tuples().iterator():
        try:
            data = json.loads(payload)
            change, learner = data.get("change"), data.get("learner")
        except (ValueError, AttributeError):
            continue
        if change in wanted and isinstance(learner, str) and learner:
            seen[change].add(learner)
    return seen


def for_class(kit_id, class_uuid, limit=100):
    refresh(kit_id)
    return list(
        HubChange.select()
        .where((HubChange.kit_id == kit_id) & (HubChange.class_uuid == class_uuid))
        .order_by(HubChange.seq.desc())
        .limit(limit)
    )


def delivered_upto(kit_id):
    """The highest seq below which the hub knows every change of this kit was applied."""
    refresh(kit_id)
    top = 0
    for seq, delivered in (
        HubChange.select(HubChange.seq, HubChange.delivered_at)
        .where(HubChange.kit_id == kit_id)
        .order_by(HubChange.seq)
        .tuples()
    ):
        if delivered is None:
            break
        top = seq
    return top
