"""Downstream changes from the hub (what a remote teacher did), applied on the kit once each, in order.

Online, the agent asks GET /sync/v1/changes?after=<cursor> (the ``after`` also tells the
hub what this kit has applied); by USB, `kit sync import FILE` reads the bundle the hub
wrote with `kit hub export-for`. Both end in :func:`apply_changes`: each change is applied
in its own write transaction together with the cursor, so a kill -9 mid-apply leaves
either the change applied and the cursor moved, or neither. A change at or below the
cursor, or whose id is already applied, is a no-op; a change that skips one is refused,
so nothing is ever applied out of order (docs/sync-protocol.md, "Downstream changes").
"""

import logging

from kit import from_afar
from kit.db import write

from .. import protocol
from ..bundle_format import BadBundle, read_json, signing_key, verify
from ..changes_format import CHANGES_MAGIC, BadChange, check_changes
from .bundle import apply_receipt
from .client import HubRefused
from .state import SyncState, get_state

logger = logging.getLogger(__name__)

PAGE = 200  # changes asked for per call


def apply_changes(changes, via):
    """Apply the changes above the cursor, one transaction each; return how many were applied."""
    applied = 0
    for change in check_changes(changes):
        with write():
            row = SyncState.select().first()
            if change["seq"] <= row.changes_seq:
                continue
            if change["seq"] != row.changes_seq + 1:
                raise BadChange(
                    f"change {change['seq']} cannot come before change {row.changes_seq + 1}, "
                    "which this kit has not received: nothing after it was applied"
                )
            fields = {"changes_seq": change["seq"]}
            if not from_afar.is_applied(change["id"]):
                outcome = from_afar.apply(change, via)
                logger.info("change %s from the hub (%s): %s", change["seq"], change["kind"], outcome)
                applied += 1
                if change["kind"] == "install_pack":
                    fields["catalogue_etag"] = ""  # read the catalogue again at the next pull
            SyncState.update(**fields).execute()
    return applied


def pull_changes(client):
    """Fetch and apply every pending change from the hub, a page at a time; return how many applied."""
    applied = 0
    for _ in range(10000):  # bounded: each turn moves the cursor or ends
        before = get_state().changes_seq
        try:
            answer = client.call(
                "GET", protocol.PREFIX + "/changes", params={"after": before, "limit": PAGE}
            ).json()
        except HubRefused as exc:
            if exc.status != 404:
                raise
            # A hub older than downstream changes: it has none to send; the rest of the cycle runs.
            logger.info("the hub offers no downstream changes (an older hub): %s", exc.message)
            return applied
        if not isinstance(answer, dict):
            raise HubRefused("the hub's answer to /changes is not a JSON object")
        try:
            applied += apply_changes(answer.get("changes") or [], "online")
        except BadChange as exc:  # the hub's fault: back off and say so, like any refusal
            raise HubRefused(f"a change from the hub was refused: {exc.message}") from None
        if not answer.get("more") or get_state().changes_seq <= before:
            return applied
    return applied


def import_changes(path):
    """Verify a bundle from the hub (`kit hub export-for`) and apply its receipt and changes."""
    document = read_json(path, CHANGES_MAGIC, "bundle from the hub")
    state = get_state()
    if document.get("kit") != state.kit_id:
        raise BadBundle(
            f"this bundle from the hub is for kit {str(document.get('kit'))[:64]!r}, "
            f"not this kit ({state.kit_id}): it was not applied"
        )
    verify(document, signing_key(state.secret), "bundle from the hub")
    receipt = document.get("receipt")
    ack = apply_receipt(receipt) if isinstance(receipt, dict) else None
    before = state.changes_seq
    applied = apply_changes(document.get("changes"), "usb")
    return {
        "applied": applied,
        "before": before,
        "upto": get_state().changes_seq,
        "in_bundle": len(document.get("changes") or []),
        "receipt": ack,
    }
