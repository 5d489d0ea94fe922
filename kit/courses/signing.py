"""The kit's own Ed25519 key: it signs certificates; the hub checks them with the public half.

The private key is made once, in the data folder (`signing_key`, mode 600, never sent
anywhere, kept by `kit backup`), by linking a finished temporary file into place, so
two processes starting at once can never read a half-written key or make two.
The document signed is its canonical JSON: keys sorted, no spaces, UTF-8.
"""

import base64
import json
import os
import threading
from pathlib import Path

from ..errors import KitError

KEY_FILE = "signing_key"
_lock = threading.Lock()
_keys = {}


class BadKey(KitError):
    status = 400
    code = "bad_public_key"


def canonical(document):
    """The bytes a certificate's signature covers."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _b64(data):
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _ed25519():
    """cryptography's Ed25519, imported when a certificate is first issued or checked."""
    from cryptography.hazmat.primitives.asymmetric import ed25519  # deferred: +7.7 MB in every worker

    return ed25519


def signing_key(data_dir):
    """Return the data folder's private key, making it the first time."""
    path = Path(data_dir) / KEY_FILE
    with _lock:
        key = _keys.get(str(path))
        if key is None:
            if not path.exists():
                _make(path)
            key = _ed25519().Ed25519PrivateKey.from_private_bytes(bytes.fromhex(path.read_text().strip()))
            _keys[str(path)] = key
        return key


def _make(path):
    seed = _ed25519().Ed25519PrivateKey.generate().private_bytes_raw().hex()
    partial = path.with_name(f".{KEY_FILE}-{os.getpid()}-{threading.get_ident()}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(seed + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(partial, path)  # fails if another process made it first: theirs stands
    except FileExistsError:
        pass
    finally:
        os.unlink(partial)


def public_key_text(data_dir):
    """The public key as the hub registers it: 32 bytes, URL-safe base64."""
    return _b64(signing_key(data_dir).public_key().public_bytes_raw())


def sign(document, data_dir):
    return _b64(signing_key(data_dir).sign(canonical(document)))


def load_public_key(text):
    """Parse a registered public key; BadKey if it is not 32 bytes of base64."""
    try:
        raw = _unb64(text) if isinstance(text, str) and len(text) < 100 else b""
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise BadKey("a kit's public key is 32 bytes in URL-safe base64 (43 characters)")
    return _ed25519().Ed25519PublicKey.from_public_bytes(raw)


def verify(document, signature, public_key):
    """True only if `signature` is the key's signature of exactly this document."""
    from cryptography.exceptions import InvalidSignature  # deferred: as _ed25519

    try:
        key = load_public_key(public_key) if isinstance(public_key, str) else public_key
        sig = _unb64(signature) if isinstance(signature, str) and len(signature) < 200 else b""
        key.verify(sig, canonical(document))
    except (BadKey, InvalidSignature, ValueError, TypeError):
        return False
    return True
