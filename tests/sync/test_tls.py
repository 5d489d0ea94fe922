"""TLS to the hub: the certificate is verified, and a programme's own CA can be trusted."""

import ssl
import subprocess

import pytest

from .conftest import assert_converged, make_kit


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A throw-away CA and a certificate for 127.0.0.1 that it signed (openssl CLI)."""
    d = tmp_path_factory.mktemp("tls")

    def openssl(*args):
        subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=Classroom Kit test CA",
    )
    openssl(
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "hub.key",
        "-out",
        "hub.csr",
        "-subj",
        "/CN=127.0.0.1",
    )
    (d / "ext").write_text("subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n")
    openssl(
        "x509",
        "-req",
        "-in",
        "hub.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "hub.pem",
        "-days",
        "2",
        "-extfile",
        "ext",
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(d / "hub.pem", d / "hub.key")
    return d, context


def test_hub_certificate_is_verified_and_a_ca_file_can_be_trusted(
    sqlite_hub, tmp_path, certificates, proxy_for
):
    from .faultproxy import FaultProxy

    folder, context = certificates
    proxy = FaultProxy(sqlite_hub.port, tls=context)
    try:
        kit = make_kit(tmp_path, "k")
        refused = kit("sync", "enroll", "--hub", proxy.url, "--code", sqlite_hub.code("k"), check=False)
        assert refused.returncode == 1
        assert "TLS certificate was not accepted" in refused.stderr and "hub_ca_file" in refused.stderr
        assert sqlite_hub.query("SELECT COUNT(*) FROM hub_kit")[0][0] == 0
        trusted = {"KIT_HUB_CA_FILE": str(folder / "ca.pem")}
        kit("sync", "enroll", "--hub", proxy.url, "--code", sqlite_hub.code("k2"), env=trusted)
        kit.kit_id = kit.status()["kit_id"]
        kit.add_events(6)
        assert kit("sync", "now", env=trusted).stdout.startswith("ok: 6 event(s)")
        failed = kit("sync", "now", check=False)  # without the CA file the same hub is refused
        assert "TLS certificate was not accepted" in failed.stdout
        assert_converged(sqlite_hub, kit)
    finally:
        proxy.close()


def test_hub_cookies_are_secure_when_served_over_tls(tmp_path, certificates):
    """Behind a TLS proxy (proxy_count = 1) the session cookie is Secure; over plain HTTP it cannot be."""
    import requests

    from .conftest import HUB_ENV, Hub
    from .faultproxy import FaultProxy

    folder, context = certificates
    hub = Hub(tmp_path / "hub", env={**HUB_ENV, "KIT_HUB_PROXY_COUNT": "1"}).setup()
    proxy = FaultProxy(hub.port, tls=context, forwarded=True)
    try:
        over_tls = requests.get(proxy.url + "/signin", verify=folder / "ca.pem", timeout=10)
        plain = requests.get(hub.url + "/signin", timeout=10)
        for response in (over_tls, plain):
            assert response.status_code == 200 and "hub_session=" in response.headers["Set-Cookie"]
            assert "HttpOnly" in response.headers["Set-Cookie"]
            assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "; Secure" in over_tls.headers["Set-Cookie"]
        assert "Secure" not in plain.headers["Set-Cookie"]
    finally:
        proxy.close()
        hub.stop()
