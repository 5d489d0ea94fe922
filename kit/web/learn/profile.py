"""What a learner may change about themselves: "sign language first", from a picture button."""

from flask import g, redirect, request, url_for

from ... import roster
from . import bp
from .player import learner_required


@bp.post("/me/sign-first")
@learner_required
def sign_first():
    """Turn "sign language first" on (on=1) or off (on=0), then go back to the lessons."""
    on = request.form.get("on", "")
    if on not in ("0", "1"):
        return redirect(url_for("learn.lessons"))
    roster.set_sign_first(g.learner.id, on == "1")
    return redirect(url_for("learn.lessons"))
