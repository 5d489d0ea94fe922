"""Learners' events in, their progress and instant quiz feedback out."""

from flask import current_app, jsonify, request

from ..answer_checks import check_and_record
from ..db import database
from ..errors import Unauthorized
from ..event_schema import BadEvent
from ..events import record
from ..storable import NotJSON, loads
from ..web.learn.auth import current_learner, learner_from_token
from . import bp


def _json_body():
    # Any content type: a tablet leaving the page sends its queue as a text/plain beacon.
    # (Its size was checked before it was read: kit.body_limits.)
    try:
        body = loads(request.get_data(cache=True))
    except NotJSON as exc:
        raise BadEvent("the body must be a JSON object", reason=exc.message) from None
    if not isinstance(body, dict):
        raise BadEvent("the body must be a JSON object")
    return body


def _signed_in():
    learner = current_learner()
    if learner is None:
        raise Unauthorized("no learner is signed in")
    return learner


@bp.post("/events")
def post_events():
    """Append a batch of one learner's events; repeats are no-ops."""
    body = _json_body()
    learner = learner_from_token(body.get("token"))
    result = record(
        body.get("events"),
        learner.id,
        max_batch=current_app.config["KIT"]["max_event_batch"],
        from_tablet=True,
    )
    return jsonify(result)


@bp.post("/answers")
def check_answer():
    """Mark one answer for instant feedback; the check is recorded as an answer event."""
    learner = _signed_in()
    body = _json_body()
    names = ("pack_id", "lesson_id", "question_id")
    if any(not isinstance(body.get(name), str) for name in names) or "response" not in body:
        raise BadEvent("pack_id, lesson_id, question_id (text) and response are required")
    result = check_and_record(
        learner.id,
        *(body[name] for name in names),
        body["response"],
        attempt=body.get("attempt"),
        uuid=body.get("uuid"),
    )
    return jsonify(
        correct=bool(result["correct"]), feedback=result.get("feedback", ""), hint=result.get("hint", "")
    )


@bp.get("/progress")
def get_progress():
    """The signed-in learner's progress in every lesson they have started."""
    learner = _signed_in()
    # Sorted here. last_seen is stored as str(datetime): isoformat() with a space for the T.
    rows = sorted(
        database.execute_sql(
            "SELECT pack_id, lesson_id, status, page, score, best_score,"
            " attempts, seconds, needs_help, last_seen FROM lesson_progress WHERE learner_id = ?",
            (learner.id,),
        ).fetchall(),
        key=lambda row: (row[0], row[1]),
    )
    return jsonify(
        learner={"id": learner.id, "name": learner.display_name},
        lessons=[
            {
                "pack_id": pack_id,
                "lesson_id": lesson_id,
                "status": status,
                "page": page,
                "score": score,
                "best_score": best_score,
                "attempts": attempts,
                "seconds": seconds,
                "needs_help": bool(needs_help),
                "last_seen": last_seen.replace(" ", "T") + "Z" if last_seen else None,
            }
            for (
                pack_id,
                lesson_id,
                status,
                page,
                score,
                best_score,
                attempts,
                seconds,
                needs_help,
                last_seen,
            ) in rows
        ],
        certificates=[
            {"pack_id": pack_id, "code": code, "title": title, "issued_at": issued_at}
            for pack_id, code, title, issued_at in database.execute_sql(
                "SELECT pack_id, code, json_extract(document, '$.title'), issued_at FROM certificate"
                " WHERE learner_id = ? ORDER BY event_seq",
                (learner.id,),
            )
        ],
    )
