"""install.sh's helper: merge the kit's settings, render the network templates, print QR codes.

Run by install.sh with the system's python3 (standard library only; segno from the
kit's own virtual environment for the QR codes). Values come in environment variables,
never on the command line, so a Wi-Fi passphrase does not show in `ps`.

    configure.py settings FILE      merge KIT_CFG_* values into the kit's settings.toml
    configure.py render TEMPLATE OUT  replace @NAME@ with $KIT_CFG_NAME (keyfile-escaped)
    configure.py get FILE KEY       print one value of a TOML file ('' if absent)
    configure.py qr TEXT            print TEXT as a QR code for a terminal
    configure.py wifi-qr            print a join-this-Wi-Fi QR code ($KIT_CFG_SSID, $KIT_CFG_PSK)
"""

import json
import os
import re
import sys
import tomllib
from pathlib import Path

HEADER = """\
# Classroom Kit settings (see docs/configuration.md for every name).
# install.sh rewrites this file on upgrade: it keeps every value, not comments.
# Read by the kit through KIT_SETTINGS_FILE; DATA/settings.toml and KIT_* override it.
"""

# settings.toml name -> environment variable install.sh sets when the value is given
SETTINGS_FROM_ENV = {
    "wifi_ssid": "KIT_CFG_SSID",
    "wifi_passphrase": "KIT_CFG_PSK",
    "public_url": "KIT_CFG_PUBLIC_URL",
    "captive_portal": "KIT_CFG_CAPTIVE",
}


def load(path):
    path = Path(path)
    if not path.is_file():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def toml_value(value):
    """Return a TOML literal for a str, bool or int (JSON's string escapes are TOML's)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)


def merge_settings(path, environ):
    """Write settings.toml: existing values kept, values install.sh was given replaced."""
    values = load(path)
    for name, var in SETTINGS_FROM_ENV.items():
        raw = environ.get(var)
        if raw is None or raw == "":
            continue
        values[name] = raw == "true" if name == "captive_portal" else raw
    lines = [HEADER] + [f"{k} = {toml_value(v)}\n" for k, v in sorted(values.items())]
    tmp = Path(str(path) + ".new")
    tmp.write_text("".join(lines), encoding="utf-8")
    os.chmod(tmp, 0o640)
    tmp.replace(path)


def keyfile_escape(value):
    r"""Escape a value for a GLib key file (NetworkManager's keyfiles): \\, \s, \n, \t."""
    value = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
    return "\\s" + value[1:] if value.startswith(" ") else value


def render(template, out, environ):
    """Replace every @NAME@ in a template with KIT_CFG_NAME; refuse to leave one unset."""
    text = Path(template).read_text(encoding="utf-8")
    missing = sorted({m for m in re.findall(r"@([A-Z_]+)@", text) if f"KIT_CFG_{m}" not in environ})
    if missing:
        raise SystemExit(f"error: {template}: no value for {', '.join(missing)}")
    text = re.sub(r"@([A-Z_]+)@", lambda m: keyfile_escape(environ[f"KIT_CFG_{m[1]}"]), text)
    Path(out).write_text(text, encoding="utf-8")


def qr(text):
    """Print a QR code with the kit's own segno; say so plainly if it is not there."""
    try:
        import segno
    except ImportError:
        print("(no QR code: segno is not installed)")
        return
    segno.make(text, error="m").terminal(compact=True, border=2)


def wifi_qr_text(ssid, psk):
    """Return the WIFI: text phones scan to join a network, with its special characters escaped."""

    def esc(value):
        return re.sub(r'([\\;,:"])', r"\\\1", value)

    return f"WIFI:T:WPA;S:{esc(ssid)};P:{esc(psk)};;"


def main(argv):
    command, args = argv[1], argv[2:]
    if command == "settings":
        merge_settings(args[0], os.environ)
    elif command == "render":
        render(args[0], args[1], os.environ)
    elif command == "get":
        value = load(args[0]).get(args[1], "")
        print(toml_value(value).strip('"') if isinstance(value, bool) else value)
    elif command == "qr":
        qr(args[0])
    elif command == "wifi-qr":
        qr(wifi_qr_text(os.environ["KIT_CFG_SSID"], os.environ["KIT_CFG_PSK"]))
    else:
        raise SystemExit(f"error: unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv)
