"""Turn a kit's clock readings into true time.

Within one boot the kit's monotonic clock is trustworthy even when its wall clock is not
(a Raspberry Pi has no battery clock). Every online exchange pairs the kit's (boot,
monotonic) reading with the hub's clock, so any anchor from a boot the hub has heard
from is placed exactly. Anchors from boots the hub never heard from are estimated: their
wall clock is believed when it falls between the times known before and after them,
and clamped into that interval when it does not (a clock back in 1970, or days behind).
When the hub later hears from such a boot (a USB bundle came first, then the kit synced
online from the same boot), its anchors become exact and their events are placed again.
"""

from .. import protocol
from . import summaries
from .db import database
from .models import EPOCH, ClockSample, HubAnchor, HubEvent, Kit, ms_to_dt, now_ms

_MS = ms_to_dt(1) - EPOCH  # one millisecond, as a timedelta


def record_sample(kit, device_ms, boot, mono_ms, hub_ms):
    """Store one exchange's pair of clocks and the kit's current offset."""
    ClockSample.create(kit_id=kit.kit_id, boot_id=boot, device_ms=device_ms, mono_ms=mono_ms, hub_ms=hub_ms)
    Kit.update(clock_offset_ms=hub_ms - device_ms).where(Kit.id == kit.id).execute()


def _exact(kit_id, boot, mono_ms, cache):
    if boot not in cache:
        cache[boot] = (
            ClockSample.select()
            .where((ClockSample.kit_id == kit_id) & (ClockSample.boot_id == boot))
            .order_by(ClockSample.id.desc())
            .first()
        )
    sample = cache[boot]
    return None if sample is None else sample.hub_ms + (mono_ms - sample.mono_ms)


def _previous(kit_id, anchor_id):
    return (
        HubAnchor.select()
        .where((HubAnchor.kit_id == kit_id) & (HubAnchor.anchor_id < anchor_id))
        .order_by(HubAnchor.anchor_id.desc())
        .first()
    )


def store_anchors(kit, anchors):
    """Store new anchors [[id, boot, wall_ms, mono_ms, last_seq], …] with their true times."""
    known = {
        a.anchor_id
        for a in HubAnchor.select(HubAnchor.anchor_id).where(
            (HubAnchor.kit_id == kit.kit_id) & (HubAnchor.anchor_id.in_([a[0] for a in anchors]))
        )
    }
    fresh = sorted((a for a in anchors if a[0] not in known), key=lambda a: a[0])
    cache = {}
    exact = [(a, _exact(kit.kit_id, a[1], a[3], cache)) for a in fresh]
    upper_after = {}
    upper = now_ms()
    for anchor, true_ms in reversed(exact):
        upper_after[anchor[0]] = upper
        if true_ms is not None:
            upper = min(upper, true_ms)
    prev = _previous(kit.kit_id, fresh[0][0]) if fresh else None
    for anchor, true_ms in exact:
        estimated = true_ms is None
        if estimated:
            true_ms = _estimate(anchor, prev, upper_after[anchor[0]])
        HubAnchor.create(
            kit_id=kit.kit_id,
            anchor_id=anchor[0],
            boot_id=anchor[1],
            wall_ms=anchor[2],
            mono_ms=anchor[3],
            last_seq=anchor[4],
            true_ms=true_ms,
            estimated=estimated,
        )
        prev = HubAnchor(boot_id=anchor[1], mono_ms=anchor[3], true_ms=true_ms, wall_ms=anchor[2])
    if fresh:
        top = max(kit.acked_anchor, fresh[-1][0])
        Kit.update(acked_anchor=top).where(Kit.id == kit.id).execute()
        kit.acked_anchor = top


def _estimate(anchor, prev, upper):
    """Place an anchor from a boot the hub never heard from."""
    if prev is not None and prev.boot_id == anchor[1]:
        return prev.true_ms + (anchor[3] - prev.mono_ms)  # same boot: monotonic time is exact
    lower = prev.true_ms if prev is not None else 0
    return min(max(anchor[2], lower), max(upper, lower))


def anchors_from(kit_id, first_seq, limit=10000):
    """Return the kit's anchors covering seqs >= first_seq, in the order events meet them."""
    return list(
        HubAnchor.select()
        .where((HubAnchor.kit_id == kit_id) & (HubAnchor.last_seq >= first_seq))
        .order_by(HubAnchor.last_seq, HubAnchor.anchor_id)
        .limit(limit)
    )


def corrected_times(kit, events):
    """Return [(true_ms, estimated)] for a batch's events, in their (increasing) seq order.

    Each event is placed relative to the first anchor taken after it arrived (the first
    whose last_seq is not below its seq); past the last anchor, by the kit's clock offset.
    The anchors are read once per batch.
    """
    anchors = [
        (a.last_seq, a.true_ms - a.wall_ms, bool(a.estimated))  # tuples: model fields cost per event
        for a in (anchors_from(kit.kit_id, events[0]["seq"]) if events else [])
    ]
    offset = kit.clock_offset_ms or 0
    times, i = [], 0
    for e in events:
        while i < len(anchors) and anchors[i][0] < e["seq"]:
            i += 1
        if i == len(anchors):
            times.append((e["received_ms"] + offset, True))
        else:
            times.append((e["received_ms"] + anchors[i][1], anchors[i][2]))
    return times


def correct_boot(kit, boot):
    """Place exactly the estimated anchors of a boot the hub now has a sample from, and their events.

    Events carried by USB before the kit ever synced online from that boot were placed by
    estimate (a clock years off stays years off); reports read corrected times, so they
    follow. Returns how many events moved.
    """
    sample = (
        ClockSample.select()
        .where((ClockSample.kit_id == kit.kit_id) & (ClockSample.boot_id == boot))
        .order_by(ClockSample.id.desc())
        .first()
    )
    stale = list(
        HubAnchor.select().where(
            (HubAnchor.kit_id == kit.kit_id) & (HubAnchor.boot_id == boot) & HubAnchor.estimated
        )
    )
    if sample is None or not stale:
        return 0
    for anchor in stale:
        HubAnchor.update(true_ms=sample.hub_ms + (anchor.mono_ms - sample.mono_ms), estimated=False).where(
            HubAnchor.id == anchor.id
        ).execute()
    first = min(a.last_seq for a in stale)
    before = (
        HubAnchor.select(HubAnchor.last_seq)
        .where((HubAnchor.kit_id == kit.kit_id) & (HubAnchor.last_seq < first))
        .order_by(HubAnchor.last_seq.desc())
        .first()
    )
    return _replace(kit, before.last_seq if before else 0, max(a.last_seq for a in stale))


def _replace(kit, after, upto):
    """Compute the corrected times of the kit's events with seqs in (after, upto] again."""
    rows = list(
        HubEvent.select(
            HubEvent.id,
            HubEvent.seq,
            HubEvent.kit_received_at,
            HubEvent.corrected_time,
            HubEvent.time_estimated,
        )
        .where((HubEvent.kit_id == kit.kit_id) & (HubEvent.seq > after) & (HubEvent.seq <= upto))
        .order_by(HubEvent.seq)
        .tuples()
    )
    events = [{"seq": seq, "received_ms": (received - EPOCH) // _MS} for _, seq, received, _, _ in rows]
    changes = []
    for (row_id, _, _, corrected, estimated), (true_ms, now_estimated) in zip(
        rows, corrected_times(kit, events)
    ):
        placed = ms_to_dt(min(max(true_ms, protocol.MIN_MS), protocol.MAX_MS))
        if placed != corrected or bool(estimated) != now_estimated:
            changes.append((placed, now_estimated, row_id))
    if changes:
        param = database.param
        database.cursor().executemany(
            f"UPDATE hub_event SET corrected_time = {param}, time_estimated = {param} WHERE id = {param}",
            changes,
        )
        summaries.rebuild(kit.kit_id)  # events may have moved month: rare (once per boot), per kit
    return len(changes)
