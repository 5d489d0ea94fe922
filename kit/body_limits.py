"""Refuse a JSON request body over its route's limit with 413, before anything reads it.

A small kit must not be made to read and parse hundreds of MB because one phone on its
open Wi-Fi sent them. Each app says which paths take how much (settings, see
docs/configuration.md); a body with a Content-Length over it is refused unread, and a
body sent without one (chunked) is read only up to the limit.
"""

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from .errors import KitError


class BodyTooLarge(KitError):
    status = 413
    code = "too_large"


def init_app(app, limit_for):
    """Check every request's body against `limit_for(path)` (bytes, or None for no limit).

    Call it before anything else registers a before_request hook, so the check runs first.
    """

    @app.before_request
    def _limit_body():
        limit = limit_for(request.path)
        if limit is None:
            return
        too_large = BodyTooLarge(
            f"the request body is over {limit} bytes, the most this address takes", limit=limit
        )
        if request.content_length is not None:
            if request.content_length > limit:
                raise too_large
            return
        # No length (chunked through a server that streams it): read at most limit + 1 bytes now.
        request.max_content_length = limit
        try:
            request.get_data(cache=True)
        except RequestEntityTooLarge:
            raise too_large from None
