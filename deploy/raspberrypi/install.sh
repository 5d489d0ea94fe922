#!/bin/sh
# Install or upgrade Classroom Kit on Raspberry Pi OS Bookworm (64-bit; tested on arm64
# under emulation; a 32-bit system may lack wheels, see README.md) or Debian 12: a system
# user, a virtual environment under /opt/classroom-kit, data under /var/lib/classroom-kit,
# settings in /etc/classroom-kit/settings.toml, systemd units, the Wi-Fi hotspot, the
# kit.lan and kit.local names, and the firewall.
#
# Re-running it is the upgrade path: it keeps the data, the settings and the Wi-Fi
# answers, replaces the software and the units, and restarts the kit.
# It also works in an image-building chroot (no running systemd): units are enabled,
# not started. Every answer is checked before anything on the machine is changed.
set -eu

PREFIX=/opt/classroom-kit
DATA=/var/lib/classroom-kit
ETC=/etc/classroom-kit
KIT_USER=classroom-kit
HERE=$(cd "$(dirname "$0")" && pwd)
NM=/etc/NetworkManager
APT_PACKAGES="python3 python3-venv network-manager dnsmasq-base avahi-daemon libnss-mdns nftables fake-hwclock iw"
# Wanted, not needed: espeak-ng reads a remote teacher's notes aloud on the tablets
# (kit/notes_aloud.py; Raspberry Pi OS Lite lacks it). A Pi with no link to fetch it still
# gets the kit, with notes shown and not heard, until the installer is re-run online.
APT_WANTED="espeak-ng"

usage() {
    cat <<'EOF'
Usage: sudo ./install.sh [OPTIONS]

Install Classroom Kit, or upgrade it when run again (data and answers are kept).

  --site NAME          site name for a new kit (asked if missing on first install)
  --location TEXT      village, district or region (first install)
  --ssid NAME          Wi-Fi name, 1-32 letters, digits, spaces, . _ - ( )
                       (default: "Classroom Kit")
  --passphrase TEXT    Wi-Fi password, 8-63 characters (default: made up and printed)
  --country CC         Wi-Fi country, two letters, e.g. ML, KE, FR (default: GB)
  --channel N          Wi-Fi channel 1-13 (default: 6)
  --interface IFACE    Wi-Fi interface for the hotspot (default: wlan0)
  --name NAME          host name: the kit answers at NAME.lan and NAME.local (default: kit)
  --address A.B.C.D    the kit's address on its hotspot, a /24 (default: 10.42.0.1)
  --no-hotspot         no Wi-Fi hotspot (an external access point serves the tablets)
  --hotspot            the Wi-Fi hotspot again, after an install with --no-hotspot
  --silent-portal      answer phones' captive-portal checks as the internet would
  --source PATH        the kit to install: a source folder or a .whl (default: this repo)
  --wheels DIR         install offline from a folder of wheels (e.g. on a USB stick)
  --admin NAME         user name of the admin made on first install (default: admin)
  -h, --help           this help

Example:
  sudo ./install.sh --site "Truck 3" --location Mopti --country ML --ssid "Truck 3"
EOF
}

die() { echo "error: $*" >&2; exit 1; }
say() { echo "==> $*"; }

# ---- answers -------------------------------------------------------------------------
SITE='' LOCATION='' SSID='' PSK='' COUNTRY='' CHANNEL='' IFACE='' NAME='' ADDRESS=''
HOTSPOT='' CAPTIVE='' SOURCE='' WHEELS='' ADMIN=admin CONNECTION_UUID='' ADMIN_PASSWORD=''

need_value() { [ "$#" -ge 2 ] || die "$1 needs a value (see --help)"; }
while [ "$#" -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --no-hotspot) HOTSPOT=no; shift; continue ;;
        --hotspot) HOTSPOT=yes; shift; continue ;;
        --silent-portal) CAPTIVE=false; shift; continue ;;
        --site|--location|--ssid|--passphrase|--country|--channel|--interface|--name|\
        --address|--source|--wheels|--admin) need_value "$@" ;;
        *) die "unknown option $1 (see --help)" ;;
    esac
    case "$1" in
        --site) SITE=$2 ;;
        --location) LOCATION=$2 ;;
        --ssid) SSID=$2 ;;
        --passphrase) PSK=$2 ;;
        --country) COUNTRY=$2 ;;
        --channel) CHANNEL=$2 ;;
        --interface) IFACE=$2 ;;
        --name) NAME=$2 ;;
        --address) ADDRESS=$2 ;;
        --source) SOURCE=$2 ;;
        --wheels) WHEELS=$2 ;;
        --admin) ADMIN=$2 ;;
    esac
    shift 2
done

# Answers not given on a re-run come from the last install, then from the defaults.
previous() { [ -f "$ETC/install.conf" ] && sed -n "s/^$1=//p" "$ETC/install.conf" | tail -n 1; }
setting() { [ -f "$ETC/settings.toml" ] && python3 "$HERE/configure.py" get "$ETC/settings.toml" "$1"; }
[ -n "$COUNTRY" ] || COUNTRY=$(previous country || true)
[ -n "$CHANNEL" ] || CHANNEL=$(previous channel || true)
[ -n "$IFACE" ] || IFACE=$(previous interface || true)
[ -n "$NAME" ] || NAME=$(previous name || true)
[ -n "$ADDRESS" ] || ADDRESS=$(previous address || true)
[ -n "$HOTSPOT" ] || HOTSPOT=$(previous hotspot || true)
[ -n "$SSID" ] || SSID=$(setting wifi_ssid || true)
[ -n "$PSK" ] || PSK=$(setting wifi_passphrase || true)
COUNTRY=${COUNTRY:-GB} CHANNEL=${CHANNEL:-6} IFACE=${IFACE:-wlan0} NAME=${NAME:-kit}
ADDRESS=${ADDRESS:-10.42.0.1} SSID=${SSID:-Classroom Kit} HOTSPOT=${HOTSPOT:-yes}

# ---- checks (nothing is changed before they all pass) ---------------------------------
check_answers() {
    len=$(printf '%s' "$SSID" | wc -c)
    if [ "$len" -lt 1 ] || [ "$len" -gt 32 ]; then
        die "--ssid must be 1 to 32 characters, not $len"
    fi
    case "$SSID" in
        *[!A-Za-z0-9\ ._\(\)-]*) die "--ssid may hold letters, digits, spaces and . _ - ( ) only" ;;
        \ *|*\ ) die "--ssid must not begin or end with a space" ;;
    esac
    if [ -n "$PSK" ]; then
        len=$(printf '%s' "$PSK" | wc -c)
        if [ "$len" -lt 8 ] || [ "$len" -gt 63 ]; then
            die "--passphrase must be 8 to 63 characters for WPA2, not $len"
        fi
        case "$PSK" in
            *[!\ -~]*) die "--passphrase may hold printable ASCII characters only" ;;
        esac
    fi
    case "$COUNTRY" in
        [A-Z][A-Z]) ;;
        *) die "--country must be two capital letters (ISO 3166), like ML or KE, not '$COUNTRY'" ;;
    esac
    case "$CHANNEL" in
        [1-9]|1[0-3]) ;;
        *) die "--channel must be a 2.4 GHz channel from 1 to 13, not '$CHANNEL'" ;;
    esac
    case "$IFACE" in
        ''|*[!A-Za-z0-9_.-]*) die "--interface '$IFACE' is not an interface name" ;;
    esac
    case "$NAME" in
        [a-z]|[a-z]*[a-z0-9]) ;;
        *) die "--name must be a host name: lower-case letters, digits and -, like kit" ;;
    esac
    case "$NAME" in *[!a-z0-9-]*) die "--name must be a host name: lower-case letters, digits and -, like kit" ;; esac
    echo "$ADDRESS" | grep -Eq '^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$' || \
        die "--address must be an IPv4 address like 10.42.0.1, not '$ADDRESS'"
    case "$ADMIN" in
        ''|*[!a-z0-9_.-]*) die "--admin must be a user name of lower-case letters, digits, . _ -" ;;
    esac
    [ -z "$WHEELS" ] || [ -d "$WHEELS" ] || die "--wheels $WHEELS is not a folder"
    SOURCE=${SOURCE:-$(cd "$HERE/../.." && pwd)}
    [ -f "$SOURCE/pyproject.toml" ] || case "$SOURCE" in
        *.whl) [ -f "$SOURCE" ] || die "--source $SOURCE does not exist" ;;
        *) die "--source $SOURCE is neither a kit source folder nor a .whl" ;;
    esac
}

check_machine() {
    [ "$(id -u)" = 0 ] || die "run it as root: sudo $0 …"
    [ -r /etc/os-release ] || die "cannot tell which system this is (/etc/os-release)"
    # In a subshell: os-release sets NAME, which is one of our answers.
    # shellcheck disable=SC1091  # the running system's file, not ours
    system=$(. /etc/os-release && echo "${ID:-}:${VERSION_CODENAME:-}:${PRETTY_NAME:-}")
    case "$system" in
        debian:bookworm:*|raspbian:bookworm:*) ;;
        *) echo "warning: made for Debian 12 / Raspberry Pi OS Bookworm, not ${system##*:}" >&2 ;;
    esac
}

check_answers
check_machine

# A new kit needs its site name before anything is installed.
if [ ! -f "$DATA/kit.db" ] && [ -z "$SITE" ]; then
    if [ -t 0 ]; then
        printf 'Site name for this kit (a school, a truck, a village): '
        read -r SITE
    fi
    [ -n "$(echo "$SITE" | tr -d ' ')" ] || die "a new kit needs a site name: --site \"Truck 3\""
fi

# ---- steps ----------------------------------------------------------------------------
systemd_running() { [ -d /run/systemd/system ]; }

not_installed() {
    for package do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || \
            printf ' %s' "$package"
    done
}

install_packages() {
    # shellcheck disable=SC2086  # lists of package names
    missing=$(not_installed $APT_PACKAGES)
    [ "$HOTSPOT" = yes ] || missing=$(echo "$missing" | sed 's/ iw//')
    if [ -n "$missing" ]; then
        say "installing$missing"
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing
    fi
    # shellcheck disable=SC2086
    wanted=$(not_installed $APT_WANTED)
    if [ -n "$wanted" ]; then
        say "installing$wanted"
        # shellcheck disable=SC2086
        DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $wanted ||
            echo "warning: could not install$wanted (no internet?): the kit works, notes are shown but" \
                "not read aloud; re-run the installer when the Pi is online" >&2
    fi
}

add_user_once() {
    # A try that failed half-way (the group made, the user not) leaves the group: use it.
    if getent group "$KIT_USER" >/dev/null; then
        useradd --system --gid "$KIT_USER" --home-dir "$DATA" --shell /usr/sbin/nologin "$KIT_USER"
    elif ! out=$(adduser --system --group --home "$DATA" --no-create-home \
        --gecos "Classroom Kit" "$KIT_USER" 2>&1); then
        echo "$out" >&2
        getent passwd "$KIT_USER" >/dev/null || getent group "$KIT_USER" >/dev/null ||
            useradd --system --user-group --home-dir "$DATA" --shell /usr/sbin/nologin "$KIT_USER"
    fi
}

make_user() {
    if ! getent passwd "$KIT_USER" >/dev/null; then
        say "creating system user $KIT_USER"
        # Another tool may hold the password file's lock for a moment (a first boot's user
        # setup, unattended upgrades: "cannot lock /etc/passwd; try again later"), and a
        # run cut short (a power cut) may have made the group only: try again, a few times.
        tries=1
        until add_user_once && getent passwd "$KIT_USER" >/dev/null; do
            [ "$tries" -lt 5 ] || die "could not create the system user $KIT_USER (the messages above say why)"
            tries=$((tries + 1))
            say "trying again in 3 s (attempt $tries of 5)"
            sleep 3
        done
    fi
    install -d -m 0750 -o "$KIT_USER" -g "$KIT_USER" "$DATA"
    install -d -m 0750 -o root -g "$KIT_USER" "$ETC"
}

install_software() {
    say "installing the kit into $PREFIX/venv"
    install -d -m 0755 "$PREFIX"
    [ -x "$PREFIX/venv/bin/python" ] || python3 -m venv "$PREFIX/venv"
    if [ -n "$WHEELS" ]; then
        set -- --no-index --find-links "$WHEELS"
    else
        set --
    fi
    "$PREFIX/venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir \
        --upgrade "$@" "$SOURCE"
    # The kit itself always, even at the same version number (a fix from the source tree).
    "$PREFIX/venv/bin/pip" install --quiet --disable-pip-version-check --no-cache-dir \
        --force-reinstall --no-deps "$@" "$SOURCE"
    install -m 0755 "$HERE/kit-command.sh" /usr/local/bin/kit
    install -m 0644 "$HERE/README.md" "$PREFIX/README.md"
}

write_settings() {
    say "writing $ETC/settings.toml"
    [ -n "$PSK" ] || PSK=$(python3 -c 'import secrets; print("".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(12)))')
    KIT_CFG_SSID=$SSID KIT_CFG_PSK=$PSK KIT_CFG_CAPTIVE=$CAPTIVE \
        KIT_CFG_PUBLIC_URL="http://$NAME.lan/" \
        python3 "$HERE/configure.py" settings "$ETC/settings.toml"
    chown root:"$KIT_USER" "$ETC/settings.toml"
    cat > "$ETC/install.conf.new" <<CONF
# Answers of the last install.sh run, reused by the next one (the upgrade path).
country=$COUNTRY
channel=$CHANNEL
interface=$IFACE
name=$NAME
address=$ADDRESS
hotspot=$HOTSPOT
CONF
    chmod 0600 "$ETC/install.conf.new"
    mv "$ETC/install.conf.new" "$ETC/install.conf"
}

render() {  # render TEMPLATE DEST MODE
    KIT_CFG_SSID=$SSID KIT_CFG_PSK=$PSK KIT_CFG_CHANNEL=$CHANNEL KIT_CFG_IFACE=$IFACE \
        KIT_CFG_NAME=$NAME KIT_CFG_ADDRESS=$ADDRESS KIT_CFG_UUID=$CONNECTION_UUID \
        python3 "$HERE/configure.py" render "$1" "$2.new"
    chmod "$3" "$2.new"
    mv "$2.new" "$2"
}

install_network() {
    say "network: firewall, names, dispatcher hook, hotspot: $HOTSPOT"
    render "$HERE/network/firewall.nft.in" "$ETC/firewall.nft" 0644
    install -d -m 0755 "$NM/dnsmasq-shared.d" "$NM/dispatcher.d" "$NM/system-connections" \
        /etc/avahi/services
    render "$HERE/network/dnsmasq-classroom-kit.conf.in" "$NM/dnsmasq-shared.d/classroom-kit.conf" 0644
    install -m 0755 "$HERE/network/90-classroom-kit" "$NM/dispatcher.d/90-classroom-kit"
    install -m 0644 "$HERE/network/classroom-kit-avahi.service" /etc/avahi/services/classroom-kit.service
    profile="$NM/system-connections/classroom-kit-hotspot.nmconnection"
    if [ "$HOTSPOT" = yes ]; then
        CONNECTION_UUID=$(sed -n 's/^uuid=//p' "$profile" 2>/dev/null || true)
        [ -n "$CONNECTION_UUID" ] || CONNECTION_UUID=$(cat /proc/sys/kernel/random/uuid)
        # NetworkManager ignores a keyfile that others can read: it holds the passphrase.
        render "$HERE/network/classroom-kit-hotspot.nmconnection.in" "$profile" 0600
        set_country
    else
        rm -f "$profile"
    fi
    set_hostname
}

set_country() {
    # The radio's regulatory domain: which channels and power it may use here.
    install -d -m 0755 /etc/modprobe.d
    echo "options cfg80211 ieee80211_regdom=$COUNTRY" > /etc/modprobe.d/classroom-kit-wifi.conf
    if command -v raspi-config >/dev/null 2>&1; then
        raspi-config nonint do_wifi_country "$COUNTRY" >/dev/null 2>&1 || true
    fi
    if systemd_running && command -v iw >/dev/null 2>&1; then
        iw reg set "$COUNTRY" 2>/dev/null || true
    fi
}

set_hostname() {
    # avahi publishes the host name over mDNS: NAME.local.
    [ "$(cat /etc/hostname 2>/dev/null)" = "$NAME" ] && return 0
    say "host name: $NAME (the kit answers at $NAME.local and $NAME.lan)"
    echo "$NAME" > /etc/hostname
    if grep -q '^127\.0\.1\.1' /etc/hosts 2>/dev/null; then
        sed -i "s/^127\.0\.1\.1.*/127.0.1.1\t$NAME/" /etc/hosts
    else
        printf '127.0.1.1\t%s\n' "$NAME" >> /etc/hosts
    fi
    if systemd_running; then hostname "$NAME" 2>/dev/null || true; fi
}

install_units() {
    say "systemd units"
    for unit in classroom-kit.service classroom-kit-doctor.service classroom-kit-firewall.service; do
        install -m 0644 "$HERE/systemd/$unit" "/etc/systemd/system/$unit"
    done
    for unit in classroom-kit.service classroom-kit-doctor.service; do
        dropin="/etc/systemd/system/$unit.d"
        if [ -r /sys/class/dmi/id/product_uuid ]; then
            install -d -m 0755 "$dropin"
            install -m 0644 "$HERE/systemd/product-uuid.conf" "$dropin/product-uuid.conf"
        else
            rm -f "$dropin/product-uuid.conf"
        fi
    done
    install -d -m 0755 /etc/systemd/journald.conf.d
    install -m 0644 "$HERE/systemd/journald-classroom-kit.conf" /etc/systemd/journald.conf.d/classroom-kit.conf
    systemctl enable classroom-kit.service classroom-kit-doctor.service \
        classroom-kit-firewall.service fake-hwclock.service >/dev/null 2>&1 || \
        die "systemctl enable failed"
}

as_kit() {  # run the kit's command as its user, on its data and settings
    runuser -u "$KIT_USER" -- env KIT_DATA="$DATA" KIT_SETTINGS_FILE="$ETC/settings.toml" \
        "$PREFIX/venv/bin/kit" "$@"
}

board_id() {
    # Root can read a laptop's product UUID; the kit's user cannot (kit/hardware.py).
    if [ -r /sys/class/dmi/id/product_uuid ]; then
        uuid=$(tr -d '\000 \n' < /sys/class/dmi/id/product_uuid | tr 'A-F' 'a-f')
        [ -z "$uuid" ] || echo "dmi:$uuid"
    fi
}

init_kit() {
    as_kit migrate >/dev/null
    if as_kit identity show >/dev/null 2>&1; then
        return 0
    fi
    [ -n "$SITE" ] || die "this kit has no identity yet: re-run with --site NAME"
    say "creating the kit for $SITE"
    runuser -u "$KIT_USER" -- env KIT_DATA="$DATA" KIT_SETTINGS_FILE="$ETC/settings.toml" \
        KIT_BOARD_ID="$(board_id)" "$PREFIX/venv/bin/kit" init --site "$SITE" --location "$LOCATION"
}

make_admin() {
    ADMIN_PASSWORD=''
    if as_kit users list --json | grep -q '"role": *"admin"'; then
        return 0
    fi
    say "creating the admin account $ADMIN"
    ADMIN_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_urlsafe(9))')
    echo "$ADMIN_PASSWORD" | as_kit users add "$ADMIN" --role admin --name "Kit admin" \
        --password-stdin >/dev/null
}

start_services() {
    if ! systemd_running; then
        say "no running systemd (an image being built?): the kit starts at next boot"
        return 0
    fi
    systemctl daemon-reload
    systemctl restart systemd-journald.service || true
    systemctl restart classroom-kit-firewall.service
    systemctl start classroom-kit-doctor.service || true
    systemctl restart classroom-kit.service
    if systemctl is-active --quiet NetworkManager.service; then
        nmcli connection reload || true
        [ "$HOTSPOT" = no ] || nmcli connection up classroom-kit-hotspot >/dev/null 2>&1 || \
            echo "warning: the hotspot did not come up now (no $IFACE?); it starts when $IFACE appears" >&2
    fi
    systemctl try-reload-or-restart avahi-daemon.service 2>/dev/null || true
}

summary() {
    url="http://$NAME.lan/"
    echo
    echo "Classroom Kit is installed."
    if [ "$HOTSPOT" = yes ]; then
        echo "  Wi-Fi name:      $SSID"
        echo "  Wi-Fi password:  $PSK"
    fi
    echo "  Open on tablets: $url  (or http://$ADDRESS/, or http://$NAME.local/)"
    for ip in $(hostname -I 2>/dev/null); do
        case "$ip" in *:*) ;; *) echo "  On this network: http://$ip/" ;; esac
    done
    echo "  Teachers:        $url""teach"
    if [ -n "$ADMIN_PASSWORD" ]; then
        echo "  Admin sign-in:   $url""admin  user $ADMIN  password $ADMIN_PASSWORD"
        echo "                   (write it down now: it is not shown again)"
    else
        echo "  Admin sign-in:   $url""admin  (existing admin accounts kept)"
    fi
    if [ "$HOTSPOT" = yes ]; then
        echo
        echo "Scan to join the Wi-Fi:"
        KIT_CFG_SSID=$SSID KIT_CFG_PSK=$PSK "$PREFIX/venv/bin/python" "$HERE/configure.py" wifi-qr
    fi
    echo "Scan to open the lessons:"
    "$PREFIX/venv/bin/python" "$HERE/configure.py" qr "http://$ADDRESS/"
}

install_packages
make_user
install_software
write_settings
install_network
install_units
init_kit
make_admin
start_services
summary
