"""The hub has its own settings and prefix (KIT_HUB_*); installed hubs' old KIT_* names and
`hub_*` file names still work for one release, each with a warning naming the new one."""

import logging

import pytest

from kit.errors import ConfigError
from sync.hub.settings import HUB
from tests.conftest import run_kit


def _warnings(caplog):
    return [
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == "kit.settings"
    ]


def test_the_hub_reads_its_own_prefix_and_not_the_kits(tmp_path, caplog):
    values = HUB.load(
        tmp_path,
        environ={
            "KIT_HUB_PORT": "9001",
            "KIT_HUB_THREADS": "3",
            "KIT_PORT": "1234",
            "KIT_SYNC_INTERVAL_S": "1",
        },
    )
    assert (values["port"], values["threads"]) == (9001, 3)
    assert "sync_interval_s" not in values and "wifi_ssid" not in values
    assert _warnings(caplog) == []


def test_old_kit_variables_still_work_for_the_hub_with_a_warning(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    values = HUB.load(
        environ={
            "KIT_DATA": str(tmp_path),
            "KIT_THREADS": "3",
            "KIT_SESSION_IDLE_S": "60",
            "KIT_HUB_LOGIN_ATTEMPTS": "4",
            "KIT_LOGIN_ATTEMPTS": "9",
        }
    )
    assert values["data"] == str(tmp_path.resolve())
    assert (values["threads"], values["session_idle_s"], values["login_attempts"]) == (3, 60, 4)
    assert sorted(_warnings(caplog)) == [
        "KIT_DATA is read for one more release only: rename it KIT_HUB_DATA",
        "KIT_SESSION_IDLE_S is read for one more release only: rename it KIT_HUB_SESSION_IDLE_S",
        "KIT_THREADS is read for one more release only: rename it KIT_HUB_THREADS",
    ]  # KIT_LOGIN_ATTEMPTS: the new name is set, so the old one is not read at all


def test_old_hub_names_in_settings_toml_still_work_with_a_warning(tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    (tmp_path / "settings.toml").write_text('hub_port = 8091\nhub_database = "sqlite:///x.db"\nthreads = 2\n')
    values = HUB.load(tmp_path, environ={})
    assert (values["port"], values["database"], values["threads"]) == (8091, "sqlite:///x.db", 2)
    assert sorted(_warnings(caplog)) == [
        f"{tmp_path / 'settings.toml'}: hub_database is read for one more release only: rename it database",
        f"{tmp_path / 'settings.toml'}: hub_port is read for one more release only: rename it port",
    ]


@pytest.mark.parametrize(
    "text, message",
    [
        ("wifi_ssid = 'x'\n", "unknown setting 'wifi_ssid'"),  # a kit setting means nothing to the hub
        ("port = 'high'\n", "port must be int, not 'high'"),
        (
            "port = 1\nhub_port = 2\n",
            "unknown setting 'hub_port'",
        ),  # both names: the old one is not guessed at
    ],
)
def test_a_hub_settings_file_with_a_bad_line_is_refused(tmp_path, text, message):
    (tmp_path / "settings.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        HUB.load(tmp_path, environ={})


def test_kit_hub_commands_take_the_old_data_variable_and_say_its_new_name(tmp_path):
    folder = tmp_path / "hub"
    old = run_kit(folder, "hub", "settings", env={"KIT_HUB_PORT": "9002"})  # run_kit sets KIT_DATA
    assert f"data = '{folder}'" in old.stdout and "port = 9002" in old.stdout
    assert "KIT_DATA is read for one more release only: rename it KIT_HUB_DATA" in old.stderr

    new = run_kit(tmp_path / "elsewhere", "hub", "init", env={"KIT_HUB_DATA": str(folder)})
    assert f"hub ready in {folder}" in new.stdout and "KIT_DATA" not in new.stderr
    assert (folder / "hub.db").exists() and not (tmp_path / "elsewhere").exists()

    typed = run_kit(tmp_path / "ignored", "--data", folder, "hub", "settings")
    assert f"data = '{folder}'" in typed.stdout and typed.stderr == ""
