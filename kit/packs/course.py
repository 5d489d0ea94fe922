"""A pack's optional course: which lessons, in what order, the final test, and the pass rule.

Checked here when a pack is built and again when it is imported (kit.packs.source calls
`validate_course`), so a course that could never be passed, or names a lesson the pack
does not have, never reaches a learner. The normalised course is kept in the pack's
manifest; `passed` applies its rule to a learner's progress.
"""

from ..errors import PackError

LESSON_RULES = ("mastered", "completed")
COURSE_KEYS = {"certificate_title", "credit_hours", "ordered", "lessons", "pass"}
PASS_KEYS = {"lessons", "final_min_score", "final_attempts"}
DEFAULT_FINAL_MIN_SCORE = 0.7
MAX_TITLE = 120


def validate_course(value, lessons, where="pack.yaml"):
    """Return the normalised course of pack.yaml's `course:`, or raise PackError saying why.

    `lessons` are the pack's LessonSource objects (their quiz and whether it is final).
    """
    if not isinstance(value, dict):
        raise PackError(f"{where}: `course` must be a mapping (certificate_title, credit_hours, pass, …)")
    unknown = sorted(set(value) - COURSE_KEYS)
    if unknown:
        raise PackError(
            f"{where}: course: unknown key `{unknown[0]}` (expected {', '.join(sorted(COURSE_KEYS))})"
        )
    by_id = {lesson.id: lesson for lesson in lessons}
    ids = _course_lessons(value.get("lessons", list(by_id)), by_id, where)
    finals = [lesson.id for lesson in lessons if lesson.final]
    outside = [lesson_id for lesson_id in finals if lesson_id not in ids]
    if outside:
        raise PackError(f"{where}: course: lesson {outside[0]!r} has a final quiz but is not in the course")
    if not finals:
        raise PackError(
            f"{where}: course: no final assessment; mark one lesson's quiz `final: true` in its quiz.yaml"
        )
    if len(finals) > 1:
        raise PackError(
            f"{where}: course: only one final assessment is allowed, but {' and '.join(finals)} are marked final"
        )
    final = finals[0]
    ordered = value.get("ordered", False)
    if not isinstance(ordered, bool):
        raise PackError(f"{where}: course: `ordered` must be true or false")
    if ordered and ids[-1] != final:
        raise PackError(
            f"{where}: course: an ordered course ends with its final assessment ({final!r}), not {ids[-1]!r}"
        )
    return {
        "certificate_title": _title(value.get("certificate_title"), where),
        "credit_hours": _hours(value.get("credit_hours"), where),
        "ordered": ordered,
        "lessons": ids,
        "final": final,
        "pass": _pass_rule(value.get("pass", {}), ids, final, by_id, where),
    }


def _course_lessons(ids, by_id, where):
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise PackError(f"{where}: course: `lessons` must be a list of the pack's lesson ids")
    missing = [lesson_id for lesson_id in ids if lesson_id not in by_id]
    if missing:
        raise PackError(
            f"{where}: course: lesson {missing[0]!r} is not a lesson of this pack (see `lessons:`)"
        )
    if len(set(ids)) != len(ids):
        raise PackError(f"{where}: course: a lesson is listed twice")
    return ids


def _title(value, where):
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TITLE:
        raise PackError(
            f"{where}: course: `certificate_title` is required, text of at most {MAX_TITLE} characters"
        )
    return value.strip()


def _hours(value, where):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1000:
        raise PackError(
            f"{where}: course: `credit_hours` is required, a number of hours above 0 and at most 1000"
        )
    return value


def _pass_rule(rule, ids, final, by_id, where):
    if not isinstance(rule, dict):
        raise PackError(
            f"{where}: course: `pass` must be a mapping (lessons, final_min_score, final_attempts)"
        )
    unknown = sorted(set(rule) - PASS_KEYS)
    if unknown:
        raise PackError(
            f"{where}: course: pass: unknown key `{unknown[0]}` (expected {', '.join(sorted(PASS_KEYS))})"
        )
    lessons = rule.get("lessons", "mastered")
    if lessons not in LESSON_RULES:
        raise PackError(f"{where}: course: pass: `lessons` must be mastered or completed, not {lessons!r}")
    if lessons == "mastered":
        quizless = [i for i in ids if i != final and by_id[i].quiz is None]
        if quizless:
            raise PackError(
                f"{where}: course: pass: every lesson must be mastered, but lesson {quizless[0]!r} has no quiz "
                "and can never be mastered (use `lessons: completed`, or give it a quiz)"
            )
    score = rule.get("final_min_score", DEFAULT_FINAL_MIN_SCORE)
    if isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 < score <= 1:
        raise PackError(
            f"{where}: course: pass: `final_min_score` must be a number above 0 and at most 1 (1 is 100 %)"
        )
    attempts = rule.get("final_attempts")
    if attempts is not None and (isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1):
        raise PackError(
            f"{where}: course: pass: `final_attempts` must be a whole number of 1 or more (or left out: no limit)"
        )
    return {"lessons": lessons, "final_min_score": float(score), "final_attempts": attempts}


def lesson_done(course, status):
    """Whether a course lesson (not the final) with this progress status counts as done."""
    if course["pass"]["lessons"] == "completed":
        return status in ("completed", "mastered")
    return status == "mastered"


def passed(course, statuses, final_scores):
    """Apply the pass rule; return the final's qualifying score, or None if not passed yet.

    `statuses` maps lesson id to its progress status; `final_scores` maps each final-quiz
    attempt number to its score.
    """
    rule = course["pass"]
    if not all(
        lesson_done(course, statuses.get(i, "not_started")) for i in course["lessons"] if i != course["final"]
    ):
        return None
    allowed = [
        score
        for attempt, score in final_scores.items()
        if rule["final_attempts"] is None or attempt <= rule["final_attempts"]
    ]
    best = max(allowed, default=None)
    return best if best is not None and best + 1e-9 >= rule["final_min_score"] else None


def path(course, statuses, final_scores):
    """Return [(lesson id, state)] with state done, next, open or locked.

    In an ordered course a lesson opens when every one before it is done; the first open,
    not-done lesson is `next`. Unordered, every lesson is open and the first not done is next.
    """
    out, blocked, next_given = [], False, False
    rule = course["pass"]
    for lesson_id in course["lessons"]:
        if lesson_id == course["final"]:
            done = any(
                (rule["final_attempts"] is None or a <= rule["final_attempts"])
                and s + 1e-9 >= rule["final_min_score"]
                for a, s in final_scores.items()
            )
        else:
            done = lesson_done(course, statuses.get(lesson_id, "not_started"))
        if done:
            out.append((lesson_id, "done"))
            continue
        if blocked:
            out.append((lesson_id, "locked"))
            continue
        out.append((lesson_id, "open" if next_given else "next"))
        next_given = True
        blocked = course["ordered"]
    return out
