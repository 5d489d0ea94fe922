"""Talk to systemd when it supervises the kit: "ready", and a watchdog that proves we answer.

The sd_notify protocol is one datagram to the AF_UNIX socket named in $NOTIFY_SOCKET, so
no library is needed. Outside systemd (a developer's `kit serve`, the tests) every call
here does nothing.

The watchdog does not ping blindly from a timer thread: a thread that pings while the
HTTP server is wedged would keep a dead kit "alive". Each ping follows a real request to
/healthz on loopback, so systemd restarts the kit when it stops answering.
"""

import logging
import os
import socket
import threading
import time
import urllib.error
import urllib.request

logger = logging.getLogger(__name__)


def notify(message, environ=None):
    """Send one sd_notify message ("READY=1", "WATCHDOG=1", …); return True if sent."""
    environ = os.environ if environ is None else environ
    address = environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # abstract namespace socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(message.encode("utf-8"))
    except OSError as exc:
        logger.warning("could not notify systemd (%s): %s", address, exc)
        return False
    return True


def watchdog_interval(environ=None):
    """Return seconds between watchdog pings (half of WatchdogSec), or None if not asked."""
    environ = os.environ if environ is None else environ
    usec = environ.get("WATCHDOG_USEC", "")
    pid = environ.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0:
        return None
    if pid and pid != str(os.getpid()):  # the variable was meant for another process
        return None
    return int(usec) / 1e6 / 2


def local_url(host, port):
    """Return the /healthz URL to probe ourselves on, whatever address we listen on."""
    if host in ("0.0.0.0", "", None):
        host = "127.0.0.1"
    elif host in ("::", "[::]"):
        host = "::1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def probe(url, timeout):
    """Return True if url answers 200 within timeout (a real request: the kit answers)."""
    try:  # urllib, not requests: this module loads at every start, and requests costs ~0.2 s
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status == 200
    except (urllib.error.URLError, OSError) as exc:
        logger.warning("watchdog: %s did not answer: %s", url, exc)
        return False


def _watch(url, interval, stop):
    """Ping the watchdog after each healthy answer; stay silent while the kit does not answer."""
    while not stop.wait(interval):
        started = time.monotonic()
        if probe(url, timeout=max(1.0, interval * 0.8)):
            notify("WATCHDOG=1")
        else:
            logger.warning(
                "watchdog: no ping after %.1fs; systemd will restart the kit if this goes on",
                time.monotonic() - started,
            )


def started(host, port, environ=None, watchdog=True):
    """Tell systemd the server is listening and start the watchdog if the unit asks for one.

    Returns the watchdog thread's stop event (None without a watchdog). A supervisor of
    pre-forked workers (kit/prefork.py) pings from its own loop: watchdog=False.
    """
    environ = os.environ if environ is None else environ
    notify(f"READY=1\nSTATUS=serving on port {port}", environ)
    interval = watchdog_interval(environ)
    if interval is None or not watchdog:
        return None
    stop = threading.Event()
    thread = threading.Thread(
        target=_watch, args=(local_url(host, port), interval, stop), name="systemd-watchdog", daemon=True
    )
    thread.start()
    logger.info("systemd watchdog: probing %s every %.1fs", local_url(host, port), interval)
    return stop


def stopping(environ=None):
    """Tell systemd we are shutting down on purpose."""
    notify("STOPPING=1", environ)
