"""A live class, the teacher's side: start on a lesson, move, change mode, ask the room, end.

Every change the tablets must see bumps the class's `rev`. A teacher's device sends the
`rev` it last saw with each change and a stale one is refused (409) with the class as it
is now: a replayed or crossed "move" from a second device or a slow network never moves
the class anywhere its teacher did not just look. Ending turns the live class's class
session (started with it, unless one was already running) into attendance and minutes,
the hours programmes report.
"""

import secrets
import time

from flask_babel import gettext as _

from .. import class_sessions
from ..db import write
from ..errors import Conflict, KitError, NotFound
from ..events import record, server_event
from ..models import ClassSession, LiveClass, LiveMember, utcnow
from ..packs.lessons import get_lesson, load_quiz
from ..roster import get_class
from . import presence

MODES = ("follow", "free", "pause")
POLL_CHOICES = ("yes", "unsure", "no")
# No 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B: a code read off a phone across a classroom is typed right.
CODE_ALPHABET = "ACDEFHJKMNPRTWXY3479"
CODE_LENGTH = 6
# A tablet polls every second or so; one not seen for this long has gone (Wi-Fi, sleep).
CONNECTED_S = 12


def running(class_id):
    """Return the class's running live class, or None."""
    return LiveClass.get_or_none((LiveClass.classroom == class_id) & LiveClass.ended_at.is_null())


def get_live(live_id):
    found = LiveClass.get_or_none(LiveClass.id == live_id)
    if found is None:
        raise NotFound(_("no such live class"))
    return found


def _lesson(pack_id, lesson_id):

    try:
        return get_lesson(pack_id, lesson_id)
    except NotFound:
        raise NotFound(
            _("no lesson %(lesson)s in pack %(pack)s on this kit", lesson=lesson_id, pack=pack_id)
        ) from None


def _new_code():
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def start(class_id, pack_id, lesson_id, user=None):
    """Start a live class on an installed lesson; refuse a second one for the class."""
    view = _lesson(pack_id, lesson_id)
    with write():
        room = get_class(class_id)
        if not room.active:
            raise KitError(_("this class is deactivated; reactivate it to start a live class"))
        if running(room.id) is not None:
            raise Conflict(_("a live class is already running for this class"))
        sess = class_sessions.current_session(room.id)
        own = sess is None
        if own:
            sess = ClassSession.create(classroom=room, started_by=user, started_at=utcnow())
        code = _new_code()
        while LiveClass.get_or_none((LiveClass.code == code) & LiveClass.ended_at.is_null()):
            code = _new_code()
        return LiveClass.create(
            classroom=room,
            session=sess,
            own_session=own,
            pack_id=pack_id,
            lesson_id=lesson_id,
            last_step=len(view.pages) + len(view.questions),
            code=code,
            started_by=user,
        )


def _change(live_id, rev, apply):
    """Apply one teacher change in a write transaction; refuse a stale `rev` or an ended class."""
    with write():
        live = get_live(live_id)
        if live.ended_at is not None:
            raise Conflict(_("this live class has ended"))
        if rev != live.rev:
            raise Conflict(
                _("The class moved on another device; this screen now shows where it is."), rev=live.rev
            )
        apply(live)
        live.rev += 1
        live.save()
    return live


def move(live_id, rev, step):
    """Show step `step` (0 .. last) on every following tablet."""

    def apply(live):
        if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= live.last_step:
            raise KitError(_("there is no page %(n)s in this lesson", n=step))
        live.step = step

    return _change(live_id, rev, apply)


def set_mode(live_id, rev, mode):
    """follow (tablets follow and stay), free (they may wander), pause (eyes on the teacher)."""

    def apply(live):
        if mode not in MODES:
            raise KitError(_("the mode must be follow, free or pause"))
        live.mode = mode

    return _change(live_id, rev, apply)


def recall(live_id, rev):
    """ "Come back to me": every tablet returns to the teacher's page (in free mode too)."""

    def apply(live):
        live.recall = live.rev + 1

    return _change(live_id, rev, apply)


def _no_open_question(live):
    if live.question and live.question["state"] == "open":
        raise Conflict(_("close the open question first"))


def ask(live_id, rev):
    """Open the quiz question on the teacher's page to the whole room."""

    def apply(live):
        _no_open_question(live)
        view = _lesson(live.pack_id, live.lesson_id)
        index = live.step - len(view.pages)
        if not 0 <= index < len(view.questions):
            raise KitError(_("this page is not a quiz question: go to a question, or ask a quick poll"))
        wanted = view.questions[index]["id"]
        question = next(q for q in load_quiz(live.pack_id, live.lesson_id)["questions"] if q["id"] == wanted)
        if question["type"] not in ("single", "multiple"):
            raise KitError(_("only questions with choices can be asked to the room"))
        live.asked += 1
        live.question = {
            "no": live.asked,
            "kind": "quiz",
            "step": live.step,
            "question_id": question["id"],
            "prompt": question["prompt"],
            "multiple": question["type"] == "multiple",
            "choices": [{"id": c["id"], "text": c["text"]} for c in question["choices"]],
            "correct": [c["id"] for c in question["choices"] if c.get("correct")],
            "state": "open",
        }

    return _change(live_id, rev, apply)


def poll(live_id, rev):
    """Open a one-tap poll ("Did you understand?"); it needs no pack."""

    def apply(live):
        _no_open_question(live)
        live.asked += 1
        live.question = {
            "no": live.asked,
            "kind": "poll",
            "step": live.step,
            "multiple": False,
            "choices": [{"id": c, "text": ""} for c in POLL_CHOICES],
            "correct": [],
            "state": "open",
        }

    return _change(live_id, rev, apply)


def close(live_id, rev):
    """Stop counting answers to the open question."""

    def apply(live):
        if not live.question or live.question["state"] != "open":
            raise Conflict(_("no question is open"))
        live.question = {**live.question, "state": "closed"}

    return _change(live_id, rev, apply)


def reveal(live_id, rev):
    """Show the right answer on every tablet (closing the question if it is still open)."""

    def apply(live):
        if not live.question or live.question["kind"] != "quiz":
            raise KitError(_("only a quiz question has a right answer to show"))
        if live.question["state"] == "revealed":
            raise Conflict(_("the answer is already shown"))
        live.question = {**live.question, "state": "revealed"}

    return _change(live_id, rev, apply)


def lower_hand(live_id, learner_id):
    """The teacher lowers a learner's hand (recorded as the learner's live_hand event)."""
    with write():
        live = get_live(live_id)
        changed = (
            LiveMember.update(hand_up=False)
            .where((LiveMember.live == live.id) & (LiveMember.learner == learner_id) & LiveMember.hand_up)
            .execute()
        )
    if changed:
        record(
            [server_event("live_hand", live.pack_id, live.lesson_id, {"live": live.uuid, "up": False})],
            learner_id,
        )
    return bool(changed)


def end(live_id):
    """End the live class: who was still here leaves now, and its class session ends."""
    presence.flush()  # this worker's notes; another's are at most presence.FLUSH_S old
    with write():
        live = get_live(live_id)
        if live.ended_at is not None:
            raise Conflict(_("this live class has already ended"))
        live.ended_at = utcnow()
        live.rev += 1
        if live.question and live.question["state"] == "open":
            live.question = {**live.question, "state": "closed"}
        live.save()
        now = int(time.time())
        present = list(
            LiveMember.select(LiveMember.learner, LiveMember.joined_at)
            .where((LiveMember.live == live.id) & (LiveMember.seen_at >= now - CONNECTED_S))
            .tuples()
        )
    for learner_id, joined_at in present:
        payload = {"live": live.uuid, "seconds": max(0, min(86400, now - joined_at))}
        record([server_event("live_left", live.pack_id, live.lesson_id, payload)], learner_id)
    if live.own_session and live.session_id is not None:
        try:
            class_sessions.end_session(live.session_id)
        except Conflict:
            pass  # the teacher ended the session by hand already: its figures stand
    return live
