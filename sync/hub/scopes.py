"""Who sees which class at the hub: a programme manager sees every kit; a remote teacher only
the kits or classes chosen for them (hub_scope rows), and a revoked kit's classes read-only.

Every remote-teacher page and action asks :func:`find_class` for its class: a class
outside the account's scope is "not found", exactly like one that does not exist, so
a remote teacher cannot even learn which other classes a hub holds.
"""

import json
from dataclasses import dataclass

from peewee import CharField

from kit.errors import Conflict, Forbidden, KitError, NotFound

from .db import database
from .enrol import find_kit
from .models import HubModel, HubUser, Kit, Record

MANAGER, TEACHER = "manager", "remote-teacher"
ROLES = (MANAGER, TEACHER)


class HubScope(HubModel):
    """One kit (class_uuid empty: all its classes) or one class a remote teacher follows."""

    username = CharField()
    kit_id = CharField()
    class_uuid = CharField(default="")

    class Meta:
        table_name = "hub_scope"


@dataclass(frozen=True)
class HubClass:
    """A class as the hub knows it from the kit's records, with the kit it lives on."""

    kit_id: str
    kit_name: str
    uuid: str
    name: str
    revoked: bool
    as_of: object  # the kit's last contact (online or by bundle): what the hub knows dates from then


def check_role(role):
    if role not in ROLES:
        raise KitError(f"unknown role {role!r}: use {' or '.join(ROLES)}")
    return role


def set_role(username, role):
    """Make an account a manager or a remote teacher."""
    user = _user(username)
    HubUser.update(role=check_role(role)).where(HubUser.id == user.id).execute()
    return user


def _user(username):
    user = HubUser.get_or_none(HubUser.username == (username or "").strip().lower())
    if user is None:
        raise NotFound(f"no hub account {username!r}")
    return user


def _class_record(kit, name):
    """The class on this kit with this uuid or name, from the records the kit sent."""
    for record in Record.select().where((Record.kit_id == kit.kit_id) & (Record.kind == "classroom")):
        if record.uuid == name or json.loads(record.data).get("name") == name:
            return record
    raise NotFound(f"kit {kit.name} has sent no class {name!r} (yet): it arrives with the kit's next sync")


def add_scope(username, kit, class_name=None):
    """Let a remote teacher follow a whole kit, or one of its classes; return a description."""
    user = _user(username)
    if user.role != TEACHER:
        raise Conflict(f"{user.username} is a {user.role}, who sees every kit already")
    found = find_kit(kit)
    uuid = _class_record(found, class_name).uuid if class_name else ""
    with database.atomic():
        HubScope.insert(
            username=user.username, kit_id=found.kit_id, class_uuid=uuid
        ).on_conflict_ignore().execute()
    return f"{found.name}" + (f", class {class_name}" if class_name else " (every class)")


def remove_scope(username, kit, class_name=None):
    user, found = _user(username), find_kit(kit)
    uuid = _class_record(found, class_name).uuid if class_name else ""
    removed = (
        HubScope.delete()
        .where(
            (HubScope.username == user.username)
            & (HubScope.kit_id == found.kit_id)
            & (HubScope.class_uuid == uuid)
        )
        .execute()
    )
    if not removed:
        raise NotFound(
            f"{user.username} does not follow {found.name}" + (f", class {class_name}" if class_name else "")
        )


def role_of(username):
    user = HubUser.get_or_none(HubUser.username == username)
    return user.role if user else None


def classes_for(username):
    """Every class this account may see, by kit name then class name."""
    role = role_of(username)
    kits = {k.kit_id: k for k in Kit.select()}
    query = Record.select().where(Record.kind == "classroom")
    if role != MANAGER:
        scopes = list(HubScope.select().where(HubScope.username == username))
        whole = {s.kit_id for s in scopes if not s.class_uuid}
        single = {(s.kit_id, s.class_uuid) for s in scopes if s.class_uuid}
        query = query.where(Record.kit_id.in_(list(whole | {k for k, _ in single}) or [""]))
    found = []
    for record in query:
        kit = kits.get(record.kit_id)
        if kit is None or (
            role != MANAGER and record.kit_id not in whole and (record.kit_id, record.uuid) not in single
        ):
            continue
        data = json.loads(record.data)
        found.append(
            HubClass(
                kit.kit_id,
                kit.name,
                record.uuid,
                data.get("name", record.uuid),
                kit.revoked_at is not None,
                kit.last_contact,
            )
        )
    return sorted(found, key=lambda c: (c.kit_name, c.name))


def find_class(username, kit_id, class_uuid):
    """The class if this account may see it; NotFound otherwise (never a hint that it exists)."""
    for found in classes_for(username):
        if found.kit_id == kit_id and found.uuid == class_uuid:
            return found
    raise NotFound("no such class among yours")


def writable(found):
    """Refuse to act on a revoked kit's class: it can no longer receive anything."""
    if found.revoked:
        raise Forbidden(f"kit {found.kit_name} was revoked: its classes are read-only")
    return found
