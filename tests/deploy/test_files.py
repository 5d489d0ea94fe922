"""The deploy files checked by their own tools: shellcheck, systemd-analyze, nft, and the
installer's template helper. Fast: nothing here needs the Bookworm root.
"""

import importlib.util
import os
import re
import subprocess
import sys

import pytest

from .conftest import DEPLOY

UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
SCRIPTS = ["install.sh", "uninstall.sh", "kit-command.sh", "network/90-classroom-kit"]


def load_configure():
    spec = importlib.util.spec_from_file_location("configure", DEPLOY / "configure.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_shell_script_is_listed_and_passes_shellcheck():
    found = sorted(
        str(p.relative_to(DEPLOY))
        for p in DEPLOY.rglob("*")
        if p.is_file() and p.read_bytes()[:9] == b"#!/bin/sh"
    )
    assert found == sorted(SCRIPTS)
    result = subprocess.run(
        ["shellcheck", "--severity=style", "--shell=sh", *(str(DEPLOY / s) for s in SCRIPTS)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
    for script in SCRIPTS:
        assert os.access(DEPLOY / script, os.X_OK), f"{script} is not executable"


def rendered_unit(unit, tmp_path):
    """Return a copy of a unit whose /opt/classroom-kit paths point at a real executable."""
    prefix = tmp_path / "opt"
    (prefix / "venv/bin").mkdir(parents=True, exist_ok=True)
    kit = prefix / "venv/bin/kit"
    kit.write_text("#!/bin/sh\n")
    kit.chmod(0o755)
    copy = tmp_path / unit.name
    copy.write_text(unit.read_text().replace("/opt/classroom-kit", str(prefix)))
    return copy


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_unit_verifies_without_any_warning(unit, tmp_path):
    result = subprocess.run(
        ["systemd-analyze", "verify", str(rendered_unit(unit, tmp_path))], capture_output=True, text=True
    )
    # verify exits 0 on some warnings: any output at all is a failure.
    assert result.returncode == 0 and (result.stdout + result.stderr).strip() == "", (
        result.stdout + result.stderr
    )


@pytest.mark.parametrize("unit", UNITS, ids=[u.name for u in UNITS])
def test_unit_is_rated_ok_or_better_by_systemd_analyze_security(unit):
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", "--threshold=20", str(unit)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    match = re.search(r"Overall exposure level for \S+: ([\d.]+) (\w+)", result.stdout)
    assert match and match.group(2) in ("OK", "SAFE"), result.stdout[-500:]
    assert float(match.group(1)) <= 2.0


@pytest.mark.parametrize(
    "unit",
    [*UNITS, DEPLOY / "systemd/journald-classroom-kit.conf", DEPLOY / "systemd/product-uuid.conf"],
    ids=lambda p: p.name,
)
def test_unit_settings_are_explained_on_their_own_lines(unit):
    """systemd takes `Key=value # note` as part of the value; each paragraph of settings
    must start with a comment saying why (the section's obvious names excepted)."""
    obvious = {"Description", "Documentation", "WantedBy"}
    explained = False
    for number, line in enumerate(unit.read_text().splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("["):
            explained = False
        elif stripped.startswith("#"):
            explained = True
        else:
            key = stripped.split("=", 1)[0]
            assert " #" not in stripped and " ;" not in stripped, f"{unit.name}:{number}: end-of-line comment"
            assert explained or key in obvious, f"{unit.name}:{number}: {key}= has no comment"


def test_firewall_rules_are_valid_nftables(tmp_path):
    configure = load_configure()
    out = tmp_path / "firewall.nft"
    configure.render(DEPLOY / "network/firewall.nft.in", out, {"KIT_CFG_IFACE": "wlan0"})
    result = subprocess.run(["nft", "-c", "-f", str(out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert 'iifname "wlan0" counter drop' in out.read_text()


def test_render_refuses_a_template_value_it_was_not_given(tmp_path):
    configure = load_configure()
    out = tmp_path / "profile"
    with pytest.raises(SystemExit) as refused:
        configure.render(DEPLOY / "network/classroom-kit-hotspot.nmconnection.in", out, {"KIT_CFG_SSID": "x"})
    assert "no value for ADDRESS, CHANNEL, IFACE, PSK, UUID" in str(refused.value)
    assert not out.exists()


def test_passphrase_is_keyfile_escaped_in_the_hotspot_profile(tmp_path):
    configure = load_configure()
    out = tmp_path / "profile"
    values = {
        "KIT_CFG_SSID": "Truck 3",
        "KIT_CFG_PSK": " back\\slash;semi",
        "KIT_CFG_UUID": "u",
        "KIT_CFG_IFACE": "wlan0",
        "KIT_CFG_CHANNEL": "6",
        "KIT_CFG_ADDRESS": "10.42.0.1",
    }
    configure.render(DEPLOY / "network/classroom-kit-hotspot.nmconnection.in", out, values)
    assert "psk=\\sback\\\\slash;semi\n" in out.read_text()


def test_settings_merge_keeps_old_values_and_writes_valid_toml(tmp_path):
    configure = load_configure()
    path = tmp_path / "settings.toml"
    path.write_text('threads = 4\nwifi_ssid = "Old"\n')
    configure.merge_settings(
        path, {"KIT_CFG_SSID": 'New "one"', "KIT_CFG_CAPTIVE": "false", "KIT_CFG_PSK": ""}
    )
    import tomllib

    values = tomllib.loads(path.read_text())
    assert values == {"threads": 4, "wifi_ssid": 'New "one"', "captive_portal": False}
    from kit import settings

    loaded = settings.load(tmp_path / "data", environ={"KIT_SETTINGS_FILE": str(path)})
    assert loaded["threads"] == 4 and loaded["captive_portal"] is False


def test_wifi_qr_text_escapes_special_characters():
    configure = load_configure()
    assert (
        configure.wifi_qr_text("Truck 3", 'a;b:c,d\\e"') == 'WIFI:T:WPA;S:Truck 3;P:a\\;b\\:c\\,d\\\\e\\";;'
    )


def test_installer_help_ends_with_an_example():
    result = subprocess.run(["sh", str(DEPLOY / "install.sh"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert result.stdout.rstrip().splitlines()[-2].strip() == "Example:"
    result = subprocess.run(["sh", str(DEPLOY / "uninstall.sh"), "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "--purge" in result.stdout


def test_configure_helper_runs_with_the_system_python(tmp_path):
    """install.sh calls configure.py with Debian's python3 (standard library only)."""
    result = subprocess.run(
        [
            "/usr/bin/python3",
            "-I",
            str(DEPLOY / "configure.py"),
            "get",
            str(tmp_path / "missing.toml"),
            "wifi_ssid",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and result.stdout == "\n", result.stderr
    assert sys.version_info >= (3, 11)
