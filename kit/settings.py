"""The one registry of settings: name, default and help feed the config, the docs and a test.

A setting's value comes, last one winning, from its default, the data folder's
``settings.toml``, then the environment variable ``KIT_<NAME>`` (upper case).
"""

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str
    kind: type = str

    @property
    def env(self):
        return "KIT_" + self.name.upper()

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
            raise ConfigError(
                f"{source}: {self.name} must be {self.kind.__name__}, not {raw!r}"
            ) from None


SETTINGS = [
    Setting("data", "./kit-data", "Data folder: kit.db, installed packs, backups, logs."),
    Setting("host", "0.0.0.0", "Address `kit serve` listens on."),
    Setting("port", 8080, "TCP port `kit serve` listens on.", int),
    Setting("threads", 8, "Waitress worker threads: concurrent requests being handled.", int),
    Setting("secret_key", "", "Signs session cookies; generated into the data folder when empty."),
    Setting("sqlite_synchronous", "FULL",
            "SQLite synchronous mode (NORMAL or FULL); see docs/power-loss.md for the choice."),
    Setting("busy_timeout_ms", 5000, "How long a SQLite writer waits for the lock.", int),
    Setting("max_pack_bytes", 2 * 1024**3, "Largest unpacked size of one content pack.", int),
    Setting("max_pack_files", 5000, "Most files one content pack may hold.", int),
    Setting("max_compression_ratio", 200, "Largest compression ratio allowed per pack file.", int),
    Setting("min_free_bytes", 50 * 1024**2,
            "Free disk space to keep after unpacking a pack or writing a backup.", int),
    Setting("max_event_batch", 500, "Most events accepted in one POST to the API.", int),
    Setting("login_attempts", 5,
            "Failed sign-ins allowed per account and address (per learner, for picture passwords) per window.",
            int),
    Setting("login_address_attempts", 20,
            "Failed sign-ins allowed per client address across all names per window (kit and hub).", int),
    Setting("login_window_s", 300, "Window in seconds for counting failed sign-ins.", int),
    Setting("session_idle_s", 7200,
            "A teacher's, admin's or hub manager's sign-in ends after this many seconds unused.", int),
    Setting("default_language", "en", "Language used when the browser asks for none we have."),
    Setting("pseudonymous_sync", False, "Send learners to the hub as pseudonymous ids, not names.", bool),
    Setting("sync_interval_s", 30, "Seconds between sync attempts when enrolled.", int),
    Setting("hub_ca_file", "", "Extra CA certificate file to trust for the hub's TLS."),
    Setting("sync_agent", "serve",
            "Where the sync agent runs: serve (inside `kit serve`), off (a separate `kit sync agent`), always."),
    Setting("sync_timeout_s", 20, "Seconds the agent waits for the hub to answer one request.", int),
    Setting("sync_probe_timeout_s", 5, "Seconds the agent's first, cheap request may take.", int),
    Setting("sync_backoff_base_s", 5, "First wait after a failed sync; it doubles, with jitter.", int),
    Setting("sync_backoff_max_s", 1800, "Longest wait between failed sync attempts.", int),
    Setting("sync_batch_max", 2000, "Most events the agent sends in one batch (it adapts below this).", int),
    Setting("sync_chunk_bytes", 262144, "Size of each HTTP Range piece when downloading a pack.", int),
    Setting("hub_allow_http", False,
            "Allow a plain-HTTP hub URL that is not on loopback (a lab only: the secret travels in clear).", bool),
    Setting("hub_database", "", "Hub database URL (postgresql://…); empty: hub.db in the hub's data folder."),
    Setting("hub_host", "0.0.0.0", "Address `kit hub serve` listens on."),
    Setting("hub_port", 8090, "TCP port `kit hub serve` listens on.", int),
    Setting("hub_proxy_count", 0,
            "Reverse proxies in front of the hub whose X-Forwarded-* headers to trust (0: none).", int),
    Setting("hub_enroll_code_ttl_s", 172800, "How long a hub enrol code stays valid (seconds).", int),
    Setting("hub_enroll_attempts", 10, "Wrong enrol codes allowed per address per window.", int),
    Setting("hub_enroll_window_s", 600, "Window in seconds for counting wrong enrol codes.", int),
    Setting("hub_max_batch_bytes", 4 * 1024**2, "Largest sync request body the hub accepts.", int),
    Setting("hub_max_inflated_bytes", 32 * 1024**2, "Largest size a sync body may inflate to.", int),
    Setting("captive_portal", True, "Answer phones' captive-portal checks with a welcome page.", bool),
    Setting("public_url", "http://kit.lan/",
            "Address tablets are sent to from the captive-portal welcome page."),
    Setting("board_id", "",
            "This board's id for cloned-card detection; empty: the Pi serial or DMI product UUID."),
    Setting("settings_file", "",
            "Extra settings file read before DATA/settings.toml (environment only: KIT_SETTINGS_FILE)."),
    Setting("wifi_ssid", "", "Name of the kit's Wi-Fi network, printed as a QR code on /admin/sheet."),
    Setting("wifi_passphrase", "", "Password of the kit's Wi-Fi, in the same QR code (empty: open network)."),
]

BY_NAME = {s.name: s for s in SETTINGS}


def load(data_dir=None, overrides=None, environ=None):
    """Return a dict of every setting, resolved from defaults, file, environment and overrides."""
    environ = os.environ if environ is None else environ
    values = {s.name: s.default for s in SETTINGS}
    if "KIT_DATA" in environ:
        values["data"] = environ["KIT_DATA"]
    if data_dir is not None:
        values["data"] = str(data_dir)
    data = Path(values["data"]).expanduser()
    if environ.get("KIT_SETTINGS_FILE"):
        extra = Path(environ["KIT_SETTINGS_FILE"])
        if not extra.is_file():
            raise ConfigError(f"KIT_SETTINGS_FILE: {extra} is not a file")
        _read_file(extra, values)
    if (data / "settings.toml").is_file():
        _read_file(data / "settings.toml", values)
    for setting in SETTINGS:
        if setting.name != "data" and setting.env in environ:
            values[setting.name] = setting.parse(environ[setting.env], setting.env)
    for name, raw in (overrides or {}).items():
        if name not in BY_NAME:
            raise ConfigError(f"unknown setting {name!r}")
        if raw is not None:
            values[name] = BY_NAME[name].parse(raw, "override")
    values["data"] = str(data.resolve())
    return values


def _read_file(config_file, values):
    """Apply one TOML settings file to `values`; unknown names are refused, not ignored."""
    try:
        from_file = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_file}: not valid TOML ({exc})") from None
    for name, raw in from_file.items():
        if name not in BY_NAME or name in ("data", "settings_file"):
            raise ConfigError(f"{config_file}: unknown setting {name!r}")
        values[name] = BY_NAME[name].parse(raw, str(config_file))
