"""The learner's live class page, and the projector's (signed with the class's short code).

Both draw the whole lesson once, with the teacher's step shown; static/learn/live.js then
polls the kit and shows whichever step the teacher shows, without reloading. Without
JavaScript the page shows the step of the moment and a link to look again.
"""

from flask import g, redirect, render_template, request, url_for

from ...errors import NotFound, TooManyRequests
from ...live import room
from ...packs.lessons import get_lesson
from ..teach.live import step_values
from . import bp
from .auth import make_token
from .player import learner_required
from .player_page import has_sign


def _lesson(live):

    return get_lesson(live.pack_id, live.lesson_id)


@bp.get("/live")
@learner_required
def live():
    """The teacher's page, on the learner's tablet; back to My lessons when no live class runs."""
    found = room.learner_live(g.learner, here=True)
    if found is None:
        return redirect(url_for("learn.lessons"))
    view = _lesson(found)
    return render_template(
        "learn/live.html",
        learner=g.learner,
        token=make_token(g.learner),
        live=found,
        lesson=view,
        state=room.learner_state(found),
        sign_first=bool(g.learner.sign_first) and has_sign(view),
        **step_values(found.step, found.last_step),
    )


@bp.get("/projector")
def projector():
    """Ask for the code the teacher's screen shows; open the projector view for it."""
    code = request.args.get("code", "").strip().upper()
    if code:
        return redirect(url_for("learn.projector_view", code=code))
    return render_template("learn/projector_code.html")


@bp.get("/projector/<code>")
def projector_view(code):
    """The read-only projector view: the page large, the answer chart, no names."""
    try:
        live, state = room.projector_state(code, request.remote_addr)
    except NotFound:
        return render_template("learn/projector_code.html", wrong=True), 404
    except TooManyRequests as exc:
        return render_template("learn/projector_code.html", wait=exc.details["retry_after"]), 429
    view = _lesson(live)
    return render_template(
        "learn/projector.html",
        live=live,
        lesson=view,
        state=state,
        code=live.code,
        **step_values(live.step, live.last_step, csrf=""),
    )
