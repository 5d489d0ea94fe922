"""The settings registries: name, default and help feed the config, the docs and a test.

The kit's own settings are listed here. A plugin brings its own through the
``classroom_kit.settings`` entry point group (a Section in the plugin's package), read
like the kit's, from the same files and ``KIT_*`` variables. A separate program built on
the kit keeps a Registry of its own, with its own prefix.

A setting's value comes, last one winning, from its default, the file named by
``<PREFIX>SETTINGS_FILE``, the data folder's ``settings.toml``, the environment variable
``<PREFIX><NAME>`` (upper case), then overrides (command-line flags).
"""

import functools
import logging
import os
import tomllib
from dataclasses import dataclass, replace
from importlib.metadata import entry_points
from pathlib import Path

from .errors import ConfigError

PLUGIN_GROUP = "classroom_kit.settings"

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    kind: type = str
    prefix: str = "KIT_"  # set by the Registry the setting belongs to

    @property
    def env(self):
        return self.prefix + self.name.upper()

    def parse(self, raw, source):
        """Convert a raw value from a file or the environment to this setting's type."""
        if self.kind is bool:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ConfigError(f"{source}: {self.name} must be true or false, not {raw!r}")
        try:
            return self.kind(raw)
        except (TypeError, ValueError):
            raise ConfigError(f"{source}: {self.name} must be {self.kind.__name__}, not {raw!r}") from None


@dataclass(frozen=True)
class Section:
    """Settings that belong together under one heading of docs/configuration.md."""

    title: str
    settings: tuple


class Registry:
    """One program's settings: its sections (and its plugins'), its environment prefix,
    and the old names it still reads, with a logged warning, for one release after a rename.

    `renamed` maps a setting's name to its old name; with `old_prefix`, every setting is
    also read from the old variable ``<old_prefix><OLD NAME>`` when the new one is unset.
    """

    def __init__(self, prefix, sections, plugin_group=None, old_prefix=None, renamed=None):
        self.prefix = prefix
        self._sections = list(sections)
        self.plugin_group = plugin_group
        self.old_prefix = old_prefix
        self.renamed = dict(renamed or {})

    def sections(self):
        """Return the sections, the program's own first, each setting carrying this prefix."""
        found = self._sections + (list(_plugin_sections(self.plugin_group)) if self.plugin_group else [])
        return [
            Section(sec.title, tuple(replace(s, prefix=self.prefix) for s in sec.settings)) for sec in found
        ]

    def by_name(self):
        """Return {name: Setting} over every section; a name defined twice is refused."""
        names = {}
        for section in self.sections():
            for setting in section.settings:
                if setting.name in names:
                    raise ConfigError(f"setting {setting.name!r} is defined twice ({section.title})")
                names[setting.name] = setting
        return names

    def load(self, data_dir=None, overrides=None, environ=None):
        """Return a dict of every setting, resolved from defaults, files, environment and overrides."""
        environ = os.environ if environ is None else environ
        known = self.by_name()
        given = {"data"} if data_dir is not None else set()  # a folder given beats the variable, unread
        env = self._environment([s for s in known.values() if s.name not in given], environ)
        values = {name: s.default for name, s in known.items()}
        if "data" in env:
            values["data"] = env["data"]
        if data_dir is not None:
            values["data"] = str(data_dir)
        data = Path(values["data"]).expanduser()
        if env.get("settings_file"):
            extra = Path(env["settings_file"])
            if not extra.is_file():
                raise ConfigError(f"{known['settings_file'].env}: {extra} is not a file")
            self._read_file(extra, values, known)
        if (data / "settings.toml").is_file():
            self._read_file(data / "settings.toml", values, known)
        for name, raw in env.items():
            if name != "data":
                values[name] = known[name].parse(raw, known[name].env)
        for name, raw in (overrides or {}).items():
            if name not in known:
                raise ConfigError(f"unknown setting {name!r}")
            if raw is not None:
                values[name] = known[name].parse(raw, "override")
        values["data"] = str(data.resolve())
        return values

    def _old_env(self, setting):
        if self.old_prefix is None:
            return None
        old = self.old_prefix + self.renamed.get(setting.name, setting.name).upper()
        return None if old == setting.env else old

    def _environment(self, known, environ):
        """Return {name: raw} from the environment; an old variable counts, with a warning."""
        found = {}
        for setting in known:
            old = self._old_env(setting)
            if setting.env in environ:
                found[setting.name] = environ[setting.env]
            elif old and old in environ:
                logger.warning("%s is read for one more release only: rename it %s", old, setting.env)
                found[setting.name] = environ[old]
        return found

    def _read_file(self, config_file, values, known):
        """Apply one TOML settings file to `values`; unknown names are refused, not ignored."""
        try:
            from_file = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config_file}: not valid TOML ({exc})") from None
        old_names = {old: new for new, old in self.renamed.items()}
        for name, raw in from_file.items():
            if name in old_names and old_names[name] not in from_file:
                logger.warning(
                    "%s: %s is read for one more release only: rename it %s",
                    config_file,
                    name,
                    old_names[name],
                )
                name = old_names[name]
            if name not in known or name in ("data", "settings_file"):
                raise ConfigError(f"{config_file}: unknown setting {name!r}")
            values[name] = known[name].parse(raw, str(config_file))

    def markdown(self):
        """Return the reference tables for docs/configuration.md, one per section."""
        out = []
        for section in self.sections():
            out += [
                f"### {section.title}",
                "",
                "| setting | environment | default | what it does |",
                "| --- | --- | --- | --- |",
            ]
            for s in section.settings:
                default = "" if s.default == "" else f"`{s.default}`"
                out.append(f"| `{s.name}` | `{s.env}` | {default} | {s.help} |")
            out.append("")
        return "\n".join(out).rstrip("\n")


@functools.cache
def _plugin_sections(group):
    """Load every installed plugin's Section once per process (entry points do not change)."""
    sections = []
    for ep in sorted(entry_points(group=group), key=lambda ep: ep.name):
        section = ep.load()
        if not isinstance(section, Section):
            raise ConfigError(f"settings plugin {ep.name!r} ({ep.value}) is not a kit.settings.Section")
        sections.append(section)
    return tuple(sections)


SETTINGS = [
    Setting("data", "./kit-data", "Data folder: kit.db, installed packs, backups, logs."),
    Setting("host", "0.0.0.0", "Address `kit serve` listens on."),
    Setting("port", 8080, "TCP port `kit serve` listens on.", int),
    Setting("threads", 8, "Waitress threads per worker process: concurrent requests each handles.", int),
    Setting(
        "workers",
        0,
        "Worker processes `kit serve` runs, each pinned to its own CPU (0: one per CPU, "
        "as many as half the RAM holds at 80 MB each).",
        int,
    ),
    Setting("secret_key", "", "Signs session cookies; generated into the data folder when empty."),
    Setting(
        "sqlite_synchronous",
        "FULL",
        "SQLite synchronous mode (NORMAL or FULL); see docs/power-loss.md for the choice.",
    ),
    Setting("busy_timeout_ms", 5000, "How long a SQLite writer waits for the lock.", int),
    Setting("max_pack_bytes", 2 * 1024**3, "Largest unpacked size of one content pack.", int),
    Setting("max_pack_files", 5000, "Most files one content pack may hold.", int),
    Setting("max_compression_ratio", 200, "Largest compression ratio allowed per pack file.", int),
    Setting(
        "min_free_bytes",
        50 * 1024**2,
        "Free disk space to keep after unpacking a pack or writing a backup.",
        int,
    ),
    Setting("max_event_batch", 500, "Most events accepted in one POST to the API.", int),
    Setting(
        "max_event_body_bytes",
        2 * 1024**2,
        "Largest body of one POST /api/v1/events (a full batch of long answers fits); larger: 413 unread.",
        int,
    ),
    Setting(
        "max_api_body_bytes",
        64 * 1024,
        "Largest body of any other /api/v1 request (an answer check is under 1 KB); larger: 413 unread.",
        int,
    ),
    Setting(
        "login_attempts",
        5,
        "Failed sign-ins allowed per account and address (per learner, for picture passwords) per window.",
        int,
    ),
    Setting(
        "login_address_attempts",
        20,
        "Failed sign-ins allowed per client address across all names per window.",
        int,
    ),
    Setting("login_window_s", 300, "Window in seconds for counting failed sign-ins.", int),
    Setting(
        "session_idle_s", 7200, "A teacher's or admin's sign-in ends after this many seconds unused.", int
    ),
    Setting("default_language", "en", "Language used when the browser asks for none we have."),
    Setting("captive_portal", True, "Answer phones' captive-portal checks with a welcome page.", bool),
    Setting(
        "public_url", "http://kit.lan/", "Address tablets are sent to from the captive-portal welcome page."
    ),
    Setting(
        "board_id", "", "This board's id for cloned-card detection; empty: the Pi serial or DMI product UUID."
    ),
    Setting(
        "settings_file",
        "",
        "Extra settings file read before DATA/settings.toml (environment only: KIT_SETTINGS_FILE).",
    ),
    Setting(
        "live_poll_ms",
        700,
        "How often a tablet in a live class asks the kit for the teacher's page when its "
        "last ask was not held (holding off, or the worker's held asks all taken) (ms).",
        int,
    ),
    Setting(
        "live_hold_s",
        10,
        "How long the kit holds a live-class tablet's poll waiting for the teacher to move "
        "(seconds, at most 30; 0: never hold, tablets poll every live_poll_ms).",
        int,
    ),
    Setting(
        "live_hold_threads",
        64,
        "Tablets' polls each worker may hold at once, in threads of their own beside "
        "`threads`; the tablets beyond them poll. 64: a class of 60 in one worker (a held ask keeps no database connection, so each costs a thread only).",
        int,
    ),
    Setting(
        "live_watch_ms",
        5000,
        "How often a learner page outside a live class checks whether one has started (ms).",
        int,
    ),
    Setting("wifi_ssid", "", "Name of the kit's Wi-Fi network, printed as a QR code on /admin/sheet."),
    Setting("wifi_passphrase", "", "Password of the kit's Wi-Fi, in the same QR code (empty: open network)."),
    Setting("programme_name", "", "The programme's name, printed at the top of every certificate."),
    Setting(
        "programme_logo",
        "",
        "A PNG or JPEG logo printed on certificates (a path; relative to the data folder).",
    ),
    Setting(
        "verify_url",
        "",
        "The programme's public page for checking certificates (https://example.org/verify); each "
        "certificate's QR code points there with its code. Empty: the QR code holds the code alone.",
    ),
]

BY_NAME = {s.name: s for s in SETTINGS}  # the kit's own; KIT.by_name() adds the plugins'

KIT = Registry("KIT_", [Section("The kit", tuple(SETTINGS))], plugin_group=PLUGIN_GROUP)


def load(data_dir=None, overrides=None, environ=None):
    """Return a dict of the kit's settings (its plugins' included); see Registry.load."""
    return KIT.load(data_dir, overrides, environ)
