"""A live class as tablets and the projector see it: the state they poll, answers, hands.

A tablet asks GET /api/v1/live with the ETag of its last answer in If-None-Match; while
the teacher has not moved, the kit answers 304 after one query. With `wait=1` the kit
holds that 304 until the class changes (up to `live_hold_s`; kit.live.hold), so the
tablet learns of a move at once instead of at its next poll (docs/architecture.md).
"""

import time

from flask import current_app, jsonify, make_response, request

from ..db import database
from ..errors import Unauthorized
from ..live import hold, room
from ..storable import NotJSON, loads
from ..web.learn.auth import current_learner
from . import bp
from .events import BadEvent


def _learner():
    learner = current_learner()
    if learner is None:
        raise Unauthorized("no learner is signed in")
    return learner


def _body():
    try:
        body = loads(request.get_data(cache=True))
    except NotJSON as exc:
        raise BadEvent("the body must be a JSON object", reason=exc.message) from None
    if not isinstance(body, dict):
        raise BadEvent("the body must be a JSON object")
    return body


def _fresh(response):
    # The tablet sends If-None-Match itself: a browser cache would only answer for it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/live")
def live_state():
    """The learner's class's live class (null when none runs); 304 when unchanged.

    With `wait=1`, a 304 is held until the class changes or `live_hold_s` passes, within
    this worker's thread budget; `X-Live-Held: 1` says it was, and the tablet asks again
    at once. Over the budget (or with holding off) it is answered at once, as a poll.
    """
    learner = _learner()
    kit = current_app.config["KIT"]
    seen = hold.version()  # before the read: a change after it wakes the wait below
    live = room.learner_live(learner, here=request.args.get("here") == "1")
    tag, held = room.etag(live), False
    if (
        request.args.get("wait") == "1"
        and live is not None
        and kit["live_hold_s"] > 0
        and request.if_none_match.contains(tag)
        and hold.hold_once(kit["live_hold_threads"])
    ):
        held = True
        try:
            deadline = time.monotonic() + kit["live_hold_s"]
            while request.if_none_match.contains(tag) and time.monotonic() < deadline and not hold.stopping():
                # The connection goes back to the pool while held: sixty held asks kept
                # sixty SQLite connections open (and pooled after), each with its cache.
                database.release()
                hold.wait_past(seen, deadline, (live.id, learner.id))
                seen = hold.version()
                database.connect(reuse_if_open=True)
                live = room.learner_live(learner)
                tag = room.etag(live)
        finally:
            hold.done()
    response = state_response(live, tag)
    response.headers["X-Live-Held"] = "1" if held else "0"
    return response


def state_response(live, tag):
    """The poll's answer for a live class (or None) and its ETag: 304 when the tablet has it."""
    kit = current_app.config["KIT"]
    if request.if_none_match.contains(tag):
        response = make_response("", 304)
    else:
        response = jsonify(
            live=room.learner_state(live),
            poll_ms=kit["live_poll_ms"] if live else kit["live_watch_ms"],
        )
    response.set_etag(tag)
    return _fresh(response)


@bp.post("/live/answers")
def live_answer():
    """One learner's answer to the question open in their class's live class."""
    learner = _learner()
    body = _body()
    result = room.answer(
        learner, body.get("live"), body.get("question"), body.get("choices"), body.get("uuid")
    )
    return jsonify(result)


@bp.post("/live/hand")
def live_hand():
    """Raise or lower the learner's hand."""
    learner = _learner()
    body = _body()
    changed = room.raise_hand(learner, body.get("live"), body.get("up"))
    return jsonify(changed=changed, hand=body.get("up"))


@bp.get("/live/projector/<code>")
def projector_state(code):
    """The page and the answer counts (no names) for a projector signed with the class's code."""
    _live, state = room.projector_state(code, request.remote_addr)
    return _fresh(jsonify(state))
