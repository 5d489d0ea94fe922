"""Forward the hub's events to an external learning record store as xAPI statements.

In the order the hub stored them (hub_event.id), a batch per request, behind a cursor that
moves only after the LRS said yes: an LRS that is down loses nothing, it gets the rest on
the next run. Nothing is stored twice either: a statement's id is its event's UUID, and an
LRS keeps one statement per id (xAPI 1.0.3, 2.2.4), so a batch sent again after a crash
between the LRS's yes and our cursor's commit changes nothing there.

One forwarder at a time: the cursor row is locked for the run (on PostgreSQL; a SQLite hub
is one process, whose write lock does the same).
"""

import logging
import time

import requests

from kit.errors import KitError

from .db import database, dialect
from .models import HubEvent, utcnow
from .xapi import statement

logger = logging.getLogger(__name__)
VERSION = {"X-Experience-API-Version": "1.0.3"}


class LrsError(KitError):
    status = 502


def _cursor():
    query = "SELECT last_event_id, sent FROM hub_lrs_cursor WHERE id = 1"
    if dialect() == "postgresql":
        query += " FOR UPDATE NOWAIT"  # a second forwarder stops at once instead of sending the same
    return database.execute_sql(query).fetchone()


def _note(last_id, sent, error):
    p = database.param
    database.execute_sql(
        f"UPDATE hub_lrs_cursor SET last_event_id = {p}, sent = {p}, last_error = {p}, updated_at = {p} WHERE id = 1",
        (last_id, sent, error[:2000], utcnow()),
    )


def _post(config, statements):
    """Send one batch; raise LrsError after lrs_retries tries that failed (backoff 1, 2, 4… s)."""
    url = config["lrs_endpoint"].rstrip("/") + "/statements"
    auth = (config["lrs_key"], config["lrs_secret"]) if config["lrs_key"] else None
    problem = ""
    for attempt in range(max(1, config["lrs_retries"])):
        if attempt:
            time.sleep(min(2 ** (attempt - 1), 30))
        try:
            answer = requests.post(
                url, json=statements, auth=auth, headers=VERSION, timeout=config["lrs_timeout_s"]
            )
        except requests.RequestException as exc:
            problem = f"the LRS at {url} did not answer ({type(exc).__name__})"
            continue
        if answer.status_code < 300:
            return
        problem = f"the LRS at {url} answered {answer.status_code}: {answer.text[:300]}"
        if answer.status_code in (
            400,
            401,
            403,
            409,
        ):  # ours to fix, not the network's: trying again won't help
            break
    raise LrsError(problem)


def forward(config, max_batches=1000):
    """Send what the LRS has not acknowledged yet, batch by batch; return the statements sent.

    Bounded by max_batches per run (a timer runs it again). Raises LrsError when the LRS
    refuses or cannot be reached; the cursor then stays at the last batch it acknowledged.
    """
    if not config["lrs_endpoint"]:
        raise KitError("no LRS is configured: set lrs_endpoint (and lrs_key, lrs_secret)")
    sent_now = 0
    for _ in range(max_batches):
        with database.atomic():
            try:
                last_id, sent = _cursor()
            except Exception as exc:  # the driver's "could not obtain lock": another run is at it
                if dialect() == "postgresql" and "lock" in str(exc):
                    raise KitError("another `kit hub xapi forward` is running") from None
                raise
            events = list(
                HubEvent.select()
                .where(HubEvent.id > last_id)
                .order_by(HubEvent.id)
                .limit(config["lrs_batch"])
            )
            if not events:
                return sent_now
            try:
                _post(config, [statement(e) for e in events])
            except LrsError as exc:
                _note(last_id, sent, exc.message)  # committed: the problem shows in `kit hub xapi status`
                failure = exc
            else:
                _note(events[-1].id, sent + len(events), "")
                failure = None
        if failure:
            logger.warning("xAPI forward stopped: %s", failure.message)
            raise failure
        sent_now += len(events)
    return sent_now


def status():
    last_id, sent, error, at = database.execute_sql(
        "SELECT last_event_id, sent, last_error, updated_at FROM hub_lrs_cursor WHERE id = 1"
    ).fetchone()
    return {"last_event_id": last_id, "sent": sent, "last_error": error, "updated_at": at}
