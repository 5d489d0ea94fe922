"""The kit's web pages: learners at /, teachers at /teach, admin at /admin.

Each area is its own blueprint with templates under templates/<area>/. This module
wires in what every page shares: CSRF protection, security headers and the language of
the page.
"""

from flask import current_app, send_from_directory
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()


def favicon():
    """The kit's icon where browsers look for it unasked (every page also links it)."""
    return send_from_directory(
        current_app.static_folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400
    )


def init_app(app):
    from . import csrf_tokens, headers, i18n

    headers.init_app(app)
    csrf.init_app(app)
    csrf_tokens.init_app(app)
    app.add_url_rule("/favicon.ico", "favicon", favicon)
    i18n.init_app(app)
    from ..api import bp as api_bp

    # The JSON API is called by the tablets' own scripts with a learner session cookie
    # (SameSite=Lax) and JSON bodies, which a cross-site form cannot send.
    csrf.exempt(api_bp)
    from .media import bp as media_bp

    app.register_blueprint(media_bp)
    from .admin import init_app as init_admin
    from .teach import init_app as init_teach

    init_teach(app)
    init_admin(app)

    from . import compress, learn

    learn.init_app(app)
    compress.init_app(app)
    from . import captive, verify

    captive.init_app(app)
    verify.init_app(app)
