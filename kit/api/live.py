"""A live class as tablets and the projector see it: the state they poll, answers, hands.

A tablet polls GET /api/v1/live with the ETag of its last answer in If-None-Match; while
the teacher has not moved, the kit answers 304 after one query (docs/architecture.md).
"""

from flask import current_app, jsonify, make_response, request

from ..errors import Unauthorized
from ..live import room
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
    """The learner's class's live class (null when none runs); 304 when unchanged."""
    learner = _learner()
    live = room.learner_live(learner, here=request.args.get("here") == "1")
    return state_response(live, room.etag(live))


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
