"""The kit's web pages: learners at /, teachers at /teach, admin at /admin.

Each area is its own blueprint with templates under templates/<area>/. This module
wires in what every page shares: CSRF protection, security headers and the language of
the page.
"""

from flask import current_app, send_from_directory
from flask_wtf.csrf import CSRFProtect

from ..api import bp as api_bp
from . import captive, compress, csrf_tokens, headers, i18n, learn, verify
from .admin import init_app as init_admin
from .media import bp as media_bp
from .teach import init_app as init_teach

csrf = CSRFProtect()


def favicon():
    """The kit's icon where browsers look for it unasked (every page also links it)."""
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )


def init_app(app):
    headers.init_app(app)
    csrf.init_app(app)
    csrf_tokens.init_app(app)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    i18n.init_app(app)

    # The JSON API is called by the tablets' own scripts with a learner session cookie
    # (SameSite=Lax) and JSON bodies, which a cross-site form cannot send.
    csrf.exempt(api_bp)

    app.register_blueprint(media_bp)

    init_teach(app)
    init_admin(app)

    learn.init_app(app)
    compress.init_app(app)

    captive.init_app(app)
    verify.init_app(app)
