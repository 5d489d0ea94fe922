"""The kit's Flask application factory."""

import functools
import logging
from importlib.metadata import entry_points

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from . import body_limits, db
from .api import init_app as init_api
from .datafolder import open_data
from .errors import KitError, json_error
from .sessions import KitSessionInterface
from .web import init_app as init_web
from .web.error_pages import error_page

logger = logging.getLogger(__name__)

PLUGIN_GROUP = "classroom_kit.app_plugins"


def create_app(config=None, data_dir=None, serving=False):
    """Build the kit's app for a data folder; `config` overrides settings (tests use it).

    `serving` is true in the process that serves tablets (`kit serve`): plugins read it
    from ``app.config["KIT_SERVING"]`` to start what belongs there (the sync agent).
    """
    settings = open_data(data_dir, overrides=config)
    app = Flask(__name__)
    app.config["KIT"] = settings
    app.config["KIT_SERVING"] = serving
    app.config["SECRET_KEY"] = settings["secret_key"]
    # Its own name: a browser sends a host's cookies to every port on it, so a kit and a hub
    # on one machine would otherwise overwrite each other's session
    # (tests/sync/test_kit_and_hub_cookies.py).
    app.config["SESSION_COOKIE_NAME"] = "kit_session"
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["MAX_CONTENT_LENGTH"] = settings["max_pack_bytes"]
    app.config["JSON_SORT_KEYS"] = False
    app.session_interface = KitSessionInterface()

    body_limits.init_app(app, functools.partial(_body_limit, settings))
    db.init_app(app)
    _register_errors(app)

    init_api(app)
    init_web(app)
    for ep in entry_points(group=PLUGIN_GROUP):
        ep.load()(app)
    return app


def _body_limit(settings, path):
    """The most bytes a request to `path` may send (None: the pack upload's MAX_CONTENT_LENGTH)."""
    if path == "/api/v1/events":
        return settings["max_event_body_bytes"]
    if path.startswith("/api/"):
        return settings["max_api_body_bytes"]
    return None


def _wants_json():
    """The API, /healthz and every .json address (a page's data, such as the live grid) answer JSON."""
    return request.path.startswith("/api/") or request.path == "/healthz" or request.path.endswith(".json")


def _register_errors(app):
    """One error handler: JSON envelope for the API, a kit-styled translated page for people."""

    @app.errorhandler(KitError)
    def _kit_error(exc):
        if _wants_json():
            return json_error(exc)
        return error_page(exc.status, exc.message, for_learners=exc.for_learners)

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        """Werkzeug's errors, and every unhandled exception (Flask hands those over as a 500)."""
        allow = [h for h in exc.get_headers() if h[0] == "Allow"]  # a 405 says what is allowed
        if _wants_json():
            return *json_error(exc), allow
        if exc.code is None or exc.code < 400:
            return exc  # a RequestRedirect and its like are not errors
        return error_page(exc.code, headers=allow)
