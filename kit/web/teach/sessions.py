"""Assigning lessons to a class, and running class sessions (attendance, minutes, summary)."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ... import assignments, class_sessions, roster
from ...errors import KitError
from ...models import Assignment
from ..guards import current_user, teacher_required
from . import bp, form_error


@bp.route("/classes/<int:class_id>/assign", methods=["GET", "POST"])
@teacher_required
def assign_page(class_id):
    """Pick a pack or one lesson for the class, with an optional due date."""
    room = roster.get_class(class_id)
    if request.method == "POST":
        pack_id, _sep, lesson_id = request.form.get("what", "").partition("/")
        try:
            if not pack_id:
                raise KitError(_("Choose a pack or a lesson to assign."))
            assignments.assign(
                class_id, pack_id, lesson_id, assignments.parse_due_date(request.form.get("due_date"))
            )
        except KitError as exc:
            form_error(exc)
        else:
            flash(_("Assigned."), "info")
            return redirect(url_for("teach.class_page", class_id=class_id))
    return render_template(
        "teach/assign.html",
        room=room,
        packs=assignments.available_lessons(),
        current=assignments.list_assignments(class_id),
    )


@bp.post("/assignments/<int:assignment_id>/remove")
@teacher_required
def remove_assignment(assignment_id):
    row = Assignment.get_or_none(Assignment.id == assignment_id)
    if row is None:
        raise KitError(_("No such assignment."))
    assignments.unassign(assignment_id)
    flash(_("Assignment removed. Learners keep their progress."), "info")
    return redirect(url_for("teach.assign_page", class_id=row.classroom_id))


@bp.post("/classes/<int:class_id>/sessions")
@teacher_required
def start_session(class_id):
    try:
        sess = class_sessions.start_session(class_id, current_user())
    except KitError as exc:
        form_error(exc)
        return redirect(url_for("teach.class_page", class_id=class_id))
    flash(_("Session started."), "info")
    return redirect(url_for("teach.session_page", session_id=sess.id))


@bp.get("/sessions/<int:session_id>")
@teacher_required
def session_page(session_id):
    """A session: who is here so far and their minutes; after the end, its summary."""
    sess = class_sessions.get_session(session_id)
    return render_template(
        "teach/session.html", sess=sess, room=sess.classroom, report=class_sessions.session_report(sess)
    )


@bp.get("/sessions/<int:session_id>/attendance")
@teacher_required
def session_attendance(session_id):
    """Who is here so far, alone: fetched every few seconds by static/teach/session.js."""
    sess = class_sessions.get_session(session_id)
    return render_template("teach/_attendance.html", sess=sess, report=class_sessions.session_report(sess))


@bp.post("/sessions/<int:session_id>/present")
@teacher_required
def mark_present(session_id):
    try:
        class_sessions.mark_present(
            session_id,
            request.form.get("learner_id", type=int) or 0,
            present=request.form.get("present") == "1",
        )
    except KitError as exc:
        form_error(exc)
    return redirect(url_for("teach.session_page", session_id=session_id))


@bp.post("/sessions/<int:session_id>/end")
@teacher_required
def end_session(session_id):
    try:
        class_sessions.end_session(session_id)
    except KitError as exc:
        form_error(exc)
    else:
        flash(_("Session ended."), "info")
    return redirect(url_for("teach.session_page", session_id=session_id))


@bp.get("/classes/<int:class_id>/sessions")
@teacher_required
def sessions_list(class_id):
    room = roster.get_class(class_id)
    return render_template("teach/sessions.html", room=room, sessions=class_sessions.list_sessions(class_id))
