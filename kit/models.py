"""The kit's tables. The schema itself is created by numbered migrations in kit/migrations.

Records that travel to the hub as upserts (users' display names, classes, learners,
class sessions) carry a ``uuid`` and a ``version`` bumped on every change.
"""

import datetime as dt
import json
import uuid as uuidlib

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    CompositeKey,
    DateField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)

from .db import database


def utcnow():
    """Return the current UTC time without tzinfo (stored as ISO text by peewee)."""
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def new_uuid():
    return str(uuidlib.uuid4())


class JSONField(TextField):
    """A dict stored as compact JSON text."""

    def db_value(self, value):
        return None if value is None else json.dumps(value, separators=(",", ":"), sort_keys=True)

    def python_value(self, value):
        return None if value is None else json.loads(value)


class BaseModel(Model):
    class Meta:
        database = database
        legacy_table_names = False


class Versioned(BaseModel):
    """A record that syncs upstream as a versioned upsert."""

    uuid = CharField(unique=True, default=new_uuid)
    version = IntegerField(default=1)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    def save(self, *args, **kwargs):
        if self.id is not None:
            self.version = (self.version or 0) + 1
            self.updated_at = utcnow()
        return super().save(*args, **kwargs)


class KitIdentity(BaseModel):
    """The kit's identity: exactly one row, made by `kit init`."""

    kit_uuid = CharField()
    site = CharField()
    location = CharField(default="")
    hardware_id = CharField(default="")
    created_at = DateTimeField(default=utcnow)


class User(Versioned):
    """A teacher or an admin who signs in at /teach."""

    username = CharField(unique=True)
    display_name = CharField()
    password_hash = CharField()
    role = CharField()  # "admin" or "teacher"
    language = CharField(default="")
    active = BooleanField(default=True)


class Classroom(Versioned):
    name = CharField(unique=True)
    active = BooleanField(default=True)


class Learner(Versioned):
    classroom = ForeignKeyField(Classroom, backref="learners")
    display_name = CharField()
    avatar = CharField(default="")
    colour = CharField(default="")
    picture_password = CharField(default="")  # hashed; never leaves the kit
    language = CharField(default="")
    sign_first = BooleanField(default=False)  # the player shows sign-language video first
    active = BooleanField(default=True)
    # A teacher's own training profile (kit.training): opened only through their account.
    teacher = ForeignKeyField(User, null=True, unique=True, on_delete="SET NULL", backref="training")

    class Meta:
        indexes = ((("classroom", "display_name"), True),)


class Pack(BaseModel):
    """An installed content pack; its files live in DATA/packs/<folder>/."""

    pack_id = CharField(unique=True)
    version = CharField()
    title = CharField()
    language = CharField(default="")
    description = TextField(default="")
    manifest = JSONField()
    folder = CharField()
    file_count = IntegerField(default=0)
    total_bytes = IntegerField(default=0)
    installed_at = DateTimeField(default=utcnow)


class Lesson(BaseModel):
    pack = ForeignKeyField(Pack, backref="lessons", on_delete="CASCADE")
    lesson_id = CharField()
    position = IntegerField()
    title = CharField()
    minutes = IntegerField(default=0)

    class Meta:
        indexes = ((("pack", "lesson_id"), True),)


class Assignment(BaseModel):
    """A pack (lesson_id empty) or one lesson assigned to a class."""

    classroom = ForeignKeyField(Classroom, backref="assignments", on_delete="CASCADE")
    pack_id = CharField()
    lesson_id = CharField(default="")
    due_date = DateField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("classroom", "pack_id", "lesson_id"), True),)


class Event(BaseModel):
    """The append-only event log: the source of truth for progress. Never updated."""

    seq = AutoField()
    uuid = CharField(unique=True)
    learner = ForeignKeyField(Learner, null=True, backref="events")
    pack_id = CharField(default="")
    lesson_id = CharField(default="")
    kind = CharField()
    payload = JSONField(default=dict)
    device_time = DateTimeField(null=True)
    boot_id = CharField(default="")
    mono_ms = IntegerField(null=True)
    received_at = DateTimeField(default=utcnow)


class LessonProgress(BaseModel):
    """Derived from events by kit.progress; `kit progress rebuild` remakes it identically."""

    learner = ForeignKeyField(Learner, backref="progress")
    pack_id = CharField()
    lesson_id = CharField()
    status = CharField(default="not_started")  # not_started, in_progress, completed, mastered
    page = IntegerField(default=0)
    score = FloatField(null=True)
    best_score = FloatField(null=True)
    attempts = IntegerField(default=0)
    seconds = IntegerField(default=0)
    needs_help = BooleanField(default=False)
    started_at = DateTimeField(null=True)
    completed_at = DateTimeField(null=True)
    last_seen = DateTimeField(null=True)
    last_seq = IntegerField(default=0)

    class Meta:
        indexes = ((("learner", "pack_id", "lesson_id"), True),)


class QuestionProgress(BaseModel):
    """Derived per learner and question: tries and whether it was ever answered right."""

    learner = ForeignKeyField(Learner, backref="answers")
    pack_id = CharField()
    lesson_id = CharField()
    question_id = CharField()
    attempts = IntegerField(default=0)
    wrong = IntegerField(default=0)
    correct = BooleanField(default=False)
    last_seq = IntegerField(default=0)

    class Meta:
        indexes = ((("learner", "pack_id", "lesson_id", "question_id"), True),)


class ClassSession(Versioned):
    """A class held from start to end: attendance and minutes of learning come from it."""

    classroom = ForeignKeyField(Classroom, backref="sessions")
    started_at = DateTimeField(default=utcnow)
    ended_at = DateTimeField(null=True)
    started_by = ForeignKeyField(User, null=True)
    summary = JSONField(null=True)


class Attendance(BaseModel):
    session = ForeignKeyField(ClassSession, backref="attendance", on_delete="CASCADE")
    learner = ForeignKeyField(Learner)
    minutes = IntegerField(default=0)

    class Meta:
        indexes = ((("session", "learner"), True),)


class Certificate(BaseModel):
    """A certificate the kit signed; derived from its `certificate_issued` event (kit.courses)."""

    code = CharField(unique=True)
    event_seq = IntegerField()
    learner = ForeignKeyField(Learner, backref="certificates")
    pack_id = CharField()
    pack_version = CharField()
    score_pct = IntegerField()
    issued_at = CharField()  # the document's own ISO time, as signed
    document = JSONField()
    signature = TextField()
    holder_name = TextField()
    holder_salt = TextField()


class CertificateRevocation(BaseModel):
    """A certificate the hub's managers revoked, as the kit learned it on a sync."""

    code = CharField(primary_key=True)
    reason = TextField()
    revoked_at = CharField()


class LiveClass(BaseModel):
    """A live class (kit.live): the teacher's step, mode and question, shared by every worker."""

    uuid = CharField(unique=True, default=new_uuid)
    classroom = ForeignKeyField(Classroom, backref="live_classes", on_delete="CASCADE")
    session = ForeignKeyField(ClassSession, null=True, on_delete="SET NULL")
    own_session = BooleanField(default=False)  # started with the live class, so ended with it
    pack_id = CharField()
    lesson_id = CharField()
    step = IntegerField(default=0)
    last_step = IntegerField()
    mode = CharField(default="follow")  # follow, free, pause
    rev = IntegerField(default=1)
    recall = IntegerField(default=0)
    code = CharField()
    asked = IntegerField(default=0)  # questions asked so far; the current one is number `asked`
    question = JSONField(null=True)
    started_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    started_at = DateTimeField(default=utcnow)
    ended_at = DateTimeField(null=True)


class LiveMember(BaseModel):
    """A learner who joined a live class: presence and raised hand (times: seconds since 1970)."""

    live = ForeignKeyField(LiveClass, backref="members", on_delete="CASCADE")
    learner = ForeignKeyField(Learner, on_delete="CASCADE")
    joined_at = IntegerField()
    seen_at = IntegerField()
    hand_up = BooleanField(default=False)
    hand_at = IntegerField(default=0)
    hand_window = IntegerField(default=0)
    hand_changes = IntegerField(default=0)

    class Meta:
        primary_key = CompositeKey("live", "learner")
        without_rowid = True


class LiveAnswer(BaseModel):
    """A learner's latest answer to a question asked to the room; derived from events."""

    live_uuid = CharField()
    question = IntegerField()
    learner = ForeignKeyField(Learner, on_delete="CASCADE")
    choices = JSONField()
    correct = BooleanField(null=True)
    last_seq = IntegerField()

    class Meta:
        primary_key = CompositeKey("live_uuid", "question", "learner")
        without_rowid = True


class WebSession(BaseModel):
    """One signed-in browser (kit.signins): its cookie names this row; no row, no session."""

    id = CharField(primary_key=True)
    user = ForeignKeyField(User, null=True, on_delete="CASCADE")
    learner = ForeignKeyField(Learner, null=True, on_delete="CASCADE")
    created_at = IntegerField()  # seconds since 1970, UTC
    seen_at = IntegerField()


class LoginFailure(BaseModel):
    """One failed sign-in, counted by kit.ratelimit."""

    key = CharField()
    at = DateTimeField(default=utcnow)


MODELS = [
    KitIdentity,
    User,
    Classroom,
    Learner,
    Pack,
    Lesson,
    Assignment,
    Event,
    LessonProgress,
    QuestionProgress,
    ClassSession,
    Attendance,
    Certificate,
    CertificateRevocation,
    WebSession,
    LoginFailure,
    LiveClass,
    LiveMember,
    LiveAnswer,
]
