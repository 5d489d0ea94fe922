"""The sync agent: one cycle moves the kit's records to the hub, stage by stage.

A cycle is: fetch and apply the hub's downstream changes (sync/agent/downstream.py),
probe and exchange clocks (hello), push events above the cursor, push changed records,
fetch new content packs. Every stage is written to the state row
before it starts, the cursor moves only to what the hub acknowledges, and failures
back off exponentially with jitter; so a killed process simply resumes at the next
cycle. The network is never touched inside a database transaction.
"""

import datetime as dt
import logging
import random
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from kit import __version__
from kit.datafolder import identity
from kit.db import database, write
from kit.models import utcnow

from .. import protocol
from . import outbox
from .client import HubClient, HubRefused, HubUnreachable
from .downloads import pull_packs
from .downstream import pull_changes
from .poke import mark_enrolled
from .revocations import learn_revocations, public_key_text
from .state import (
    SetAside,
    anchors_after,
    clocks,
    get_state,
    max_seq,
    record_anchor,
    update_state,
)

logger = logging.getLogger(__name__)

MIN_BATCH = 1
IN_FLIGHT = 2  # batches on the wire at once (docs/sync-protocol.md, a sync cycle)


def retry_set_aside():
    """Offer set-aside events to the hub once more (after it was fixed, say); return how many."""
    with write():
        return SetAside.update(retry=1).execute()


def backoff_seconds(attempts, config, rng=random.random):
    """Exponential backoff with full jitter between half and all of the step."""
    step = min(config["sync_backoff_max_s"], config["sync_backoff_base_s"] * 2 ** max(0, attempts - 1))
    return step * (0.5 + 0.5 * rng())


def run_once(config, force=False):
    """Run one sync cycle if it is due (or forced); return a short result line."""
    database.connect(reuse_if_open=True)
    state = get_state(required=False)
    if state is None:
        return "not enrolled"
    record_anchor()
    if not force and state.next_attempt_at and state.next_attempt_at > utcnow():
        return "waiting (backing off)"
    update_state(last_attempt_at=utcnow(), stage="probing")
    client = HubClient(state.hub_url, config, state.kit_id, state.secret)
    try:
        result = _cycle(client, config)
    except (HubUnreachable, HubRefused) as exc:
        return _failed(config, exc)
    finally:
        client.close()
    update_state(
        stage="idle",
        attempts=0,
        last_success_at=utcnow(),
        last_error="",
        last_result=result,
        next_attempt_at=utcnow() + dt.timedelta(seconds=config["sync_interval_s"]),
    )

    mark_enrolled(config["data"], True)  # again: a restored data folder may have lost the marker
    return result


def _failed(config, exc):
    wait = None
    if getattr(exc, "status", 0) == 401:  # wrong or revoked secret: retrying soon cannot help
        wait = config["sync_backoff_max_s"]
    attempts, wait = _back_off(config, exc.message, "failed", wait)
    logger.warning("sync failed (attempt %d, next in %.0f s): %s", attempts, wait, exc.message)
    return f"failed: {exc.message}"


def record_crash(config, exc):
    """Record an unexpected error like a failure, naming the stage it stopped in.

    Without this the state row keeps the stage the cycle was in (say "pushing_events")
    and the status page shows a sync still running that has long stopped.
    """
    state = get_state(required=False)
    if state is None:
        return
    text = f"{type(exc).__name__}: {exc}"[:300]
    _back_off(
        config, f"sync stopped by an unexpected error in stage {state.stage}: {text} (see the log)", "crashed"
    )


def _back_off(config, message, result, wait=None):
    """Write a failed cycle into the state row: stage backoff, one attempt more, the next try."""
    attempts = get_state().attempts + 1
    wait = wait or backoff_seconds(attempts, config)
    update_state(
        stage="backoff",
        attempts=attempts,
        last_error=message,
        last_error_at=utcnow(),
        next_attempt_at=utcnow() + dt.timedelta(seconds=wait),
        last_result=result,
    )
    return attempts, wait


def _cycle(client, config):
    update_state(stage="pulling_changes")
    changes = pull_changes(client)  # first: the events recording them go up in this cycle
    anchor = record_anchor()
    update_state(stage="probing")
    answer = _hello(client, config)
    sent = _push_events(client, config, anchor.last_seq) + _retry_set_aside(
        client, config["pseudonymous_sync"]
    )
    update_state(stage="pushing_records")
    records = _push_records(client, config)
    update_state(stage="pulling_packs")

    packs = pull_packs(client, config, answer.get("catalogue", ""))
    return (
        f"ok: {sent} event(s), {records} record(s) sent"
        + (f", {changes} change(s) from the hub applied" if changes else "")
        + (f", {packs} pack(s) installed" if packs else "")
    )


def _hello(client, config, per_call=500):
    """Exchange clocks and hand over every new anchor (in calls of `per_call`); return the last answer."""
    for _ in range(1000):  # bounded: each turn moves acked_anchor forward or ends
        state = get_state()
        anchors = anchors_after(state.acked_anchor, limit=per_call)
        wall, boot, mono = clocks()
        answer = client.call(
            "POST",
            protocol.PREFIX + "/hello",
            timeout=config["sync_probe_timeout_s"],
            json={
                "device_ms": wall,
                "boot_id": boot,
                "mono_ms": mono,
                "version": __version__,
                "site": identity().site,
                "anchors": anchors,
                "public_key": public_key_text(config["data"]),  # kits enrolled before certificates
            },
        ).json()
        learn_revocations(answer.get("revocations"))
        acked_seq, acked_anchor = _cursor_from_hub(state, answer)
        update_state(
            acked_seq=acked_seq,
            acked_anchor=acked_anchor,
            clock_offset_ms=answer["hub_ms"] - wall,
            hub_name=answer.get("name", state.hub_name),
            stage="pushing_events",
        )
        if len(anchors) < per_call or answer["acked_anchor"] <= state.acked_anchor:
            return answer
    return answer


def _sequence(table):
    row = database.execute_sql("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    return row[0] if row else 0


def _cursor_from_hub(state, answer):
    """Return the (seq, anchor) cursors to keep after hello.

    Normally the hub's: that is how a USB bundle imported at the hub moves the cursor.
    But a hub that holds more than this kit ever numbered means the kit was restored
    from an older backup: number what comes next after the hub's, and keep our own
    cursor, so events made since the restore are sent (storage is idempotent).
    """
    if answer["ack"] <= _sequence("event") and answer["acked_anchor"] <= _sequence("sync_anchor"):
        return answer["ack"], answer["acked_anchor"]
    with write():
        for table, value in (("event", answer["ack"]), ("sync_anchor", answer["acked_anchor"])):
            database.execute_sql(
                "UPDATE sqlite_sequence SET seq = ? WHERE name = ? AND seq < ?", (value, table, value)
            )
            database.execute_sql(
                "INSERT INTO sqlite_sequence (name, seq) SELECT ?, ? WHERE NOT EXISTS "
                "(SELECT 1 FROM sqlite_sequence WHERE name = ?)",
                (table, value, table),
            )
    logger.warning(
        "the hub holds events up to %s but this kit only numbered up to %s: restored from a "
        "backup? new events are numbered after the hub's",
        answer["ack"],
        max_seq(),
    )
    return min(state.acked_seq, answer["ack"]), min(state.acked_anchor, answer["acked_anchor"])


def _batch(kit_id, after, size, limit_seq, pseudonymous=False):
    """Read and encode the batch above `after`: (events, upto, body, size), or None if nothing is left."""
    events, skipped, upto = outbox.pending_events(after, size, limit_seq, pseudonymous=pseudonymous)
    if upto <= after:
        return None
    return events, upto, protocol.encode_events(kit_id, after, upto, events, skipped), size


def _push_events(client, config, limit_seq):
    """Send batches above the cursor up to the anchored seq; return how many events went.

    Up to IN_FLIGHT batches are on the wire at once, each on its own connection: while the
    hub stores one and its answer travels back, the next one is already uploading, so a
    slow, long link never idles. Answers are taken in order, and the cursor only moves to
    an answer's contiguous ack (the hub keeps a batch that overtook its elder as a range
    until the gap fills). After a refusal the other batch's fate is waited for and the
    next batch is read again from the cursor; anything the hub stored twice is a duplicate.
    """
    sent, ceiling = 0, config["sync_batch_max"]
    state = get_state()
    after = acked = state.acked_seq
    flight, answered = deque(), time.monotonic()
    with ThreadPoolExecutor(IN_FLIGHT, thread_name_prefix="sync-post") as pool:
        for _ in range(100000):  # bounded: each turn moves the cursor or sets an event aside
            while len(flight) < IN_FLIGHT:
                batch = _batch(
                    state.kit_id,
                    after,
                    min(state.batch_size, ceiling),
                    limit_seq,
                    config["pseudonymous_sync"],
                )
                if batch is None:
                    break
                flight.append(
                    (
                        pool.submit(
                            client.post_body, protocol.PREFIX + "/events", batch[2], protocol.EVENTS_TYPE
                        ),
                        batch,
                        time.monotonic(),
                    )
                )
                after = batch[1]
            if not flight:
                return sent
            posting, (events, upto, _body, asked), started = flight.popleft()
            try:
                answer = posting.result()
            except HubRefused as exc:
                _settle(flight)
                if exc.code not in ("malformed_batch", "too_large"):
                    raise
                if exc.code == "too_large":  # never grow back to a size the hub refused
                    ceiling = max(MIN_BATCH, min(ceiling, len(events) - 1))
                _shrink_or_set_aside(state, events, exc)
                state = get_state()
                after = state.acked_seq
                continue
            except HubUnreachable:
                _settle(flight)
                update_state(batch_size=max(MIN_BATCH, state.batch_size // 2))
                raise
            sent += len(events)
            # The time this batch held the pipeline: since it was sent, or since the answer before.
            seconds = time.monotonic() - max(started, answered)
            answered = time.monotonic()
            size = min(_grow(state.batch_size, len(events) >= asked, seconds, config), ceiling)
            # The highest ack heard: a batch that overtook its elder was answered before the gap filled.
            acked = max(acked, answer["ack"])
            # min: never skip our own events on the hub's word (a restored kit reuses seqs it holds).
            update_state(acked_seq=min(acked, upto), batch_size=size)
            state = get_state()
            if acked < upto:
                _settle(flight)
                return sent  # the hub holds a gap below this batch; the next cycle resends from its ack
    return sent


def _settle(flight):
    """Wait for the batches still on the wire and forget their answers (the cursor stays put)."""
    while flight:
        posting = flight.popleft()[0]
        try:
            posting.result()
        except (HubRefused, HubUnreachable):
            pass


def _retry_set_aside(client, pseudonymous=False):
    """Send each event marked for retry alone (shaped as in a batch, names left out on a
    pseudonymous kit); it leaves the list once the hub stores it."""
    sent = 0
    for row in list(SetAside.select().where(SetAside.retry == 1).order_by(SetAside.seq)):
        event = outbox.one_event(row.seq, pseudonymous)
        if event is None:
            continue
        body = protocol.encode_events(get_state().kit_id, row.seq - 1, row.seq, [event])
        try:
            client.post_body(protocol.PREFIX + "/events", body, protocol.EVENTS_TYPE)
        except HubRefused as exc:
            if exc.code not in ("malformed_batch", "too_large"):
                raise
            with write():
                SetAside.update(retry=0, error=exc.message, at=utcnow()).where(
                    SetAside.id == row.id
                ).execute()
            continue
        with write():
            SetAside.delete().where(SetAside.id == row.id).execute()
        sent += 1
    return sent


def _grow(size, full, seconds, config):
    """Double the batch size after a quick full batch; halve it after a slow one.

    `full`: the batch had all the events it asked for. It may have been read at a smaller
    size than `size` (the next batch leaves before the answer that doubled it), so growth
    is once per answer, not once per round of two.
    """
    if seconds > config["sync_timeout_s"] / 3:
        return max(MIN_BATCH, size // 2)
    if full and seconds < config["sync_timeout_s"] / 10:
        return min(config["sync_batch_max"], size * 2)
    return size


def _shrink_or_set_aside(state, events, exc):
    """Halve a refused batch until the bad event is alone, then set that event aside."""
    seq = exc.details.get("seq")
    bad = [e for e in events if e["seq"] == seq] or (events if len(events) == 1 else [])
    if bad:
        with write():
            SetAside.insert(
                seq=bad[0]["seq"], uuid=bad[0]["uuid"], error=exc.message
            ).on_conflict_ignore().execute()
        update_state(last_error=f"event {bad[0]['seq']} set aside: {exc.message}", last_error_at=utcnow())
        logger.error("event seq %s set aside: %s", bad[0]["seq"], exc.message)
    elif len(events) <= 1:
        raise exc  # nothing left to split: a problem with the batch itself, retried with backoff
    else:
        update_state(batch_size=max(MIN_BATCH, min(state.batch_size, len(events)) // 2))


def _push_records(client, config):
    sent = 0
    for _ in range(1000):
        records = outbox.changed_records(config["pseudonymous_sync"], limit=500)
        if not records:
            return sent
        state = get_state()
        answer = client.post_body(
            protocol.PREFIX + "/records",
            protocol.encode_records(state.kit_id, records),
            protocol.RECORDS_TYPE,
        )
        refused = {(r["t"], r["id"]) for r in answer.get("refused", [])}
        with write():
            # Refused ones are marked too, so they are not resent every cycle; the hub shows them.
            outbox.mark_sent(records)
        if refused:
            update_state(last_error=f"{len(refused)} record(s) refused by the hub (owned by another kit)")
        sent += len(records) - len(refused)
    return sent
