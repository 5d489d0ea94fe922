#!/bin/sh
# /usr/local/bin/kit on an installed kit: the `kit` command for field staff, pointed at
# the kit's data folder and settings, and run as the kit's own user so that nothing in
# the data folder ever becomes root's (the server could no longer write it).
#   sudo kit users add amina --role teacher
#   sudo kit backup --out /var/lib/classroom-kit/backup.tar
# Installed by install.sh; the paths are the installer's.
KIT=/opt/classroom-kit/venv/bin/kit
export KIT_DATA="${KIT_DATA:-/var/lib/classroom-kit}"
export KIT_SETTINGS_FILE="${KIT_SETTINGS_FILE:-/etc/classroom-kit/settings.toml}"
if [ "$(id -u)" = 0 ]; then
    exec runuser -u classroom-kit -- env KIT_DATA="$KIT_DATA" \
        KIT_SETTINGS_FILE="$KIT_SETTINGS_FILE" "$KIT" "$@"
fi
if [ "$(id -un)" != classroom-kit ]; then
    echo "error: run it as root (sudo kit …) so it can act as the kit's user" >&2
    exit 1
fi
exec "$KIT" "$@"
