"""Enrol this kit with a hub: spend a code once, keep the secret, start syncing from scratch.

Apart from the agent's cycle (sync/agent/agent.py): enrolment runs once, from the command line
or the kit's sync page, and the cycle only ever reads what it leaves in the state row.
"""

from kit import __version__
from kit.datafolder import identity
from kit.db import write

from .. import protocol
from .client import HubClient, check_url
from .poke import mark_enrolled
from .revocations import public_key_text
from .state import SentRecord, SyncState


def enroll(config, hub_url, code):
    """Spend an enrol code at the hub and keep the secret it gives this kit."""
    url = check_url(hub_url, config)
    ident = identity()
    client = HubClient(url, config)
    try:
        answer = client.call(
            "POST",
            protocol.PREFIX + "/enroll",
            json={
                "code": code,
                "kit_id": ident.kit_uuid,
                "site": ident.site,
                "location": ident.location,
                "version": __version__,
                "public_key": public_key_text(config["data"]),  # the hub checks our certificates with it
            },
        ).json()
    finally:
        client.close()
    with write():
        SyncState.delete().execute()
        SentRecord.delete().execute()  # a new (or re-made) hub gets every record once more
        SyncState.create(
            hub_url=url,
            kit_id=ident.kit_uuid,
            secret=answer["secret"],
            hub_name=answer.get("name", ""),
            batch_size=min(200, config["sync_batch_max"]),
        )

    mark_enrolled(config["data"], True)
    return answer.get("name", "")
