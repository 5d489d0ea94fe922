"""The shape of an event batch, checked strictly before anything touches the database.

A batch is refused whole, with a message naming the event (by index) and the field,
so a tablet can drop the one bad event and send the rest again.
"""

import datetime as dt
import re

from .errors import KitError
from .storable import is_storable

IDENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
UUID_FORM = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
TOP_LEVEL = {"uuid", "kind", "pack_id", "lesson_id", "device_time", "boot_id", "mono_ms", "payload"}
MAX_TEXT = 500


class BadEvent(KitError):
    """An event batch was refused; nothing from it was stored."""

    status = 422
    code = "bad_event"


def _integer(low, high):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"must be a whole number from {low} to {high}")
        return value

    return check


def _number(low, high):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ValueError(f"must be a number from {low} to {high}")
        return value

    return check


def _boolean(value):
    if not isinstance(value, bool):
        raise ValueError("must be true or false")
    return value


def _ident(value):
    if not isinstance(value, str) or not IDENT.match(value):
        raise ValueError("must be an id of letters, digits, '-', '_' or '.' (at most 64)")
    return value


def _text(value):
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise ValueError(f"must be text of at most {MAX_TEXT} characters")
    return _storable(value)


def _storable(value):
    """Refuse what the hub cannot store (kit.storable): the tablet learns now, not the sync agent later."""
    if not is_storable(value):
        raise ValueError("must be text without NUL characters or unpaired surrogates")
    return value


def _response(value):
    """An answer's response: text, a number, or a list of choice ids."""
    if isinstance(value, list):
        if len(value) > 50:
            raise ValueError("must list at most 50 choices")
        return [_ident(item) for item in value]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    return _text(value)


def _choices(value):
    """A live answer's choices: one to 20 choice ids, each once."""
    if not isinstance(value, list) or not 1 <= len(value) <= 20:
        raise ValueError("must list one to 20 choice ids")
    if len(set(map(str, value))) != len(value):
        raise ValueError("must name each choice once")
    return [_ident(item) for item in value]


def _one_of(*allowed):
    def check(value):
        if value not in allowed:
            raise ValueError(f"must be one of {', '.join(allowed)}")
        return value

    return check


# kind -> {field: (validator, required)}. Fields the server decides are optional here
# and overwritten by kit.events (answer.correct, answer.first_try, quiz_finished.score).
PAYLOADS = {
    "lesson_opened": {},
    "page_viewed": {"page": (_integer(0, 100000), True)},
    "answer": {
        "question_id": (_ident, True),
        "response": (_response, True),
        "attempt": (_integer(1, 100000), True),
        "correct": (_boolean, False),
        "first_try": (_boolean, False),
    },
    "quiz_finished": {"attempt": (_integer(1, 100000), True), "score": (_number(0, 1), False)},
    "lesson_completed": {},
    "help_requested": {},
    "help_dismissed": {"by": (_text, False)},
    "time_spent": {"seconds": (_integer(1, 3600), True)},
    # A live class (kit.live): `live` is its uuid. Only live_page_shown comes from tablets'
    # batches; the others are made by the kit, which checks the class's state first.
    "live_joined": {"live": (_ident, True)},
    "live_left": {"live": (_ident, True), "seconds": (_integer(0, 86400), True)},
    "live_page_shown": {"live": (_ident, True), "page": (_integer(0, 100000), True)},
    "live_answer": {
        "live": (_ident, True),
        "question": (_integer(1, 100000), True),
        "kind": (_one_of("quiz", "poll"), True),
        "choices": (_choices, True),
        "correct": (_boolean, False),
    },
    "live_hand": {"live": (_ident, True), "up": (_boolean, True)},
}
KINDS = tuple(PAYLOADS)
# Kinds only the kit records (it checks the live class's state before it does): a tablet's
# batch naming one is refused, or a tablet could answer a closed question or skip the limit
# on raised hands by posting the event itself.
KIT_ONLY = frozenset({"live_joined", "live_left", "live_answer", "live_hand"})


def _uuid(value):
    # The canonical 8-4-4-4-12 form only (any case), stored in lower case: a regular
    # expression says that in a quarter of the time uuid.UUID() and str() take.
    if not isinstance(value, str) or not UUID_FORM.fullmatch(value):
        raise ValueError("must be a UUID like 0b0e6a8e-6d4f-4a53-9f57-1c6b8b7f5a31")
    return value.lower()


def _device_time(value):
    """Parse an ISO 8601 time; return it as naive UTC (naive input is taken as UTC)."""
    try:
        parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValueError("must be an ISO 8601 time like 2026-03-01T09:30:00.000Z")
    if parsed.tzinfo is not None:
        try:
            parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
        except OverflowError:  # 0001-01-01T00:30:00+01:00 is before the year 1 in UTC
            raise ValueError("must be a time between the years 1 and 9999 in UTC") from None
    return parsed


def _boot_id(value):
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise ValueError("must be text of 1 to 64 characters")
    return _storable(value)


TOP_CHECKS = {
    "uuid": _uuid,
    "pack_id": _ident,
    "lesson_id": _ident,
    "device_time": _device_time,
    "boot_id": _boot_id,
    "mono_ms": _number(0, 10**12),
}


def _payload(kind, raw):
    if not isinstance(raw, dict):
        raise BadEvent("payload must be an object", field="payload")
    spec = PAYLOADS[kind]
    if not raw.keys() <= spec.keys():
        unknown = sorted(set(raw) - set(spec))
        raise BadEvent(f"unknown payload field {unknown[0]!r} for {kind}", field="payload")
    clean = {}
    for name, (check, required) in spec.items():
        if name not in raw:
            if required:
                raise BadEvent(f"payload.{name} is required for {kind}", field=f"payload.{name}")
            continue
        try:
            clean[name] = check(raw[name])
        except ValueError as exc:
            raise BadEvent(f"payload.{name} {exc}", field=f"payload.{name}") from None
    return clean


def validate_event(raw):
    """Return a clean copy of one event, or raise BadEvent naming the field."""
    if not isinstance(raw, dict):
        raise BadEvent("an event must be an object")
    if not raw.keys() <= TOP_LEVEL:
        unknown = sorted(set(raw) - TOP_LEVEL)
        raise BadEvent(f"unknown field {unknown[0]!r}", field=unknown[0])
    kind = raw.get("kind")
    if not isinstance(kind, str) or kind not in PAYLOADS:
        raise BadEvent(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}", field="kind")
    clean = {"kind": kind}
    for name, check in TOP_CHECKS.items():
        if name not in raw:
            raise BadEvent(f"{name} is required", field=name)
        try:
            clean[name] = check(raw[name])
        except ValueError as exc:
            raise BadEvent(f"{name} {exc}", field=name) from None
    clean["mono_ms"] = int(clean["mono_ms"])
    clean["payload"] = _payload(kind, raw.get("payload", {}))
    return clean


def validate_batch(events, max_batch, from_tablet=False):
    """Return clean copies of a batch's events; raise BadEvent (with its index) if any is bad.

    `from_tablet`: the batch came from a tablet, which may not send the KIT_ONLY kinds.
    """
    if not isinstance(events, list) or not events:
        raise BadEvent("events must be a non-empty list")
    if len(events) > max_batch:
        raise BadEvent(f"too many events in one batch: {len(events)} (at most {max_batch})", limit=max_batch)
    clean = []
    for index, raw in enumerate(events):
        try:
            clean.append(validate_event(raw))
            if from_tablet and clean[-1]["kind"] in KIT_ONLY:
                raise BadEvent(f"{clean[-1]['kind']} events are recorded by the kit itself", field="kind")
        except BadEvent as exc:
            raise BadEvent(f"event {index}: {exc.message}", index=index, **exc.details) from None
    return clean
