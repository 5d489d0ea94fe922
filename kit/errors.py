"""One exception base for the kit: the HTTP status and the CLI exit code live on the class.

:func:`json_error` is the one place the JSON error envelope is built, for the kit's API
and the hub's (``{"error": {"code", "message"}}``, plus ``details`` when there are some);
tests/core/test_routes.py walks every JSON route of both for it.
"""


class KitError(Exception):
    """A failure we can explain to a person in one line."""

    status = 400
    exit_code = 1
    code = "bad_request"
    # Most messages are for whoever runs the kit, in English: a learner's error page keeps to
    # its own short words. True when the message was written for the learner, in their language.
    for_learners = False

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details


def json_error(exc):
    """Return (envelope, status) for a KitError or a werkzeug HTTPException; Flask sends the
    dict as JSON, so a view or error handler may return this as it is."""
    if isinstance(exc, KitError):
        code, message, details, status = exc.code, exc.message, exc.details, exc.status
    else:  # werkzeug's: 404, 405, 413, and an unhandled exception as a 500
        code, message, details, status = exc.name.lower().replace(" ", "_"), exc.description, None, exc.code
    body = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}, status


class ConfigError(KitError):
    code = "config"
    exit_code = 2


class NotFound(KitError):
    status = 404
    code = "not_found"


class Conflict(KitError):
    status = 409
    code = "conflict"


class Unauthorized(KitError):
    status = 401
    code = "unauthorized"


class Forbidden(KitError):
    status = 403
    code = "forbidden"


class TooManyRequests(KitError):
    status = 429
    code = "rate_limited"


class PackError(KitError):
    """A content pack was refused; the message names the file and the problem."""

    status = 422
    code = "bad_pack"


class InsufficientSpace(KitError):
    status = 507
    code = "insufficient_storage"
