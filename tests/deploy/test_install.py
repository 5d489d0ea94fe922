"""install.sh into a real Debian Bookworm root, re-run as an upgrade, and undone by uninstall.sh.

Each test gets an overlay on the cached debootstrap root; the installer runs in it with
systemd-nspawn (no running systemd there, as in an image build: units are enabled, not
started). Booting that root is in test_boot.py.
"""

import re
import stat

import pytest

from .conftest import install_args, rootfs

pytestmark = pytest.mark.slow


def install(overlay, kit_wheel, wheelhouse, *extra, check=True, offline=False):
    binds, command = install_args(kit_wheel, wheelhouse, *extra)
    return overlay.run(*command, binds=binds, check=check, timeout=300, offline=offline)


@pytest.fixture
def bare(base_root, scratch_dir):
    """A fresh copy of the bare Bookworm root."""
    with rootfs.Overlay(base_root, scratch_dir) as copy:
        yield copy


@pytest.fixture
def overlay(installed, scratch_dir):
    """A fresh copy of the root as install.sh left it (with ANSWERS)."""
    with installed.copy(scratch_dir) as copy:
        yield copy


def kit_uuid(overlay):
    out = overlay.run("/usr/local/bin/kit", "identity", "show").stdout
    return re.search(r"^kit (\S+)$", out, re.M).group(1)


def test_first_install_prints_address_wifi_admin_and_qr_codes(installed, overlay):
    out = installed.output
    assert "Wi-Fi name:      Truck 3" in out
    assert "Wi-Fi password:  mangoes-and-tea" in out
    assert "http://kit.lan/" in out and "http://10.42.0.1/" in out and "http://kit.local/" in out
    assert re.search(r"Admin sign-in: .* user admin  password \S{8,}", out)
    assert out.count("Scan to") == 2 and "█" in out
    assert "kit " in overlay.run("/usr/local/bin/kit", "identity", "show").stdout
    users = overlay.run("/usr/local/bin/kit", "users", "list", "--json").stdout
    assert '"admin"' in users


def test_installed_files_have_safe_owners_and_modes(overlay):
    root = overlay.merged
    profile = root / "etc/NetworkManager/system-connections/classroom-kit-hotspot.nmconnection"
    assert stat.S_IMODE(profile.stat().st_mode) == 0o600 and profile.stat().st_uid == 0
    text = profile.read_text()
    assert "ssid=Truck 3" in text and "psk=mangoes-and-tea" in text and "channel=11" in text
    assert "@" not in text.split("\n[connection]")[1]  # every placeholder filled
    hook = root / "etc/NetworkManager/dispatcher.d/90-classroom-kit"
    assert stat.S_IMODE(hook.stat().st_mode) == 0o755 and hook.stat().st_uid == 0
    settings = root / "etc/classroom-kit/settings.toml"
    assert stat.S_IMODE(settings.stat().st_mode) == 0o640
    assert 'wifi_ssid = "Truck 3"' in settings.read_text()
    assert stat.S_IMODE((root / "etc/classroom-kit/install.conf").stat().st_mode) == 0o600
    assert stat.S_IMODE((root / "var/lib/classroom-kit").stat().st_mode) == 0o750
    wants = root / "etc/systemd/system/multi-user.target.wants"
    for unit in ("classroom-kit.service", "classroom-kit-doctor.service", "classroom-kit-firewall.service"):
        assert (wants / unit).is_symlink()
    assert (
        "kit.lan/10.42.0.1" in (root / "etc/NetworkManager/dnsmasq-shared.d/classroom-kit.conf").read_text()
    )
    assert (root / "etc/hostname").read_text().strip() == "kit"
    assert "ieee80211_regdom=ML" in (root / "etc/modprobe.d/classroom-kit-wifi.conf").read_text()


def test_hotspot_dns_configuration_passes_dnsmasq_syntax_check(overlay):
    result = overlay.run(
        "dnsmasq", "--test", "--conf-file=/etc/NetworkManager/dnsmasq-shared.d/classroom-kit.conf"
    )
    assert "syntax check OK" in result.stderr + result.stdout


def test_installed_units_verify_without_a_warning(overlay):
    result = overlay.run(
        "systemd-analyze",
        "verify",
        "/etc/systemd/system/classroom-kit.service",
        "/etc/systemd/system/classroom-kit-doctor.service",
        "/etc/systemd/system/classroom-kit-firewall.service",
        check=False,
    )
    assert result.returncode == 0 and (result.stdout + result.stderr).strip() == ""


def test_rerun_upgrades_and_keeps_kit_wifi_and_admin(installed, overlay, kit_wheel, wheelhouse):
    first = installed.output
    before = kit_uuid(overlay)
    password = re.search(r"password (\S+)\n", first).group(1)
    again = install(overlay, kit_wheel, wheelhouse).stdout  # no answers: all remembered
    assert kit_uuid(overlay) == before
    assert "Wi-Fi name:      Truck 3" in again and "mangoes-and-tea" in again
    assert "existing admin accounts kept" in again and password not in again
    profile = (
        overlay.merged / "etc/NetworkManager/system-connections/classroom-kit-hotspot.nmconnection"
    ).read_text()
    assert "channel=11" in profile
    assert "ieee80211_regdom=ML" in (overlay.merged / "etc/modprobe.d/classroom-kit-wifi.conf").read_text()
    changed = install(overlay, kit_wheel, wheelhouse, "--channel", "1").stdout
    assert "Classroom Kit is installed." in changed
    assert (
        "channel=1\n"
        in (
            overlay.merged / "etc/NetworkManager/system-connections/classroom-kit-hotspot.nmconnection"
        ).read_text()
    )


def test_no_hotspot_is_remembered_until_hotspot_is_asked_for(overlay, kit_wheel, wheelhouse):
    profile = overlay.merged / "etc/NetworkManager/system-connections/classroom-kit-hotspot.nmconnection"
    out = install(overlay, kit_wheel, wheelhouse, "--no-hotspot", "--interface", "eth0").stdout
    assert not profile.exists() and "Wi-Fi password" not in out
    assert 'iifname "eth0"' in (overlay.merged / "etc/classroom-kit/firewall.nft").read_text()
    install(overlay, kit_wheel, wheelhouse)
    assert not profile.exists()
    out = install(overlay, kit_wheel, wheelhouse, "--hotspot", "--interface", "wlan0").stdout
    assert profile.exists() and "Wi-Fi password:  mangoes-and-tea" in out


def test_uninstall_keeps_data_and_purge_removes_it(overlay, kit_wheel, wheelhouse):
    before = kit_uuid(overlay)
    binds, _ = install_args(kit_wheel, wheelhouse)
    out = overlay.run("/src/deploy/raspberrypi/uninstall.sh", binds=binds).stdout
    root = overlay.merged
    assert "Kept: /var/lib/classroom-kit" in out
    assert not (root / "opt/classroom-kit").exists()
    assert not (root / "etc/systemd/system/classroom-kit.service").exists()
    assert not (root / "etc/NetworkManager/system-connections/classroom-kit-hotspot.nmconnection").exists()
    assert not (root / "usr/local/bin/kit").exists()
    assert (root / "var/lib/classroom-kit/kit.db").is_file()
    install(overlay, kit_wheel, wheelhouse)  # the same kit comes back
    assert kit_uuid(overlay) == before
    overlay.run("/src/deploy/raspberrypi/uninstall.sh", "--purge", binds=binds)
    assert not (root / "var/lib/classroom-kit").exists()
    assert not (root / "etc/classroom-kit").exists()
    assert "classroom-kit" not in (root / "etc/passwd").read_text()


BAD_ANSWERS = [
    (["--passphrase", "short12"], "--passphrase must be 8 to 63 characters for WPA2, not 7"),
    (["--passphrase", "x" * 64], "--passphrase must be 8 to 63 characters for WPA2, not 64"),
    (["--passphrase", "café-olé-12"], "--passphrase may hold printable ASCII characters only"),
    (["--ssid", "x" * 33], "--ssid must be 1 to 32 characters, not 33"),
    (["--ssid", "bad;name"], "--ssid may hold letters, digits, spaces and . _ - ( ) only"),
    (["--ssid", " Truck"], "--ssid must not begin or end with a space"),
    (["--country", "mali"], "--country must be two capital letters"),
    (["--channel", "14"], "--channel must be a 2.4 GHz channel from 1 to 13, not '14'"),
    (["--name", "Kit_1"], "--name must be a host name"),
    (["--address", "10.42.0.300"], "--address must be an IPv4 address like 10.42.0.1"),
    (["--interface", "wlan0;rm"], "--interface 'wlan0;rm' is not an interface name"),
    (["--wheels", "/nowhere"], "--wheels /nowhere is not a folder"),
    (["--frobnicate"], "unknown option --frobnicate"),
    (["--ssid"], "--ssid needs a value"),
]


@pytest.mark.parametrize(
    "answers,message", BAD_ANSWERS, ids=[a[0][0] + str(i) for i, a in enumerate(BAD_ANSWERS)]
)
def test_bad_answer_is_refused_before_anything_changes(bare, kit_wheel, wheelhouse, answers, message):
    overlay = bare
    result = install(overlay, kit_wheel, wheelhouse, "--site", "S", *answers, check=False)
    assert result.returncode == 1
    assert message in result.stderr
    assert overlay.changed() == []


def test_new_kit_without_a_site_name_is_refused(bare, kit_wheel, wheelhouse):
    overlay = bare
    result = install(overlay, kit_wheel, wheelhouse, check=False)
    assert result.returncode == 1
    assert 'a new kit needs a site name: --site "Truck 3"' in result.stderr
    assert overlay.changed() == []


def test_a_first_try_that_made_only_the_group_is_finished(bare, kit_wheel, wheelhouse):
    """An earlier run stopped after the group was made, not the user (seen under arm64
    emulation when the password file was locked): the next run makes the user in it."""
    from .conftest import ANSWERS

    overlay = bare
    overlay.run("groupadd", "--system", "classroom-kit")
    result = install(overlay, kit_wheel, wheelhouse, *ANSWERS)
    assert "creating system user classroom-kit" in result.stdout
    user = overlay.run("getent", "passwd", "classroom-kit").stdout.split(":")
    group = overlay.run("getent", "group", "classroom-kit").stdout.split(":")
    assert user[3] == group[2] and user[6].strip() == "/usr/sbin/nologin"


def test_a_pi_without_espeak_ng_gets_it_so_notes_can_be_read_aloud(bare, kit_wheel, wheelhouse):
    """Raspberry Pi OS Lite has no espeak-ng: the installer's apt step adds it, so a learner
    can hear a remote teacher's note (kit/notes_aloud.py). Offline here: apt takes the
    package from the root's own cache, where debootstrap left it."""
    from .conftest import ANSWERS

    bare.run("dpkg", "--remove", "espeak-ng")
    assert not (bare.merged / "usr/bin/espeak-ng").exists()
    result = install(bare, kit_wheel, wheelhouse, *ANSWERS, offline=True)
    assert re.search(r"^==> installing .*\bespeak-ng\b", result.stdout, re.M), result.stdout
    status = bare.run("dpkg-query", "-W", "-f=${Status}", "espeak-ng").stdout
    assert status == "install ok installed"
    # The kit's own user makes a note's clip with it, as the server does on a first listen.
    made = bare.run(
        "runuser", "-u", "classroom-kit", "--", "/opt/classroom-kit/venv/bin/python", "-c", SAY, timeout=120
    )
    assert made.stdout.split() == ["en-gb", "RIFF"], made.stdout


def test_a_pi_that_cannot_fetch_espeak_ng_gets_the_kit_with_notes_only_shown(bare, kit_wheel, wheelhouse):
    """No link and no copy in apt's cache: espeak-ng is wanted, not needed, so the
    installer says why notes will not be heard and finishes."""
    from .conftest import ANSWERS

    bare.run("dpkg", "--remove", "espeak-ng")
    bare.run("sh", "-c", "rm /var/cache/apt/archives/espeak-ng_*.deb")
    result = install(bare, kit_wheel, wheelhouse, *ANSWERS, offline=True)
    assert "Classroom Kit is installed." in result.stdout
    assert (
        "warning: could not install espeak-ng (no internet?): the kit works, notes are shown but "
        "not read aloud; re-run the installer when the Pi is online"
    ) in result.stderr
    voice = bare.run(
        "runuser", "-u", "classroom-kit", "--", "/opt/classroom-kit/venv/bin/python", "-c", NO_VOICE
    )
    assert voice.stdout.strip() == "None"  # so the tablets show no speaker button


NO_VOICE = "from kit import notes_aloud; print(notes_aloud.voice_for('en'))"

# kit.notes_aloud as the server calls it, in the data folder the installer made.
SAY = """
from kit import notes_aloud
clip = notes_aloud.clip("/var/lib/classroom-kit", "00000000-0000-4000-8000-000000000000", "Well done", "en")
print(notes_aloud.voice_for("en"), clip.read_bytes()[:4].decode())
"""
