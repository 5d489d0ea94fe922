"""The hub's one error handler: the JSON envelope under /sync/v1 (and for .json), the hub's error page elsewhere.

The envelope is kit.errors.json_error's, the kit's own, so an agent reads a refusal from
either the same way; a page never shows a traceback, and an API caller never gets HTML.
"""

from flask import render_template, request
from werkzeug.exceptions import HTTPException

from kit.errors import KitError, json_error

from .. import protocol


def _wants_json():
    """The sync API, the load balancer's /healthz and /readyz and every .json address (the
    xAPI report) answer JSON."""
    return (
        request.path.startswith(protocol.PREFIX + "/")
        or request.path in ("/healthz", "/readyz")
        or request.path.endswith(".json")
    )


def _page(status, message, headers=()):
    return render_template("hub/error.html", status=status, message=message), status, list(headers)


def init_app(app):
    @app.errorhandler(KitError)
    def _kit_error(exc):
        """A refused or failed action: the envelope for a kit, the message on a page for a person."""
        return json_error(exc) if _wants_json() else _page(exc.status, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc):
        """Werkzeug's errors (404, 405, 413…), and every unhandled exception as a 500."""
        allow = [h for h in exc.get_headers() if h[0] == "Allow"]  # a 405 says what is allowed
        if _wants_json():
            return *json_error(exc), allow
        if exc.code is None or exc.code < 400:
            return exc  # a RequestRedirect and its like are not errors
        return _page(exc.code, exc.description, allow)
