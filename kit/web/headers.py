"""Security headers on every answer of the kit and the hub: what a page may run, who may frame it.

Every script and style is a file under /static, so the policy allows no inline script
or style at all (no nonce to thread through the page caches). Pack files set their own,
stricter policy (kit/web/media.py: a sandbox), which is kept.
"""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers too old to read it
    "Referrer-Policy": "same-origin",  # a class's or learner's id in a URL never leaves the kit
}


def secure(response):
    """Add the headers a response does not set itself; a page gets the content policy."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP)
    return response


def init_app(app):
    app.after_request(secure)
