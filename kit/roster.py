"""Classes and their learners: add, edit, deactivate, and import from a CSV file.

Nothing here deletes: a class or a learner is deactivated, so the event log, which
points at learners, stays whole. A CSV import only adds and updates: learners and
classes the file does not mention are left exactly as they were.
"""

import csv
import io
from dataclasses import dataclass, field

from flask_babel import gettext as _
from peewee import fn

from . import signins
from .db import write
from .errors import Conflict, KitError, NotFound
from .models import Classroom, Learner
from .pictures import AVATARS, COLOURS, PICTURES, hash_picture_password

MAX_NAME = 60
MAX_CSV_BYTES = 512 * 1024
MAX_CSV_ROWS = 2000
COLUMNS = ("name", "avatar", "colour", "picture_password", "language", "sign_first")
# Spellings a spreadsheet may use for our columns.
ALIASES = {
    "color": "colour",
    "display_name": "name",
    "nom": "name",
    "couleur": "colour",
    "picture password": "picture_password",
    "pictures": "picture_password",
    "lang": "language",
    "langue": "language",
    "sign first": "sign_first",
    "sign language first": "sign_first",
    "sign-first": "sign_first",
    "langue des signes": "sign_first",
}
# What a spreadsheet may hold in the sign_first column (empty: leave it as it is).
YES, NO = {"1", "yes", "y", "true", "x", "oui", "o"}, {"0", "no", "n", "false", "non"}
LANGUAGE_CODES = ("", "en", "fr", "sw", "bn", "wo")


def _clean_name(name, what="name"):
    """Return the name with spaces tidied; KitError if empty or too long."""
    text = " ".join((name or "").split())
    is_class = what == "class name"
    if not text:
        raise KitError(_("the class name must not be empty") if is_class else _("the name must not be empty"))
    if len(text) > MAX_NAME:
        raise KitError(
            _("the class name is longer than %(max)s characters", max=MAX_NAME)
            if is_class
            else _("the name is longer than %(max)s characters", max=MAX_NAME)
        )
    return text


# -- classes -------------------------------------------------------------------------


def list_classes(include_inactive=False):
    """Return classes by name; active ones only unless asked."""
    query = Classroom.select().order_by(Classroom.name)
    if not include_inactive:
        query = query.where(Classroom.active == True)  # noqa: E712
    return list(query)


def get_class(class_id):
    """Return the Classroom with this id or raise NotFound."""
    found = Classroom.get_or_none(Classroom.id == class_id)
    if found is None:
        raise NotFound(_("no such class"))
    return found


def find_class(name):
    """Return the class called `name` (case-insensitive), or None."""
    text = " ".join((name or "").split())
    return Classroom.get_or_none(fn.lower(Classroom.name) == text.lower()) if text else None


def create_class(name):
    """Add a class; refuse a name another class already has."""
    text = _clean_name(name, "class name")
    with write():
        if find_class(text) is not None:
            raise Conflict(_("a class called '%(name)s' already exists", name=text))
        return Classroom.create(name=text)


def update_class(class_id, name=None, active=None):
    """Rename, deactivate or reactivate a class."""
    with write():
        room = get_class(class_id)
        if name is not None:
            text = _clean_name(name, "class name")
            other = find_class(text)
            if other is not None and other.id != room.id:
                raise Conflict(_("a class called '%(name)s' already exists", name=text))
            room.name = text
        if active is not None:
            room.active = bool(active)
        room.save()
        if active is not None and not active:
            signins.end_all(classroom_id=room.id)  # its learners are signed out at once
    return room


# -- learners ------------------------------------------------------------------------


def list_learners(class_id, include_inactive=False):
    """Return a class's learners by name."""
    query = Learner.select().where(Learner.classroom == class_id).order_by(Learner.display_name)
    if not include_inactive:
        query = query.where(Learner.active == True)  # noqa: E712
    return list(query)


def get_learner(learner_id):
    found = Learner.get_or_none(Learner.id == learner_id)
    if found is None:
        raise NotFound(_("no such learner"))
    return found


def _check_choice(value, choices, what):
    text = (value or "").strip().lower()
    if text and text not in choices:
        label = {"avatar": _("avatar"), "colour": _("colour"), "language": _("language")}[what]
        raise KitError(
            _(
                "%(what)s '%(value)s' is not one of: %(choices)s",
                what=label,
                value=value.strip(),
                choices=", ".join(choices),
            )
        )
    return text


def parse_picture_password(text):
    """Return the stored hash for "sun+moon" (or "sun moon"), "" for none; KitError if bad."""
    raw = (text or "").replace("+", " ").replace(",", " ").split()
    if not raw:
        return ""
    try:
        return hash_picture_password([p.lower() for p in raw])
    except ValueError:
        raise KitError(
            _(
                "a picture password is two different pictures out of: %(pictures)s",
                pictures=", ".join(PICTURES),
            )
        ) from None


def _next_look(class_id):
    """Pick an avatar and colour pair not yet used in the class, so learners look different."""
    used = {(l.avatar, l.colour) for l in Learner.select().where(Learner.classroom == class_id)}
    count = len(used)
    for step in range(len(AVATARS) * len(COLOURS)):
        n = count + step
        pair = (AVATARS[n % len(AVATARS)], COLOURS[(n // len(AVATARS) + n) % len(COLOURS)])
        if pair not in used:
            return pair
    return AVATARS[count % len(AVATARS)], COLOURS[count % len(COLOURS)]


def validate_learner(fields):
    """Return cleaned learner fields (name, avatar, colour, language, sign first, picture hash)."""
    clean = {"display_name": _clean_name(fields.get("name"))}
    clean["avatar"] = _check_choice(fields.get("avatar"), AVATARS, "avatar")
    clean["colour"] = _check_choice(fields.get("colour"), COLOURS, "colour")
    clean["language"] = _check_choice(fields.get("language"), LANGUAGE_CODES[1:], "language")
    if fields.get("picture_password"):
        clean["picture_password"] = parse_picture_password(fields["picture_password"])
    if "sign_first" in fields:
        clean["sign_first"] = _yes_no(fields["sign_first"])
    return clean


def _yes_no(value):
    """True or False from the roster form (a bool) or a CSV cell ("yes", "no", "1", "0", …)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text not in YES | NO:
        raise KitError(
            _("sign_first is '%(value)s': write yes or no (or leave it empty)", value=str(value)[:20])
        )
    return text in YES


def add_learner(class_id, **fields):
    """Add a learner to a class; the name must be new in that class."""
    clean = validate_learner(fields)
    with write():
        room = get_class(class_id)
        if _find_learner(room.id, clean["display_name"]) is not None:
            raise Conflict(
                _("'%(name)s' is already in %(class)s", name=clean["display_name"], **{"class": room.name})
            )
        if not clean["avatar"] or not clean["colour"]:
            avatar, colour = _next_look(room.id)
            clean["avatar"] = clean["avatar"] or avatar
            clean["colour"] = clean["colour"] or colour
        return Learner.create(classroom=room, **clean)


def update_learner(learner_id, clear_picture_password=False, active=None, **fields):
    """Edit a learner's name, look, language or picture password; or (de)activate them.

    Deactivating a learner or changing their picture password ends their sign-ins."""
    with write():
        learner = get_learner(learner_id)
        old_pictures = learner.picture_password
        if fields:
            clean = validate_learner(fields)
            other = _find_learner(learner.classroom_id, clean["display_name"])
            if other is not None and other.id != learner.id:
                raise Conflict(_("'%(name)s' is already in this class", name=clean["display_name"]))
            for key, value in clean.items():
                if value or key in ("language", "sign_first") and key in fields:
                    setattr(learner, key, value)
        if clear_picture_password:
            learner.picture_password = ""
        if active is not None:
            learner.active = bool(active)
        learner.save()
        if not learner.active or learner.picture_password != old_pictures:
            signins.end_all(learner_id=learner.id)
    return learner


def set_sign_first(learner_id, on):
    """Turn "sign language first" on or off for a learner (their own picture button)."""
    with write():
        learner = get_learner(learner_id)
        if bool(learner.sign_first) != bool(on):
            learner.sign_first = bool(on)
            learner.save()
    return learner


def _find_learner(class_id, name):
    return Learner.get_or_none(
        (Learner.classroom == class_id) & (fn.lower(Learner.display_name) == name.lower())
    )


# -- CSV import ----------------------------------------------------------------------


@dataclass
class ImportRow:
    line: int
    action: str  # "add", "update" or "unchanged"
    fields: dict


@dataclass
class ImportPlan:
    """What an import would do: rows to apply and line-numbered errors (never applied)."""

    class_name: str
    class_exists: bool
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # [(line, message)]

    def count(self, action):
        return sum(1 for row in self.rows if row.action == action)


def _decode(data):
    """Return the CSV as text; refuse files over MAX_CSV_BYTES or not in UTF-8."""
    if len(data) > MAX_CSV_BYTES:
        raise KitError(_("the file is larger than %(kb)s KB; split it", kb=MAX_CSV_BYTES // 1024))
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KitError(_("the file is not UTF-8 text: in your spreadsheet, save it as 'CSV UTF-8'")) from None


def _header(reader_row):
    names = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in reader_row]
    unknown = [h for h in names if h not in COLUMNS]
    if unknown:
        raise KitError(
            _(
                "line 1: unknown column '%(name)s'; the columns are: %(columns)s",
                name=unknown[0],
                columns=", ".join(COLUMNS),
            )
        )
    if "name" not in names:
        raise KitError(_("line 1: the first line must name the columns, with at least 'name'"))
    return names


def plan_import(data, class_name):
    """Read a roster CSV and return the ImportPlan for `class_name`; change nothing."""
    text = _decode(data).lstrip("\ufeff")
    if not text.strip():
        raise KitError(_("the file is empty"))
    class_text = _clean_name(class_name, "class name")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    names = _header(next(reader))
    room = find_class(class_text)
    plan = ImportPlan(class_name=room.name if room else class_text, class_exists=room is not None)
    seen = {}
    for values in reader:
        _plan_line(plan, room, names, values, reader.line_num, seen)
        if reader.line_num > MAX_CSV_ROWS + 1:
            raise KitError(_("the file has more than %(n)s learners; split it", n=MAX_CSV_ROWS))
    if not plan.rows and not plan.errors:
        raise KitError(_("the file names no learners (only a header line)"))
    return plan


def _plan_line(plan, room, names, values, line, seen):
    """Add one CSV line to the plan, or an error naming the line."""
    if not any(v.strip() for v in values):
        return
    if len(values) > len(names):
        plan.errors.append(
            (
                line,
                _("%(values)s values but only %(columns)s columns", values=len(values), columns=len(names)),
            )
        )
        return
    raw = dict(zip(names, (v.strip() for v in values)))
    if not raw.get("sign_first", "x"):
        del raw["sign_first"]  # an empty cell leaves the learner's choice as it is
    try:
        clean = validate_learner(raw)
    except KitError as exc:
        plan.errors.append((line, exc.message))
        return
    key = clean["display_name"].casefold()
    if key in seen:
        plan.errors.append(
            (line, _("'%(name)s' is already on line %(line)s", name=clean["display_name"], line=seen[key]))
        )
        return
    seen[key] = line
    existing = _find_learner(room.id, clean["display_name"]) if room else None
    action = "add" if existing is None else _update_action(existing, clean)
    plan.rows.append(ImportRow(line=line, action=action, fields=raw))


def _update_action(existing, clean):
    changed = not existing.active or any(
        (value or key == "sign_first") and getattr(existing, key) != value
        for key, value in clean.items()
        if key not in ("display_name", "picture_password")
    )
    return "update" if changed or clean.get("picture_password") else "unchanged"


def apply_import(plan):
    """Apply a plan's good rows in one transaction (creating the class if needed)."""
    with write():
        room = find_class(plan.class_name) or Classroom.create(name=plan.class_name)
        added = updated = 0
        for row in plan.rows:
            if row.action == "unchanged":
                continue
            existing = _find_learner(room.id, _clean_name(row.fields["name"]))
            if existing is None:
                add_learner(room.id, **row.fields)
                added += 1
            else:
                update_learner(existing.id, active=True, **row.fields)
                updated += 1
    return {
        "class_id": room.id,
        "added": added,
        "updated": updated,
        "skipped_lines": [line for line, _ in plan.errors],
    }
