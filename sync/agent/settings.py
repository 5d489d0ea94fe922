"""The sync agent's settings: read from the kit's data folder and ``KIT_*`` variables like
the kit's own, which gets them through the ``classroom_kit.settings`` entry point."""

from kit.settings import Section, Setting

SECTION = Section(
    "The sync agent (on the kit)",
    (
        Setting("pseudonymous_sync", False, "Send learners to the hub as pseudonymous ids, not names.", bool),
        Setting("sync_interval_s", 30, "Seconds between sync attempts when enrolled.", int),
        Setting("hub_ca_file", "", "Extra CA certificate file to trust for the hub's TLS."),
        Setting(
            "sync_agent",
            "serve",
            "Where the sync agent runs: serve (inside `kit serve`), off (a separate `kit sync agent`), always.",
        ),
        Setting("sync_timeout_s", 20, "Seconds the agent waits for the hub to answer one request.", int),
        Setting("sync_probe_timeout_s", 5, "Seconds the agent's first, cheap request may take.", int),
        Setting("sync_backoff_base_s", 5, "First wait after a failed sync; it doubles, with jitter.", int),
        Setting("sync_backoff_max_s", 1800, "Longest wait between failed sync attempts.", int),
        Setting(
            "sync_batch_max", 2000, "Most events the agent sends in one batch (it adapts below this).", int
        ),
        Setting("sync_chunk_bytes", 262144, "Size of each HTTP Range piece when downloading a pack.", int),
        Setting(
            "hub_allow_http",
            False,
            "Allow a plain-HTTP hub URL that is not on loopback (a lab only: the secret travels in clear).",
            bool,
        ),
    ),
)
