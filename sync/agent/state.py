"""The agent's persisted state on the kit: enrolment, cursor, stage, attempts, anchors.

Tables come from sync/agent/migrations (namespace "sync"); these models read and write them
through the kit's database, always inside ``kit.db.write()`` for changes.
"""

import logging
import time

from peewee import CharField, DateTimeField, IntegerField, TextField

from kit.datafolder import identity
from kit.db import write
from kit.errors import KitError
from kit.hardware import boot_id
from kit.models import BaseModel, Event, utcnow

logger = logging.getLogger(__name__)


class SyncState(BaseModel):
    """The single row describing this kit's link with its hub."""

    hub_url = TextField()
    kit_id = CharField()
    secret = CharField()
    hub_name = TextField(default="")
    enrolled_at = DateTimeField(default=utcnow)
    # idle, pulling_changes, probing, pushing_events, pushing_records, pulling_packs, backoff (sync/agent/agent.py)
    stage = CharField(default="idle")
    acked_seq = IntegerField(default=0)
    acked_anchor = IntegerField(default=0)
    attempts = IntegerField(default=0)
    batch_size = IntegerField(default=200)
    next_attempt_at = DateTimeField(null=True)
    last_attempt_at = DateTimeField(null=True)
    last_success_at = DateTimeField(null=True)
    last_error = TextField(default="")
    last_error_at = DateTimeField(null=True)
    clock_offset_ms = IntegerField(null=True)
    catalogue_etag = CharField(default="")
    last_result = TextField(default="")
    changes_seq = IntegerField(default=0)  # downstream changes applied up to (sync/agent/downstream.py)

    class Meta:
        table_name = "sync_state"


class SentRecord(BaseModel):
    kind = CharField()
    uuid = CharField()
    version = IntegerField()
    digest = CharField()

    class Meta:
        table_name = "sync_sent_record"


class SetAside(BaseModel):
    seq = IntegerField(unique=True)
    uuid = CharField()
    error = TextField()
    at = DateTimeField(default=utcnow)
    retry = IntegerField(default=0)  # 1: offer it to the hub once more at the next sync

    class Meta:
        table_name = "sync_set_aside"


class Anchor(BaseModel):
    """A reading of the kit's clocks: wall time, boot id and monotonic time together."""

    boot_id = CharField()
    wall_ms = IntegerField()
    mono_ms = IntegerField()
    last_seq = IntegerField()

    class Meta:
        table_name = "sync_anchor"


class Download(BaseModel):
    pack_id = CharField()
    version = CharField()
    sha256 = CharField(unique=True)
    size = IntegerField()
    bytes_done = IntegerField(default=0)
    status = CharField(default="pending")  # pending, installed, failed
    error = TextField(default="")
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "sync_download"


class NotEnrolled(KitError):
    code = "not_enrolled"


def clocks():
    """Return (wall_ms, boot_id, mono_ms) read together."""
    return int(time.time() * 1000), boot_id(), int(time.monotonic() * 1000)


def get_state(required=True):
    """Return the SyncState row, or None / NotEnrolled when the kit has no hub yet.

    An enrolment made under another kit UUID does not count: a copied SD card takes a
    fresh identity at first boot (kit.identity.check_board), and must never sync under
    the original kit's id and secret, or the hub would take its events for the other
    kit's.
    """
    row = SyncState.select().first()
    if row is not None and row.kit_id != _kit_uuid():
        logger.warning(
            "sync state belongs to kit %s, not this kit %s (a copied card?): "
            "not syncing until `kit sync enroll` runs again",
            row.kit_id,
            _kit_uuid(),
        )
        row = None
        if required:
            raise NotEnrolled(
                "this kit's identity changed since it was enrolled (a copied SD card?): "
                "enrol it again with `kit sync enroll --hub URL --code CODE`"
            )
    if row is None and required:
        raise NotEnrolled("this kit is not enrolled with a hub: run `kit sync enroll --hub URL --code CODE`")
    return row


def _kit_uuid():
    return identity().kit_uuid


def update_state(**fields):
    """Change fields of the state row in one short write transaction."""
    with write():
        SyncState.update(**fields).execute()


def max_seq():
    return Event.select(Event.seq).order_by(Event.seq.desc()).scalar() or 0


def waiting_events(state):
    """Count events above the acknowledged cursor that are not set aside."""
    return (
        Event.select().where(Event.seq > state.acked_seq).count()
        - SetAside.select().where(SetAside.seq > state.acked_seq).count()
    )


def record_anchor(force=False):
    """Note the kit's clocks when they jumped, the boot changed, or new events arrived.

    The hub turns each anchor into true time; events between anchors are placed by
    their receipt time relative to the nearest anchor (docs/sync-protocol.md, Time).
    """
    wall, boot, mono = clocks()
    last = Anchor.select().order_by(Anchor.id.desc()).first()
    top = max_seq()
    if last is not None and not force and last.boot_id == boot and last.last_seq >= top:
        drift = abs((wall - mono) - (last.wall_ms - last.mono_ms))
        if drift < 2000:
            return last
    with write():
        return Anchor.create(boot_id=boot, wall_ms=wall, mono_ms=mono, last_seq=top)


def anchors_after(anchor_id, limit=500):
    rows = Anchor.select().where(Anchor.id > anchor_id).order_by(Anchor.id).limit(limit)
    return [[a.id, a.boot_id, a.wall_ms, a.mono_ms, a.last_seq] for a in rows]
