"""The hub's sync endpoints under /sync/v1 (docs/sync-protocol.md describes each)."""

import hashlib
import logging
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, current_app, jsonify, request, send_file

from kit.api import load_openapi
from kit.errors import KitError, NotFound
from kit.storable import is_storable, loads

from .. import credentials, protocol
from . import certificates
from .changes import applied_upto, pending
from .db import database
from .enrol import authenticate, enrol
from .ingest import store_events, store_records
from .models import HubPack, Kit, now_ms, utcnow
from .timefix import correct_boot, record_sample, store_anchors

logger = logging.getLogger(__name__)

bp = Blueprint("sync_api", __name__, url_prefix=protocol.PREFIX)


def _config():
    return current_app.config["HUB"]


def _kit():
    return authenticate(request.headers.get("Authorization"))


def _body():
    """Return the request body after checking its SHA-256 (its size was checked unread: kit.body_limits)."""
    body = request.get_data(cache=False)
    claimed = request.headers.get("X-Body-SHA256", "")
    if claimed and claimed != credentials.body_digest(body):
        raise protocol.CorruptTransfer(
            "the body does not match its X-Body-SHA256: it was cut or changed on the way"
        )
    return body


def _json_body():
    """The request's JSON, refused clearly (never a 500) when it is not JSON or nests too deeply."""
    return loads(request.get_data(cache=True), "the request body")


def _int(value, name):
    if not isinstance(value, int) or isinstance(value, bool) or abs(value) >= protocol.MAX_INT:
        raise protocol.MalformedBatch(f"{name!r} must be a whole number")
    return value


def _text(body, name):
    value = body.get(name, "")
    if not isinstance(value, str):
        return ""
    if not is_storable(value):
        raise protocol.MalformedBatch(f"{name!r} holds a NUL character or an unpaired surrogate")
    return value


@lru_cache(maxsize=1)
def openapi_document():
    """Return the sync API's OpenAPI document (sync/hub/openapi.yaml, parsed once)."""
    return load_openapi(__package__)


@bp.get("/openapi.json")
def openapi():
    return jsonify(openapi_document())


@bp.get("/ping")
def ping():
    """The agent's cheap probe: is the hub there at all?"""
    return jsonify(hub="classroom-kit", format=protocol.FORMAT)


@bp.post("/enroll")
def enroll():
    body = _json_body()
    fields = ("code", "kit_id", "site", "location", "version")
    if not isinstance(body, dict) or not all(
        isinstance(body.get(f, ""), str) and len(body.get(f, "")) <= 255 and is_storable(body.get(f, ""))
        for f in fields
    ):
        raise KitError(
            f"enrol needs a JSON object whose {', '.join(fields)} are short texts"
            " (no NUL characters or unpaired surrogates)"
        )
    public_key = body.get("public_key", "")
    if public_key:
        certificates.signing.load_public_key(public_key)  # refused before the code is spent
    result = enrol(*(body.get(f, "") for f in fields), request.remote_addr, _config())
    if public_key:  # a re-enrolled kit may bring a new key (a new card, a restored backup)
        certificates.register_key(Kit.get(Kit.kit_id == result["kit_id"]), public_key, replace=True)
    logger.info("kit %s enrolled as %s", result["kit_id"], result["name"])
    return jsonify(kit_id=result["kit_id"], secret=result["secret"], name=result["name"])


def catalogue_etag():
    rows = HubPack.select(HubPack.sha256).order_by(HubPack.id)
    return hashlib.sha256("".join(r.sha256 for r in rows).encode()).hexdigest()[:16]


@bp.post("/hello")
def hello():
    """Exchange clocks, take the kit's new anchors, and tell it where its cursor stands."""
    hub_ms = now_ms()
    kit = _kit()
    body = _json_body()
    if not isinstance(body, dict):
        raise protocol.MalformedBatch("hello needs a JSON object")
    anchors = protocol.check_anchors(body.get("anchors") or [])
    device_ms = _int(body.get("device_ms"), "device_ms")
    if not protocol.MIN_MS <= device_ms <= protocol.MAX_MS:
        raise protocol.MalformedBatch("'device_ms' is not a time")
    boot_id, version, site = (_text(body, name) for name in ("boot_id", "version", "site"))
    mono_ms = _int(body.get("mono_ms"), "mono_ms")
    kit = certificates.register_key(kit, _text(body, "public_key"))  # kits enrolled before certificates
    with database.atomic():
        record_sample(kit, device_ms, boot_id[:64], mono_ms, hub_ms)
        store_anchors(kit, anchors)
        correct_boot(kit, boot_id[:64])  # a USB bundle from this boot may have come first
        Kit.update(last_contact=utcnow(), version=version[:64], site=(site or kit.site)[:255]).where(
            Kit.id == kit.id
        ).execute()
    kit = Kit.get_by_id(kit.id)
    return jsonify(
        hub_ms=hub_ms,
        ack=kit.acked_seq,
        acked_anchor=kit.acked_anchor,
        name=kit.name,
        catalogue=catalogue_etag(),
        revocations=certificates.revocations(kit),
    )


@bp.post("/events")
def events():
    kit = _kit()
    doc = protocol.decompress(_body(), _config()["max_inflated_bytes"])
    after, upto, skipped, batch = protocol.decode_events(doc, kit.kit_id)
    result = store_events(kit, after, upto, skipped, batch)
    return jsonify(result)


@bp.post("/records")
def records():
    kit = _kit()
    doc = protocol.decompress(_body(), _config()["max_inflated_bytes"])
    result = store_records(kit, protocol.decode_records(doc, kit.kit_id))
    return jsonify(result)


@bp.get("/changes")
def changes():
    """The kit's downstream changes above `after`; asking also says every one up to `after` is applied."""
    kit = _kit()
    after, limit = (request.args.get(name, default) for name, default in (("after", "0"), ("limit", "200")))
    if not (after.isdigit() and limit.isdigit() and len(after) < 16 and 0 < int(limit[:6])):
        raise protocol.MalformedBatch("'after' and 'limit' must be whole numbers (limit above 0)")
    with database.atomic():
        applied_upto(kit.kit_id, int(after))
    items, more = pending(kit.kit_id, int(after), min(int(limit[:6]), 1000))
    return jsonify(changes=items, more=more)


@bp.get("/packs")
def packs():
    _kit()
    rows = HubPack.select().order_by(HubPack.pack_id, HubPack.id)
    return jsonify(
        etag=catalogue_etag(),
        packs=[
            {
                "id": p.pack_id,
                "version": p.version,
                "title": p.title,
                "sha256": p.sha256,
                "size": p.size,
                "url": f"{protocol.PREFIX}/packs/{p.sha256}",
            }
            for p in rows
        ],
    )


@bp.get("/packs/<sha256>")
def pack_file(sha256):
    """Serve a published pack; Range requests let a kit resume a download piece by piece."""
    _kit()
    row = HubPack.get_or_none(HubPack.sha256 == sha256)
    if row is None:
        raise NotFound("no such pack at this hub")
    path = Path(_config()["data"]) / "packs" / row.filename
    return send_file(
        path,
        mimetype="application/zip",
        conditional=True,
        etag=row.sha256,
        max_age=3600,
        download_name=row.filename,
    )


def init_app(app):
    app.register_blueprint(bp)
