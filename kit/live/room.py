"""A live class, the room's side: what a tablet or the projector polls, presence, hands, answers.

A tablet polls often, so its poll is one query and, most of the time, a 304: the answer's
ETag is the live class, its `rev` and the learner's own hand, all read in that query.
A poll writes nothing of its own: presence is batched per worker (kit.live.presence), and
the first poll from the live page records the join as an event, once.
"""

import json
import time
from collections import namedtuple

from flask_babel import gettext as _

from ..db import database, write
from ..errors import Conflict, Forbidden, KitError, NotFound, TooManyRequests
from ..event_schema import BadEvent
from ..events import record, server_event
from ..models import LiveClass, LiveMember
from ..signin_limits import failures, limits
from . import presence
from .classes import CONNECTED_S

# Hand changes a learner may make per minute; more are refused (429), not stored.
HAND_LIMIT = 6

Live = namedtuple(
    "Live",
    "id uuid pack_id lesson_id step last_step mode rev recall question session_id joined seen_at hand_up",
)
_POLL_SQL = (
    "SELECT c.id, c.uuid, c.pack_id, c.lesson_id, c.step, c.last_step, c.mode, c.rev, c.recall, c.question,"
    " c.session_id, m.joined_at, m.seen_at, m.hand_up FROM live_class c LEFT JOIN live_member m"
    " ON m.live_id = c.id AND m.learner_id = ? WHERE c.classroom_id = ? AND c.ended_at IS NULL"
)


def _now():
    return int(time.time())


def learner_live(learner, here=False):
    """Return the learner's class's running live class as a Live, or None.

    `here`: the tablet is on the live page, so it is present: join (the first time) or
    note that it is still here (written with the others' notes, kit.live.presence).
    """
    row = database.execute_sql(_POLL_SQL, (learner.id, learner.classroom_id)).fetchone()
    if row is None:
        return None
    live = Live(*row[:9], json.loads(row[9]) if row[9] else None, row[10], row[11], row[12], bool(row[13]))
    if here:
        if live.joined is None:
            _join(live, learner.id)
        else:
            presence.seen(live.id, learner.id, _now())
    return live


def _join(live, learner_id):
    """Record the learner's joining; its event's fixed UUID makes a second poll's a no-op."""
    event = server_event("live_joined", live.pack_id, live.lesson_id, {"live": live.uuid})
    event["uuid"] = presence.join_uuid(live.uuid, learner_id)
    record([event], learner_id)


def etag(live):
    """What makes a tablet's poll answer different: the class, its revision, the learner's hand."""
    return f"live-{live.uuid}-{live.rev}-{int(live.hand_up)}" if live else "live-none"


def public_question(question):
    """A question as tablets and the projector see it: the right answer only once revealed."""
    if not question:
        return None
    shown = {key: question[key] for key in ("no", "kind", "step", "multiple", "choices", "state")}
    shown["prompt"] = question.get("prompt", "")
    shown["correct"] = question["correct"] if question["state"] == "revealed" else []
    return shown


def learner_state(live):
    """The JSON a tablet polls (None: no live class for the class)."""
    if live is None:
        return None
    return {
        "id": live.uuid,
        "rev": live.rev,
        "pack_id": live.pack_id,
        "lesson_id": live.lesson_id,
        "step": live.step,
        "last_step": live.last_step,
        "mode": live.mode,
        "recall": live.recall,
        "question": public_question(live.question),
        "hand": live.hand_up,
    }


def _live_for(learner, live_uuid):
    """Return the running live class `live_uuid` names, if it is the learner's class's."""
    if not isinstance(live_uuid, str):
        raise BadEvent(_("live (the live class's id) is required"), field="live")
    found = LiveClass.get_or_none(LiveClass.uuid == live_uuid)
    if found is None:
        raise NotFound(_("no such live class"))
    if found.classroom_id != learner.classroom_id:
        raise Forbidden(_("this live class is not your class's"))
    if found.ended_at is not None:
        raise Conflict(_("this live class has ended"), reason="ended")
    return found


def answer(learner, live_uuid, question_no, choices, uuid):
    """Count one learner's answer to the open question; the same uuid again is stored once."""
    live = _live_for(learner, live_uuid)
    question = live.question
    if isinstance(question_no, bool) or not isinstance(question_no, int):
        raise BadEvent(_("question must be the number of the question asked"), field="question")
    if not question or question["no"] != question_no:
        raise Conflict(_("this question is no longer asked"), reason="closed")
    if question["state"] != "open":
        raise Conflict(_("this question is closed: answers are no longer counted"), reason="closed")
    ids = {c["id"] for c in question["choices"]}
    if (
        not isinstance(choices, list)
        or not choices
        or not all(isinstance(c, str) and c in ids for c in choices)
    ):
        raise BadEvent(_("choices must list the ids of this question's choices"), field="choices")
    if not question["multiple"] and len(choices) != 1:
        raise BadEvent(_("this question takes one choice"), field="choices")
    payload = {"live": live.uuid, "question": question_no, "kind": question["kind"], "choices": choices}
    if question["kind"] == "quiz":
        payload["correct"] = set(choices) == set(question["correct"])
    event = server_event("live_answer", live.pack_id, live.lesson_id, payload)
    if uuid is not None:
        event["uuid"] = uuid
    return record([event], learner.id)


def raise_hand(learner, live_uuid, up):
    """Raise or lower the learner's hand; refuse a flood (more than HAND_LIMIT changes a minute)."""
    if not isinstance(up, bool):
        raise KitError(_("up must be true or false"))
    live = _live_for(learner, live_uuid)
    now = _now()
    with write():
        member = LiveMember.get_or_none((LiveMember.live == live.id) & (LiveMember.learner == learner.id))
        if member is None:
            raise Conflict(_("open the live class before raising your hand"))
        if member.hand_up == up:
            return False
        window = now // 60
        changes = member.hand_changes if member.hand_window == window else 0
        if changes >= HAND_LIMIT:
            raise TooManyRequests(_("too many hand raises: wait a moment"), retry_after=60 - now % 60)
        LiveMember.update(hand_up=up, hand_at=now, hand_window=window, hand_changes=changes + 1).where(
            (LiveMember.live == live.id) & (LiveMember.learner == learner.id)
        ).execute()
    record(
        [server_event("live_hand", live.pack_id, live.lesson_id, {"live": live.uuid, "up": up})], learner.id
    )
    return True


def tally(live_uuid, question, names=False):
    """Return {choice id: count} (and, with names, {choice id: [learner names]}) for a question."""
    rows = database.execute_sql(
        "SELECT a.choices, l.display_name FROM live_answer a JOIN learner l ON l.id = a.learner_id"
        " WHERE a.live_uuid = ? AND a.question = ? ORDER BY l.display_name",
        (live_uuid, question["no"]),
    )
    counts = {c["id"]: 0 for c in question["choices"]}
    who = {c["id"]: [] for c in question["choices"]}
    answered = 0
    for choices, name in rows:
        answered += 1
        for choice in json.loads(choices):
            if choice in counts:
                counts[choice] += 1
                who[choice].append(name)
    result = {"counts": counts, "answered": answered}
    if names:
        result["names"] = who
    return result


def members(live):
    """Who joined, whether they are connected now, and raised hands (oldest first)."""
    now = _now()
    rows = database.execute_sql(
        "SELECT l.id, l.display_name, l.avatar, l.colour, m.seen_at, m.hand_up, m.hand_at"
        " FROM live_member m JOIN learner l ON l.id = m.learner_id WHERE m.live_id = ?"
        " ORDER BY l.display_name",
        (live.id,),
    ).fetchall()
    people = [
        {
            "id": lid,
            "name": name,
            "avatar": avatar or "cat",
            "colour": colour or "grey",
            "connected": now - seen <= CONNECTED_S,
            "hand": bool(hand),
            "hand_at": hand_at,
        }
        for lid, name, avatar, colour, seen, hand, hand_at in rows
    ]
    hands = sorted((p for p in people if p["hand"]), key=lambda p: p["hand_at"])
    return people, hands


def teacher_state(live):
    """Everything the teacher's live page shows: names on the teacher's own screen only."""
    people, hands = members(live)
    enrolled = database.execute_sql(
        "SELECT COUNT(*) FROM learner WHERE classroom_id = ? AND active", (live.classroom_id,)
    ).fetchone()[0]
    question = public_question(live.question)
    if question:
        question["correct"] = live.question["correct"]
        question.update(tally(live.uuid, live.question, names=True))
    return {
        "id": live.id,
        "rev": live.rev,
        "step": live.step,
        "last_step": live.last_step,
        "mode": live.mode,
        "code": live.code,
        "ended": live.ended_at is not None,
        "question": question,
        "members": people,
        "hands": hands,
        "connected": sum(1 for p in people if p["connected"]),
        "enrolled": enrolled,
    }


def projector_state(code, address=""):
    """The projector's view of the live class a code names: the page and counts, no names.

    Wrong codes count against the address like wrong passwords (`login_address_attempts`
    per `login_window_s`), so nobody on the Wi-Fi can try codes until one shows a class.
    """
    key = f"projector-from:{address or ''}"
    _per_name, per_address, window = limits()
    wait = failures.retry_after(key, per_address, window)
    if wait:
        raise TooManyRequests(
            _("too many wrong codes: wait %(seconds)s seconds", seconds=wait), retry_after=wait
        )
    live = (
        LiveClass.get_or_none((LiveClass.code == str(code).upper()) & LiveClass.ended_at.is_null())
        if isinstance(code, str) and len(code) <= 16
        else None
    )
    if live is None:
        failures.fail(key)
        raise NotFound(_("no live class has this code; check the code on the teacher's screen"))
    question = public_question(live.question)
    if question:
        question.update(tally(live.uuid, live.question))
    return live, {
        "rev": live.rev,
        "step": live.step,
        "mode": live.mode,
        "question": question,
    }
