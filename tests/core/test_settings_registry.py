"""The kit lists only its own settings; a plugin brings its own through an entry point."""

import pytest

from kit import settings
from kit.errors import ConfigError
from kit.settings import Registry, Section, Setting

SYNC_NAMES = {
    "pseudonymous_sync",
    "sync_interval_s",
    "hub_ca_file",
    "sync_agent",
    "sync_timeout_s",
    "sync_probe_timeout_s",
    "sync_backoff_base_s",
    "sync_backoff_max_s",
    "sync_batch_max",
    "sync_chunk_bytes",
    "hub_allow_http",
}


def test_kit_settings_lists_nothing_of_sync_or_the_hub():
    names = {s.name for s in settings.SETTINGS}
    assert not names & SYNC_NAMES and not {n for n in names if n.startswith(("sync_", "hub_"))}
    assert [s.name for s in settings.SETTINGS if "hub" in s.help.lower()] == []
    assert set(settings.BY_NAME) == names


def test_the_sync_plugin_brings_its_settings_through_the_entry_point():
    sections = settings.KIT.sections()
    assert [s.title for s in sections] == ["The kit", "The sync agent (on the kit)"]
    assert {s.name for s in sections[1].settings} == SYNC_NAMES
    assert all(s.env == "KIT_" + s.name.upper() for s in sections[1].settings)


def test_plugin_settings_are_read_from_the_same_file_and_variables(tmp_path):
    (tmp_path / "settings.toml").write_text("sync_interval_s = 7\nthreads = 3\n")
    values = settings.load(tmp_path, environ={"KIT_SYNC_BATCH_MAX": "50"})
    assert (values["sync_interval_s"], values["threads"], values["sync_batch_max"]) == (7, 3, 50)
    assert values["hub_allow_http"] is False  # the plugin's default


def test_a_plugin_setting_of_the_wrong_type_is_refused_with_its_variable(tmp_path):
    with pytest.raises(ConfigError, match="KIT_SYNC_BATCH_MAX: sync_batch_max must be int, not 'many'"):
        settings.load(tmp_path, environ={"KIT_SYNC_BATCH_MAX": "many"})


def test_a_name_defined_twice_is_refused():
    registry = Registry(
        "T_",
        [
            Section("one", (Setting("data", ".", "x"), Setting("port", 1, "p", int))),
            Section("two", (Setting("port", 2, "q", int),)),
        ],
    )
    with pytest.raises(ConfigError, match="setting 'port' is defined twice \\(two\\)"):
        registry.load(environ={})


def test_a_registry_reads_its_own_prefix_only(tmp_path):
    registry = Registry("T_", [Section("one", (Setting("data", ".", "x"), Setting("port", 1, "p", int)))])
    assert registry.load(tmp_path, environ={"T_PORT": "5", "KIT_PORT": "6"})["port"] == 5
    assert registry.load(tmp_path, environ={"KIT_PORT": "6"})["port"] == 1
