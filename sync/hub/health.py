"""What a load balancer asks a hub worker: is the process alive (/healthz), may it take traffic (/readyz).

Liveness never touches the database: a hub whose PostgreSQL is away is still a live process
and restarting it would not help. Readiness does: it runs one query and checks that the schema
is the one this code migrates to, so a balancer sends kits only to workers that can store
their batches. Neither needs an account; neither says more than a kit could learn by syncing.
"""

import logging

from flask import Blueprint, jsonify

from .db import database, latest_migration

logger = logging.getLogger(__name__)

bp = Blueprint("hub_health", __name__)


@bp.get("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    try:
        database.connect(reuse_if_open=True)
        schema = database.execute_sql("SELECT MAX(number) FROM hub_schema").fetchone()[0]
    except Exception as exc:  # any driver's failure means "not ready": the balancer asks again
        logger.warning("not ready: %s", exc)
        return jsonify(status="not ready", problem="the hub cannot reach its database"), 503
    if schema != latest_migration():
        problem = f"the database schema is at {schema}, this hub needs {latest_migration()}"
        return jsonify(status="not ready", problem=problem), 503
    return jsonify(status="ready", schema=schema)


def init_app(app):
    app.register_blueprint(bp)
