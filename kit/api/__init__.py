"""The JSON API under /api/v1, described by the OpenAPI document in openapi.yaml."""

import importlib.resources
from functools import lru_cache

from flask import Blueprint, jsonify

from .. import __version__
from ..db import database
from ..models import Event, Learner, Pack

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def load_openapi(package):
    """Return the OpenAPI document shipped as openapi.yaml in `package`, with our version in it."""
    import yaml  # only here: importing YAML cost every `kit serve` start ~15 ms

    text = importlib.resources.files(package).joinpath("openapi.yaml").read_text("utf-8")
    document = yaml.safe_load(text)
    document["info"]["version"] = __version__
    return document


@lru_cache(maxsize=1)
def openapi_document():
    """Return the kit's OpenAPI document (parsed once; it ships inside the package)."""
    return load_openapi(__package__)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


def _identity():
    """Return the kit's identity row as (kit_uuid, site), in one query."""
    row = database.execute_sql("SELECT kit_uuid, site FROM kit_identity LIMIT 1").fetchone()
    return row or (None, None)


def health():
    """Say the kit is up and which kit it is: one one-row query, whatever the kit holds.

    The watchdog and load balancers poll this; the counts are on /api/v1/status.
    """
    kit_id, site = _identity()
    return jsonify(status="ok", kit_id=kit_id, site=site, version=__version__)


@bp.get("/status")
def status():
    """Say which kit this is and how much it holds (counts the event log: not for polling)."""
    kit_id, site = _identity()
    return jsonify(
        status="ok",
        kit_id=kit_id,
        site=site,
        version=__version__,
        counts={
            "packs": Pack.select().count(),
            "learners": Learner.select().where(Learner.active == True).count(),  # noqa: E712
            "events": Event.select().count(),
        },
    )


def init_app(app):
    from . import events, live, packs  # noqa: F401  (they register routes on bp)

    app.register_blueprint(bp)
    app.add_url_rule("/healthz", "healthz", health)
