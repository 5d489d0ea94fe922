"""The hub's tables (created by sync/hub/migrations), as peewee models on the hub database."""

import datetime as dt

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateTimeField,
    IntegerField,
    Model,
    TextField,
)

from .db import database


def utcnow():
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


EPOCH = dt.datetime(1970, 1, 1)
DAY_MS = 86_400_000


def ms_to_dt(ms):
    """Return a naive UTC datetime for milliseconds since 1970, or None."""
    if ms is None:
        return None
    return EPOCH + dt.timedelta(milliseconds=ms)


def now_ms():
    return int(dt.datetime.now(dt.UTC).timestamp() * 1000)


class HubModel(Model):
    class Meta:
        database = database


class HubUser(HubModel):
    username = CharField(unique=True)
    password_hash = CharField()
    created_at = DateTimeField(default=utcnow)
    active = BooleanField(default=True)
    role = CharField(default="manager")  # manager, or remote-teacher (sync/hub/scopes.py)

    class Meta:
        table_name = "hub_user"


class HubWebSession(HubModel):
    """One signed-in browser (sync.hub.signins): the cookie names this row; no row, no session."""

    id = CharField(primary_key=True)
    username = CharField()
    created_at = DateTimeField(default=utcnow)
    seen_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "hub_web_session"


class Failure(HubModel):
    """A failed sign-in or enrolment try, counted for rate limiting."""

    key = CharField()
    at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "hub_failure"


class EnrollCode(HubModel):
    code_hash = CharField(unique=True)
    name = CharField()
    created_at = DateTimeField(default=utcnow)
    expires_at = DateTimeField()
    used_at = DateTimeField(null=True)
    kit_id = CharField(null=True)  # the kit that spent it
    for_kit = CharField(null=True)  # bound when made: None for a new kit, else the one kit it re-enrols

    class Meta:
        table_name = "hub_enroll_code"


class Kit(HubModel):
    kit_id = CharField(unique=True)
    name = CharField()
    site = CharField(default="")
    location = CharField(default="")
    secret_hash = CharField()
    enrolled_at = DateTimeField(default=utcnow)
    revoked_at = DateTimeField(null=True)
    last_contact = DateTimeField(null=True)
    version = CharField(default="")
    acked_seq = BigIntegerField(default=0)
    acked_anchor = BigIntegerField(default=0)
    events_received = BigIntegerField(default=0)
    clock_offset_ms = BigIntegerField(null=True)
    last_problem = TextField(default="")
    public_key = CharField(default="")  # Ed25519, URL-safe base64: checks its certificates

    class Meta:
        table_name = "hub_kit"


class Range(HubModel):
    """Seqs (after, upto] a kit delivered ahead of a gap; merged into acked_seq later."""

    kit_id = CharField()
    after_seq = BigIntegerField()
    upto_seq = BigIntegerField()

    class Meta:
        table_name = "hub_range"


class HubEvent(HubModel):
    kit_id = CharField()
    seq = BigIntegerField()
    uuid = CharField(unique=True)
    learner_uuid = CharField(default="")
    pack_id = CharField(default="")
    lesson_id = CharField(default="")
    kind = CharField()
    payload = TextField()
    device_time = DateTimeField(null=True)
    corrected_time = DateTimeField()
    time_estimated = BooleanField()
    boot_id = CharField(default="")
    mono_ms = BigIntegerField(null=True)
    kit_received_at = DateTimeField()
    stored_at = DateTimeField(default=utcnow)
    via = CharField()  # "online" or "bundle"

    class Meta:
        table_name = "hub_event"


class HubSetAside(HubModel):
    """An event the kit set aside, or one whose UUID another kit already owns."""

    kit_id = CharField()
    seq = BigIntegerField()
    uuid = CharField()
    reason = TextField()
    at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "hub_set_aside"


class HubAnchor(HubModel):
    kit_id = CharField()
    anchor_id = BigIntegerField()
    boot_id = CharField()
    wall_ms = BigIntegerField()
    mono_ms = BigIntegerField()
    last_seq = BigIntegerField()
    true_ms = BigIntegerField()
    estimated = BooleanField()

    class Meta:
        table_name = "hub_anchor"


class ClockSample(HubModel):
    """Both clocks at one exchange: the kit's (wall, boot, monotonic) and the hub's."""

    kit_id = CharField()
    boot_id = CharField()
    device_ms = BigIntegerField()
    mono_ms = BigIntegerField()
    hub_ms = BigIntegerField()

    class Meta:
        table_name = "hub_clock"


class Record(HubModel):
    kit_id = CharField()
    kind = CharField()
    uuid = CharField()
    version = IntegerField()
    digest = CharField()
    data = TextField()
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "hub_record"


class HubPack(HubModel):
    pack_id = CharField()
    version = CharField()
    title = CharField()
    sha256 = CharField()
    size = BigIntegerField()
    filename = CharField()
    published_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "hub_pack"


class Bundle(HubModel):
    bundle_id = CharField(unique=True)
    kit_id = CharField()
    after_seq = BigIntegerField()
    upto_seq = BigIntegerField()
    events_stored = BigIntegerField()
    imported_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "hub_bundle"


class HubCertificate(HubModel):
    """A certificate a kit issued whose signature checked out against the kit's key."""

    code = CharField(primary_key=True)
    kit_id = CharField()
    event_uuid = CharField()
    learner_uuid = CharField()
    course = CharField()
    pack_version = CharField()
    title = TextField()
    site = TextField()
    holder_initials = TextField()
    holder_name = TextField()  # empty when the kit syncs pseudonymously
    score_pct = IntegerField()
    credit_hours = CharField()
    issued_at = CharField()  # the kit's own time, as signed
    corrected_time = DateTimeField()  # the hub's estimate of the true time (timefix)
    revoked_at = DateTimeField(null=True)
    revoked_reason = TextField(default="")
    revoked_by = CharField(default="")

    class Meta:
        table_name = "hub_certificate"


class HubCertificateRefused(HubModel):
    """A certificate_issued event whose certificate did not check out (a forgery, or no key)."""

    event_uuid = CharField(primary_key=True)
    kit_id = CharField()
    code = CharField()
    reason = TextField()
    at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "hub_certificate_refused"
