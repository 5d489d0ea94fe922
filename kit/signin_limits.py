"""How many failed sign-ins the kit allows: teachers' passwords and learners' pictures.

Failed sign-ins are counted in the database (kit.ratelimit), so every server process
sees them and a restart forgets none: ``login_attempts`` per (user name, address) and
``login_address_attempts`` per address across every name, within ``login_window_s``;
past either the sign-in is refused, even with the right password, until the window has
moved on. There is no limit per name alone: anyone on the Wi-Fi could then lock the
teachers out.
"""

from flask import current_app, has_app_context

from .models import LoginFailure
from .ratelimit import FailureLog
from .settings import BY_NAME

failures = FailureLog(LoginFailure)


def limits():
    """Return (per name and address, per address, window s): the app's, or the registry's
    defaults outside an app (a script or a CLI command checking a password)."""
    kit = (
        current_app.config["KIT"]
        if has_app_context()
        else {name: setting.default for name, setting in BY_NAME.items()}
    )
    return kit["login_attempts"], kit["login_address_attempts"], kit["login_window_s"]


def wait_before_trying(name_key, address_key):
    """Seconds a sign-in must wait (0: it may try now); raise nothing."""
    per_name, per_address, window = limits()
    return max(
        failures.retry_after(name_key, per_name, window),
        failures.retry_after(address_key, per_address, window),
    )
