"""What the kit and the hub can both store: one rule for text, JSON and nesting.

The kit checks an event against these rules when a tablet posts it, and the hub checks
the same rules when the event arrives in a batch, so an event the hub would refuse is
refused on the kit at once (the tablet is told, drops it and sends the rest) instead of
being set aside by the sync agent for ever. `sync` imports this module; the kit never
imports `sync`.
"""

import json
import re

from .errors import KitError

# NUL: PostgreSQL refuses it in text. A lone surrogate (JSON "\ud800"): not UTF-8, so
# neither SQLite's text nor PostgreSQL's can hold it.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Deeper than any document we write (an event payload is 2 deep, a record 3); far below
# the depth at which Python's JSON parser and encoder run out of stack.
MAX_DEPTH = 32


class NotJSON(KitError):
    """A request body that is not a JSON document we can read."""

    status = 400
    code = "bad_json"


def is_storable(text):
    """True when `text` holds no NUL and no unpaired surrogate."""
    return not UNSTORABLE.search(text)


def too_deep(text, limit=MAX_DEPTH):
    """True when the JSON `text` nests arrays and objects deeper than `limit`.

    Counting brackets runs at C speed; only a text with more than `limit` of them is
    walked character by character (brackets inside strings do not count).
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth -= 1
    return False


def loads(data, what="the body"):
    """Parse JSON from bytes or text; raise NotJSON for anything else.

    Nesting deep enough to exhaust the parser's stack (a few hundred levels of "[") is
    refused here; callers keep only the fields they validate, so nothing deep is ever
    encoded again (the hub checks what it keeps with too_deep).
    """
    try:
        return json.loads(data)
    except UnicodeDecodeError:
        raise NotJSON(f"{what} is not UTF-8 text") from None
    except ValueError as exc:
        raise NotJSON(f"{what} is not JSON ({exc})") from None
    except RecursionError:
        raise NotJSON(f"{what} nests arrays or objects too deeply to be real") from None
