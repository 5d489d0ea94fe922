"""What a person needs to know about sync, read from the agent's state rows."""

from kit.models import Event

from .state import Download, SetAside, get_state, waiting_events


def _iso(value):
    return value.isoformat(timespec="seconds") + "Z" if value else None


def status():
    """Return a dict: enrolled, hub, last attempt/success, events waiting, last error, …"""
    state = get_state(required=False)
    if state is None:
        return {
            "enrolled": False,
            "hub": None,
            "events_waiting": Event.select().count(),
            "problem": "not enrolled with a hub",
        }
    set_aside = list(SetAside.select().order_by(SetAside.seq))
    downloads = [
        {
            "pack": d.pack_id,
            "version": d.version,
            "status": d.status,
            "bytes_done": d.bytes_done,
            "size": d.size,
            "error": d.error,
        }
        for d in Download.select().order_by(Download.id.desc()).limit(5)
    ]
    return {
        "enrolled": True,
        "hub": state.hub_url,
        "hub_name": state.hub_name,
        "kit_id": state.kit_id,
        "stage": state.stage,
        "cursor": state.acked_seq,
        "changes_applied": state.changes_seq,
        "events_waiting": waiting_events(state),
        "last_attempt": _iso(state.last_attempt_at),
        "last_success": _iso(state.last_success_at),
        "next_attempt": _iso(state.next_attempt_at),
        "attempts": state.attempts,
        "batch_size": state.batch_size,
        "last_result": state.last_result,
        "last_error": state.last_error or None,
        "last_error_at": _iso(state.last_error_at),
        "clock_offset_s": None if state.clock_offset_ms is None else round(state.clock_offset_ms / 1000, 1),
        "set_aside": [{"seq": s.seq, "uuid": s.uuid, "error": s.error} for s in set_aside],
        "downloads": downloads,
        "problem": state.last_error or (f"{len(set_aside)} event(s) set aside" if set_aside else None),
    }


def lines(info):
    """Return the status as plain lines for the terminal."""
    if not info["enrolled"]:
        return [
            "not enrolled with a hub (run `kit sync enroll --hub URL --code CODE`)",
            f"events recorded: {info['events_waiting']}",
        ]
    out = [
        f"hub:            {info['hub']} ({info['hub_name']})",
        f"last attempt:   {info['last_attempt'] or 'never'}",
        f"last success:   {info['last_success'] or 'never'}",
        f"events waiting: {info['events_waiting']}",
        f"from the hub:   changes applied up to {info['changes_applied']}",
        f"stage:          {info['stage']}  (next attempt {info['next_attempt'] or 'soon'})",
        f"last error:     {info['last_error'] or 'none'}",
    ]
    if info["clock_offset_s"] is not None and abs(info["clock_offset_s"]) > 60:
        out.append(f"clock:          this kit's clock is {info['clock_offset_s']:+.0f} s off the hub's")
    for item in info["set_aside"]:
        out.append(f"set aside:      event {item['seq']}: {item['error']}")
    return out
