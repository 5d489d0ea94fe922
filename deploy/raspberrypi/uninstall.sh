#!/bin/sh
# Remove Classroom Kit from this machine: the software, the units, the hotspot, the
# names and the firewall. The data folder (/var/lib/classroom-kit: learners, records,
# content) and the settings (/etc/classroom-kit) are KEPT unless --purge is given, so a
# later install.sh finds the same kit again.
set -eu

PREFIX=/opt/classroom-kit
DATA=/var/lib/classroom-kit
ETC=/etc/classroom-kit
KIT_USER=classroom-kit
NM=/etc/NetworkManager
PURGE=no

usage() {
    cat <<'EOF'
Usage: sudo ./uninstall.sh [--purge]

Remove Classroom Kit's software, services, hotspot and firewall rules.

  --purge     also delete the data folder (learners, records, content packs), the
              settings and the kit's system user. This cannot be undone: back up first
              with `sudo kit backup --out FILE`.
  -h, --help  this help

Example:
  sudo ./uninstall.sh            # keeps /var/lib/classroom-kit and /etc/classroom-kit
EOF
}

die() { echo "error: $*" >&2; exit 1; }
say() { echo "==> $*"; }

for arg in "$@"; do
    case "$arg" in
        --purge) PURGE=yes ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown option $arg (see --help)" ;;
    esac
done
[ "$(id -u)" = 0 ] || die "run it as root: sudo $0"

UNITS="classroom-kit.service classroom-kit-doctor.service classroom-kit-firewall.service"
if [ -d /run/systemd/system ]; then
    say "stopping the kit"
    # shellcheck disable=SC2086  # a list of unit names
    systemctl disable --now $UNITS >/dev/null 2>&1 || true
    if command -v nmcli >/dev/null 2>&1; then
        nmcli connection down classroom-kit-hotspot >/dev/null 2>&1 || true
    fi
else
    # shellcheck disable=SC2086
    systemctl disable $UNITS >/dev/null 2>&1 || true
fi

say "removing the software, units and network files"
for unit in $UNITS; do
    rm -rf "/etc/systemd/system/$unit" "/etc/systemd/system/$unit.d"
done
rm -f /etc/systemd/journald.conf.d/classroom-kit.conf \
    "$NM/system-connections/classroom-kit-hotspot.nmconnection" \
    "$NM/dnsmasq-shared.d/classroom-kit.conf" \
    "$NM/dispatcher.d/90-classroom-kit" \
    /etc/avahi/services/classroom-kit.service \
    /etc/modprobe.d/classroom-kit-wifi.conf \
    /usr/local/bin/kit \
    "$ETC/firewall.nft" "$ETC/install.conf"
rm -rf "$PREFIX"
if [ -d /run/systemd/system ]; then
    systemctl daemon-reload || true
    nmcli connection reload >/dev/null 2>&1 || true
fi

if [ "$PURGE" = yes ]; then
    say "purging the data folder, the settings and the user $KIT_USER"
    rm -rf "$DATA" "$ETC"
    if getent passwd "$KIT_USER" >/dev/null; then
        deluser --system "$KIT_USER" >/dev/null 2>&1 || userdel "$KIT_USER" || true
    fi
    getent group "$KIT_USER" >/dev/null && { delgroup --system "$KIT_USER" >/dev/null 2>&1 || groupdel "$KIT_USER" || true; }
    echo "Classroom Kit is removed, with its data."
else
    echo "Classroom Kit is removed. Kept: $DATA (the kit's data) and $ETC/settings.toml."
    echo "Run install.sh again to bring the same kit back, or uninstall.sh --purge to delete them."
fi
