"""A teacher's own training: their account's learner profile in the kit's "Teacher training" class.

Teachers take courses as learners (the course, the pass rule, the signed certificate and
the hub's count of "teachers trained" are all about learners), so a teacher account gets
one learner profile, linked to it (``learner.teacher_id``), in the class the hub counts:
"Teacher training", made on first use with the teacher-training course assigned when it
is installed. A teacher opens it from the teacher pages, having signed in with their
password; the tablets' list of names never shows it and `/signin` refuses it, so nobody
else can take a course in a teacher's name. An active learner already in that class under
the teacher's name (added by hand before, as the guide used to say) becomes the profile,
with the progress it has. docs/architecture.md, "Teachers in training", says why it is done so.
"""

from flask_babel import gettext as _

from .assignments import assign
from .db import write
from .errors import Conflict
from .models import Assignment, Learner, Pack
from .roster import add_learner, create_class, find_class

CLASS_NAME = "Teacher training"
# The teacher-training course (content_packs/), first choice for a new class: in the
# teacher's language when that pack is installed, else the first installed.
COURSE_PACKS = ("teaching-with-tablets", "teaching-with-tablets-fr")


class TrainingClosed(Conflict):
    code = "training_closed"


def profile_of(user_id):
    """The learner profile linked to this teacher account, or None before first use."""
    return Learner.get_or_none(Learner.teacher == user_id)


def training_class():
    """The kit's teacher-training class, or None before anyone made it."""
    return find_class(CLASS_NAME)


def open_profile(user):
    """Return the account's learner profile, making it (and the class) on first use.

    Refuses, changing nothing, when a teacher deactivated the profile or the class: the
    teacher who looks after the class decides who trains in it.
    """
    with write():
        learner = profile_of(user.id)
        if learner is None:
            learner = _make(user)
        if not learner.active or not learner.classroom.active:
            raise TrainingClosed(
                _(
                    "Your training profile, or the class %(class)s, has been deactivated: "
                    "reactivate it on the class's roster first.",
                    **{"class": learner.classroom.name},
                )
            )
        return learner


def _make(user):
    room = training_class() or create_class(CLASS_NAME)
    if not room.active:
        raise TrainingClosed(
            _("The class %(class)s has been deactivated: reactivate it first.", **{"class": room.name})
        )
    learner = Learner.get_or_none(
        (Learner.classroom == room)
        & (Learner.display_name == user.display_name)
        & Learner.teacher.is_null()
        & (Learner.active == True)  # noqa: E712
    )
    if learner is None:
        taken = Learner.select().where(
            (Learner.classroom == room) & (Learner.display_name == user.display_name)
        )
        name = f"{user.display_name} ({user.username})" if taken.exists() else user.display_name
        learner = add_learner(room.id, name=name, language=user.language or "")
    learner.teacher = user.id
    learner.save()
    _assign_course(room, user.language)
    return learner


def _assign_course(room, language):
    """Give a new (or empty) training class the teacher-training course, if installed."""
    if Assignment.select().where(Assignment.classroom == room).exists():
        return
    installed = {p.pack_id: p.language for p in Pack.select().where(Pack.pack_id.in_(COURSE_PACKS))}
    ordered = sorted(
        installed, key=lambda pack_id: (installed[pack_id] != language, COURSE_PACKS.index(pack_id))
    )
    if ordered:
        assign(room.id, ordered[0])
