"""A kit's credentials on the wire: the bearer header, what the hub keeps of the secret, the body digest.

Kept apart from the batch format (sync/protocol.py): the agent, the hub and the USB
bundles all authenticate, and none of that depends on how a batch is encoded.
"""

import hashlib


def body_digest(body):
    """Return the hex SHA-256 the sender puts in X-Body-SHA256."""
    return hashlib.sha256(body).hexdigest()


def secret_hash(secret):
    """Return what the hub stores instead of a kit's secret (the secret is 256 random bits)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def auth_header(kit_id, secret):
    return {"Authorization": f"Bearer {kit_id}.{secret}"}


def parse_auth(value):
    """Return (kit_id, secret) from an Authorization header, or (None, None)."""
    if not value or not value.startswith("Bearer "):
        return None, None
    token = value[len("Bearer ") :].strip()
    kit_id, _, secret = token.partition(".")
    return (kit_id, secret) if kit_id and secret else (None, None)
