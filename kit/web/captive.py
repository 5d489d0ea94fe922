"""Answer phones' and tablets' captive-portal checks.

When a tablet joins a Wi-Fi network it fetches a known page (Android's /generate_204,
Apple's /hotspot-detect.html, …) to learn whether it reached the internet. The kit's
hotspot DNS points those names at the kit (deploy/raspberrypi/dnsmasq-classroom-kit.conf)
and port 80 is redirected to the server, so the requests arrive here.

With the ``captive_portal`` setting on, the kit answers with a small welcome page: the
tablet shows a "sign in to network" sheet with a link to the lessons, which is how a
child finds the kit without typing an address. With it off, the kit answers exactly as
the internet would (204, "Success", …): no sheet pops up and the tablet stays quietly
connected.
"""

from flask import Blueprint, current_app, make_response, render_template

from ..models import KitIdentity

bp = Blueprint("captive", __name__)

APPLE_SUCCESS = "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"
FIREFOX_CANONICAL = (
    '<meta http-equiv="refresh" content="0;url=https://support.mozilla.org/kb/captive-portal"/>'
)

# path -> (what the internet answers: status, body, content type)
PROBES = {
    "/generate_204": (204, "", "text/plain"),  # Android, Chrome OS
    "/gen_204": (204, "", "text/plain"),  # older Android
    "/hotspot-detect.html": (200, APPLE_SUCCESS, "text/html"),  # iOS, macOS
    "/library/test/success.html": (200, APPLE_SUCCESS, "text/html"),  # older iOS
    "/connecttest.txt": (200, "Microsoft Connect Test", "text/plain"),  # Windows 10+
    "/ncsi.txt": (200, "Microsoft NCSI", "text/plain"),  # older Windows
    "/success.txt": (200, "success\n", "text/plain"),  # Firefox
    "/canonical.html": (200, FIREFOX_CANONICAL, "text/html"),  # Firefox
}


def _answer(path):
    """Return the welcome page, or the internet's own answer when the kit keeps silent."""
    config = current_app.config["KIT"]
    if config["captive_portal"]:
        ident = KitIdentity.select().first()
        html = render_template(
            "captive/welcome.html", site=ident.site if ident else "", url=config["public_url"]
        )
        response = make_response(html, 200)
    else:
        status, body, kind = PROBES[path]
        response = make_response(body, status)
        response.mimetype = kind
    # A cached answer would hide a change of the setting, or the kit itself, next time.
    response.headers["Cache-Control"] = "no-store"
    return response


def _make_view(path):
    def view():
        return _answer(path)

    view.__name__ = "probe_" + path.strip("/").replace("/", "_").replace(".", "_")
    view.__doc__ = f"Answer the {path} connectivity check."
    return view


for _path in PROBES:
    bp.add_url_rule(_path, view_func=_make_view(_path), methods=["GET", "HEAD"])


def init_app(app):
    app.register_blueprint(bp)
