"""HTTP calls from the kit to its hub: TLS verified, every call authenticated, errors in words."""

import ipaddress
from urllib.parse import urlsplit

import requests

from kit import __version__
from kit.errors import ConfigError, KitError

from .. import credentials


class HubUnreachable(KitError):
    """The hub could not be reached or did not answer in time: worth retrying later."""

    code = "unreachable"


class HubRefused(KitError):
    """The hub answered with an error; `code` and `status` say which."""


def _loopback(host):
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url, config):
    """Return the hub URL without a trailing slash; refuse plain HTTP off loopback."""
    parts = urlsplit((url or "").strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"{url!r} is not a hub address: use https://hub.example.org")
    if parts.scheme == "http" and not _loopback(parts.hostname) and not config.get("hub_allow_http"):
        raise ConfigError(
            "refusing plain http:// to a hub off this machine: the kit's secret would "
            "travel in clear (use https://, or set hub_allow_http in a lab)"
        )
    return url.strip().rstrip("/")


class HubClient:
    """One hub, one kit: wraps requests with timeouts, TLS settings and the kit's credentials.

    Safe to call from two threads at once (the agent keeps two batches on the wire): each
    call takes its own connection from the session's pool.
    """

    def __init__(self, url, config, kit_id=None, secret=None):
        self.url = check_url(url, config)
        self.config = config
        self.session = requests.Session()
        self.session.headers["User-Agent"] = f"classroom-kit/{__version__}"
        # Passed on every call: requests lets REQUESTS_CA_BUNDLE override a session's verify.
        self.verify = config.get("hub_ca_file") or True
        if kit_id and secret:
            self.session.headers.update(credentials.auth_header(kit_id, secret))

    def close(self):
        self.session.close()

    def call(self, method, path, timeout=None, **kwargs):
        """Make one request; return the Response, or raise HubUnreachable / HubRefused."""
        timeout = timeout or self.config["sync_timeout_s"]
        try:
            response = self.session.request(
                method, self.url + path, timeout=timeout, verify=self.verify, **kwargs
            )
        except requests.exceptions.SSLError as exc:
            raise HubUnreachable(
                f"the hub's TLS certificate was not accepted ({_reason(exc)}); "
                "if the hub uses its own CA, set hub_ca_file"
            ) from None
        except requests.exceptions.Timeout:
            raise HubUnreachable(f"the hub did not answer within {timeout} s") from None
        except requests.exceptions.ConnectionError as exc:
            raise HubUnreachable(f"cannot reach the hub at {self.url} ({_reason(exc)})") from None
        if response.status_code >= 400:
            raise _refusal(response)
        return response

    def post_body(self, path, body, content_type):
        headers = {"Content-Type": content_type, "X-Body-SHA256": credentials.body_digest(body)}
        return self.call("POST", path, data=body, headers=headers).json()


def _reason(exc):
    text = str(exc)
    for marker in (
        "Connection refused",
        "Name or service not known",
        "certificate verify failed",
        "Connection reset",
        "Remote end closed",
        "timed out",
        "No route to host",
    ):
        if marker in text:
            return marker.lower()
    return text[-120:]


def _refusal(response):
    try:
        error = response.json()["error"]
        message, code, details = error["message"], error["code"], error.get("details") or {}
    except (ValueError, KeyError, TypeError):
        message, code, details = f"the hub answered HTTP {response.status_code}", "http_error", {}
    if response.status_code >= 500:
        exc = HubUnreachable(f"the hub had a problem (HTTP {response.status_code}): {message}")
    else:
        exc = HubRefused(message, **details)
        exc.code = code
    exc.status = response.status_code
    return exc
