"""Class sessions: start, end, who attended and minutes of learning — the hours programmes report.

Minutes come from the event log, on the kit's own clock (``Event.received_at``, the same
clock that stamps the session's start and end), so a tablet with a wrong clock cannot
inflate them. A learner's minutes are the gaps between their consecutive events inside the
session, each gap counted up to IDLE_GAP_S (a learner who stops for longer was not
learning in between), rounded to the nearest minute. Programmes report these hours, so
they must never exceed what happened: events that arrive in the grace after the end count
as at the end, so no learner's minutes exceed the session's length, and nobody is given
a minute they did not spend (one tap is attendance, not a minute of learning). A learner
attended when they have an event in the session, signed in during it, or the teacher
marked them present (the last two are Attendance rows made while it runs).
"""

import datetime as dt

from flask_babel import gettext as _

from .db import fetch_json, write
from .errors import Conflict, KitError, NotFound
from .models import Attendance, ClassSession, Event, Learner, LessonProgress, utcnow
from .roster import get_class, get_learner

IDLE_GAP_S = 300
# Events that arrive a little after the end (a tablet's queue draining) still count.
LATE_GRACE_S = 120


def current_session(class_id):
    """Return the class's open session, or None."""
    return (
        ClassSession.select()
        .where((ClassSession.classroom == class_id) & (ClassSession.ended_at.is_null()))
        .order_by(ClassSession.started_at.desc())
        .first()
    )


def get_session(session_id):
    found = ClassSession.get_or_none(ClassSession.id == session_id)
    if found is None:
        raise NotFound(_("no such class session"))
    return found


def start_session(class_id, user=None):
    """Open a session for a class; refuse if one is already open."""
    with write():
        room = get_class(class_id)
        if not room.active:
            raise KitError(_("this class is deactivated; reactivate it to start a session"))
        if current_session(room.id) is not None:
            raise Conflict(_("a session is already running for this class"))
        return ClassSession.create(classroom=room, started_by=user, started_at=utcnow())


def mark_present(session_id, learner_id, present=True):
    """Mark a learner present (or not) by hand, e.g. one who shared a tablet."""
    with write():
        sess = get_session(session_id)
        learner = get_learner(learner_id)
        if learner.classroom_id != sess.classroom_id:
            raise KitError(_("this learner is not in the session's class"))
        if sess.ended_at is not None:
            raise Conflict(_("this session has ended"))
        if present:
            Attendance.get_or_create(session=sess, learner=learner)
        else:
            Attendance.delete().where(
                (Attendance.session == sess) & (Attendance.learner == learner)
            ).execute()


def note_signed_in(learner_id, class_id):
    """Count a learner who signs in while their class's session runs as present, even if
    they open no lesson (attendance is who came; the minutes say what they did)."""
    open_id = fetch_json(
        "SELECT json_array(id) FROM class_session WHERE classroom_id = ? AND ended_at IS NULL", (class_id,)
    )
    if open_id is None:
        return
    with write():
        Attendance.insert(session=open_id[0], learner=learner_id).on_conflict_ignore().execute()


def learning_seconds(times):
    """Return active seconds from sorted event times: gaps capped at IDLE_GAP_S."""
    total = 0.0
    for earlier, later in zip(times, times[1:]):
        total += min((later - earlier).total_seconds(), IDLE_GAP_S)
    return total


def whole_minutes(seconds):
    """Round seconds to the nearest minute, half up: 29 s is 0 minutes, 30 s is 1."""
    return int(seconds // 60 + (seconds % 60 >= 30))


def minutes_by_learner(class_id, start, end, grace_s=0):
    """Return {learner_id: minutes} for the class's learners with events in [start, end].

    Events up to `grace_s` after `end` (a tablet's queue draining) count as at `end`.
    """
    rows = (
        Event.select(Event.learner, Event.received_at)
        .join(Learner)
        .where(
            (Learner.classroom == class_id)
            & (Event.received_at >= start)
            & (Event.received_at <= end + dt.timedelta(seconds=grace_s))
        )
        .order_by(Event.learner, Event.received_at)
        .tuples()
    )
    times = {}
    for learner_id, received in rows:
        times.setdefault(learner_id, []).append(min(received, end))
    return {lid: whole_minutes(learning_seconds(ts)) for lid, ts in times.items()}


def live_attendance(sess):
    """Return {learner_id: minutes so far} for an open or ended session."""
    if sess.ended_at:
        minutes = minutes_by_learner(sess.classroom_id, sess.started_at, sess.ended_at, LATE_GRACE_S)
    else:
        minutes = minutes_by_learner(sess.classroom_id, sess.started_at, utcnow())
    for row in Attendance.select().where(Attendance.session == sess):
        minutes.setdefault(row.learner_id, row.minutes if sess.ended_at else 0)
    return minutes


def end_session(session_id):
    """Close a session: record attendance and minutes per learner and a summary."""
    with write():
        sess = get_session(session_id)
        if sess.ended_at is not None:
            raise Conflict(_("this session has already ended"))
        sess.ended_at = utcnow()
        minutes = minutes_by_learner(sess.classroom_id, sess.started_at, sess.ended_at, LATE_GRACE_S)
        marked = {a.learner_id for a in Attendance.select().where(Attendance.session == sess)}
        for learner_id in set(minutes) | marked:
            Attendance.insert(
                session=sess, learner=learner_id, minutes=minutes.get(learner_id, 0)
            ).on_conflict(
                conflict_target=[Attendance.session, Attendance.learner],
                update={Attendance.minutes: minutes.get(learner_id, 0)},
            ).execute()
        sess.summary = _summary(sess, minutes, marked)
        sess.save()
    return sess


def _summary(sess, minutes, marked):
    """Return the figures shown at the end of a session and reported upstream."""
    enrolled = Learner.select().where((Learner.classroom == sess.classroom_id) & Learner.active).count()
    finished = (
        LessonProgress.select()
        .join(Learner)
        .where(
            (Learner.classroom == sess.classroom_id)
            & (LessonProgress.completed_at >= sess.started_at)
            & (LessonProgress.completed_at <= sess.ended_at)
        )
    )
    return {
        "duration_minutes": whole_minutes((sess.ended_at - sess.started_at).total_seconds()),
        "enrolled": enrolled,
        "attended": len(set(minutes) | marked),
        "learning_minutes": sum(minutes.values()),
        "lessons_completed": finished.count(),
        "lessons_mastered": finished.where(LessonProgress.status == "mastered").count(),
    }


def session_report(sess):
    """Return [(learner, minutes, present)] for every learner of the class, by name."""
    minutes = live_attendance(sess)
    learners = Learner.select().where(Learner.classroom == sess.classroom_id).order_by(Learner.display_name)
    return [(l, minutes.get(l.id, 0), l.id in minutes) for l in learners if l.active or l.id in minutes]


def list_sessions(class_id, limit=20):
    """Return the class's most recent sessions, newest first."""
    return list(
        ClassSession.select()
        .where(ClassSession.classroom == class_id)
        .order_by(ClassSession.started_at.desc())
        .limit(limit)
    )
