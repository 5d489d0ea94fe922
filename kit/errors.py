"""One exception base for the kit: the HTTP status and the CLI exit code live on the class."""


class KitError(Exception):
    """A failure we can explain to a person in one line."""

    status = 400
    exit_code = 1
    code = "bad_request"

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self):
        """Return the JSON error envelope used by every API response that fails."""
        body = {"code": self.code, "message": self.message}
        if self.details:
            body["details"] = self.details
        return {"error": body}


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
