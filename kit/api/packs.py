"""Read-only API over the installed content packs."""

from flask import jsonify

from ..models import Lesson, Pack
from . import bp


@bp.get("/packs")
def list_packs():
    packs = []
    for pack in Pack.select().order_by(Pack.title):
        lessons = pack.lessons.order_by(Lesson.position)
        packs.append(
            {
                "id": pack.pack_id,
                "version": pack.version,
                "title": pack.title,
                "language": pack.language,
                "lessons": [
                    {"id": les.lesson_id, "title": les.title, "minutes": les.minutes} for les in lessons
                ],
            }
        )
    return jsonify(packs=packs)
