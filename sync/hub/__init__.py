"""The hub: a Flask app that receives kits' records and serves programme managers' pages.

It lives beside the kit's app, with its own data folder, database (SQLite or
PostgreSQL), accounts and templates; `kit hub …` drives it.
"""

import functools

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from kit import body_limits
from kit.datafolder import make_folder, secret_key
from kit.web import headers

from .. import protocol
from . import api, certificate_pages, db, errors, health, programme, remote, settings, summaries, web

SUMMARY_MIGRATIONS = {"0020_report_summaries.sql", "0023_learner_counts.sql", "0024_range_counts.sql"}


class HubSessions(SecureCookieSessionInterface):
    """Session cookies marked Secure whenever the request came over TLS (a proxy's X-Forwarded-Proto counts)."""

    def get_cookie_secure(self, app):
        return request.is_secure or super().get_cookie_secure(app)


def open_hub(data_dir=None, database_url=None, create=True):
    """Load settings for a hub data folder, bind and migrate its database; return the config."""
    config = settings.load(data_dir, {"database": database_url} if database_url else None)
    data = make_folder(config["data"], create, what="hub data folder", init="kit hub init")
    config["database"] = config["database"] or db.default_url(data)
    db.open_database(config["database"])
    applied = db.migrate()
    if SUMMARY_MIGRATIONS & set(applied):  # events stored before the summaries: fill them
        summaries.rebuild()
    config["hub_secret_key"] = secret_key(data, "hub_secret_key")
    return config


def _body_limit(config, path):
    """The most bytes a request to `path` may send (None: the pages' MAX_CONTENT_LENGTH)."""
    if path == protocol.PREFIX + "/enroll":
        return config["max_enroll_bytes"]
    if path == protocol.PREFIX + "/hello":
        return config["max_hello_bytes"]
    if path.startswith(protocol.PREFIX + "/"):
        return config["max_batch_bytes"]
    return None


def create_hub_app(data_dir=None, database_url=None, config=None):
    """Build the hub's app for a data folder (and optionally a PostgreSQL URL)."""
    config = config or open_hub(data_dir, database_url)
    app = Flask(__name__)
    app.config["HUB"] = config
    app.config["SECRET_KEY"] = config["hub_secret_key"]
    app.config["SESSION_COOKIE_NAME"] = "hub_session"  # not the kit's (kit/app.py says why)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["MAX_CONTENT_LENGTH"] = max(config["max_batch_bytes"], config["max_pack_bytes"])
    body_limits.init_app(app, functools.partial(_body_limit, config))
    app.session_interface = HubSessions()
    headers.init_app(app)
    errors.init_app(app)

    @app.before_request
    def _connect():
        if request.blueprint != "hub_health":  # /healthz needs no database, /readyz reports its absence
            db.database.connect(reuse_if_open=True)

    @app.teardown_request
    def _close(exc):
        if not db.database.is_closed():
            db.database.close()

    api.init_app(app)
    health.init_app(app)
    web.init_app(app)
    programme.init_app(app)
    certificate_pages.init_app(app)
    app.register_blueprint(remote.bp)  # a remote teacher's pages, behind web's sign-in
    if config["proxy_count"] > 0:
        # Behind TLS termination: rate limits must count the kit's or person's address, not the proxy's.

        n = config["proxy_count"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    return app
