"""The hub's settings: its own registry, read from the hub's data folder and ``KIT_HUB_*``.

The hub is a program of its own at headquarters, so it shares no setting with the kit.
Installed hubs were configured with the kit's names (``KIT_DATA``, ``KIT_THREADS``,
``hub_port`` in settings.toml…): those are still read, with a warning, for one release.
The hub's own variables keep the names they had (``KIT_HUB_PORT`` is still the port).
"""

from kit import settings as kit_settings
from kit.settings import Registry, Section, Setting

PREFIX = "KIT_HUB_"


def _as_the_kits(name, help):
    """A setting the hub had from the kit's list: the same default, the hub's own help."""
    kit = kit_settings.BY_NAME[name]
    return Setting(name, kit.default, help, kit.kind)


SECTION = Section(
    "The hub (`kit hub …`)",
    (
        Setting(
            "data", "./kit-data", "The hub's data folder: hub.db (SQLite), published packs, its session key."
        ),
        Setting(
            "settings_file",
            "",
            "Extra settings file read before DATA/settings.toml (environment only: KIT_HUB_SETTINGS_FILE).",
        ),
        Setting("database", "", "Hub database URL (postgresql://…); empty: hub.db in the hub's data folder."),
        Setting("host", "0.0.0.0", "Address `kit hub serve` listens on."),
        Setting("port", 8090, "TCP port `kit hub serve` listens on.", int),
        _as_the_kits("threads", "Waitress threads per worker process of `kit hub serve`."),
        Setting(
            "workers",
            0,
            "Worker processes `kit hub serve` runs on PostgreSQL, each pinned to its own CPU "
            "(0: one per CPU); a hub on SQLite serves from one process.",
            int,
        ),
        Setting(
            "proxy_count",
            0,
            "Reverse proxies in front of the hub whose X-Forwarded-* headers to trust (0: none).",
            int,
        ),
        Setting(
            "report_page_rows",
            500,
            "Rows per page of a report page (its CSV has every row): a programme's learners "
            "report grows a row per site and month.",
            int,
        ),
        Setting("enroll_code_ttl_s", 172800, "How long a hub enrol code stays valid (seconds).", int),
        Setting("enroll_attempts", 10, "Wrong enrol codes allowed per address per window.", int),
        Setting("enroll_window_s", 600, "Window in seconds for counting wrong enrol codes.", int),
        Setting(
            "verify_misses",
            10,
            "Unknown or mistyped certificate codes allowed per address per window on /verify.",
            int,
        ),
        Setting("verify_window_s", 600, "Window in seconds for counting /verify misses.", int),
        Setting(
            "max_batch_bytes",
            4 * 1024**2,
            "Largest body of a /sync/v1 request other than hello and enroll (an event or record batch).",
            int,
        ),
        Setting(
            "max_hello_bytes",
            256 * 1024,
            "Largest body of POST /sync/v1/hello (500 clock anchors are about 40 KB); larger: 413 unread.",
            int,
        ),
        Setting(
            "max_enroll_bytes",
            16 * 1024,
            "Largest body of POST /sync/v1/enroll (five short texts); larger: 413 unread.",
            int,
        ),
        Setting("max_inflated_bytes", 32 * 1024**2, "Largest size a sync body may inflate to.", int),
        _as_the_kits(
            "max_pack_bytes", "Largest unpacked size of a pack the hub publishes (and of an upload)."
        ),
        _as_the_kits("max_pack_files", "Most files a published pack may hold."),
        _as_the_kits(
            "max_compression_ratio", "Largest compression ratio allowed per file of a published pack."
        ),
        _as_the_kits("login_attempts", "Failed sign-ins allowed per hub account and address per window."),
        _as_the_kits(
            "login_address_attempts",
            "Failed sign-ins allowed per client address across all names per window.",
        ),
        _as_the_kits("login_window_s", "Window in seconds for counting failed sign-ins."),
        _as_the_kits("session_idle_s", "A hub account's sign-in ends after this many seconds unused."),
        Setting(
            "lrs_endpoint",
            "",
            "xAPI endpoint of a learning record store that `kit hub xapi forward` sends statements to "
            "(https://lrs.example.org/xAPI/); empty: none.",
        ),
        Setting("lrs_key", "", "The LRS account's key (user name) for HTTP basic authentication."),
        Setting("lrs_secret", "", "The LRS account's secret (password) for HTTP basic authentication."),
        Setting("lrs_batch", 500, "Statements per request to the LRS.", int),
        Setting("lrs_timeout_s", 30, "Seconds to wait for the LRS to answer one request.", int),
        Setting(
            "lrs_retries",
            3,
            "Tries per request before a forward run stops and leaves the rest for the next.",
            int,
        ),
    ),
)

RENAMED = {
    name: "hub_" + name
    for name in (
        "database",
        "host",
        "port",
        "proxy_count",
        "enroll_code_ttl_s",
        "enroll_attempts",
        "enroll_window_s",
        "max_batch_bytes",
        "max_inflated_bytes",
    )
}

HUB = Registry(PREFIX, [SECTION], old_prefix="KIT_", renamed=RENAMED)


def load(data_dir=None, overrides=None, environ=None):
    """Return the hub's settings; see kit.settings.Registry.load."""
    return HUB.load(data_dir, overrides, environ)
