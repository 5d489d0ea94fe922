"""A small HTTP fault proxy on loopback, between a kit and its hub.

It forwards one request per connection and can, per request path, answer 500, hang,
drop the connection after the hub has answered (the hub stored the batch, the kit never
hears), cut the connection after some bytes, delay the answer, or hold the request back
before the hub sees it ("late": a batch overtaken by the next one). It counts requests and bytes.
"""

import socket
import threading
import time


def _read_http(sock, deadline):
    """Read one HTTP message (headers + Content-Length body) from a socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        if time.monotonic() > deadline:
            raise TimeoutError
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return head + b"\r\n\r\n" + body


def _close_header(response):
    head, sep, body = response.partition(b"\r\n\r\n")
    lines = [ln for ln in head.split(b"\r\n") if not ln.lower().startswith(b"connection:")]
    return b"\r\n".join(lines + [b"Connection: close"]) + sep + body


class FaultProxy:
    """Forward 127.0.0.1:port to the upstream port, with faults chosen by the test."""

    def __init__(self, upstream_port, tls=None, forwarded=False):
        self.upstream = upstream_port
        self.tls = tls  # an ssl.SSLContext: terminate TLS here, as a reverse proxy would
        self.forwarded = forwarded  # add X-Forwarded-For/-Proto, as nginx told to would
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(50)
        self.port = self.sock.getsockname()[1]
        self.faults = []  # [(path_fragment, kind, remaining count or None)]
        self.log = []  # (method, path, request bytes, response bytes, fault)
        self.lock = threading.Lock()
        self.running = True
        self.hang_release = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    def fault(self, kind, path="", times=None, after=0, match=None):
        """Add a fault (500, 404, hang, drop_after, reset, delay, late, corrupt, cut) for `times` matching requests
        (None: until cleared), letting the first `after` matching requests through untouched;
        `match(request bytes)`, if given, must also be true (two requests in flight race here)."""
        with self.lock:
            self.faults.append([path, kind, times, after, match])

    def clear(self):
        with self.lock:
            self.faults.clear()
        self.hang_release.set()
        self.hang_release = threading.Event()

    def requests(self, path=""):
        return [entry for entry in self.log if path in entry[1]]

    def close(self):
        self.running = False
        self.clear()
        self.sock.close()

    def _pick(self, path, request):
        with self.lock:
            for item in self.faults:
                if (
                    item[0] in path
                    and (item[2] is None or item[2] > 0)
                    and (item[4] is None or item[4](request))
                ):
                    if item[3] > 0:
                        item[3] -= 1
                        return None
                    if item[2] is not None:
                        item[2] -= 1
                    return item[1]
        return None

    def _serve(self):
        while self.running:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client):
        if self.tls is not None:
            try:
                client.settimeout(10)
                client = self.tls.wrap_socket(client, server_side=True)
            except (OSError, ValueError):  # the kit refused our certificate: that is the point
                client.close()
                self.log.append(("TLS", "handshake refused", 0, 0, None, ""))
                return
        with client:
            try:
                request = _read_http(client, time.monotonic() + 30)
            except (OSError, TimeoutError):
                return
            if not request:
                return
            line = request.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
            method, path = line[0], line[1] if len(line) > 1 else "/"
            fault = self._pick(path, request)
            response = self._respond(request, fault, client)
            head = request.partition(b"\r\n\r\n")[0].decode("latin-1")
            self.log.append((method, path, len(request), len(response or b""), fault, head))

    def _respond(self, request, fault, client):
        if fault == "500":
            body = b'{"error":{"code":"boom","message":"injected failure"}}'
            response = (
                b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
            )
            client.sendall(response)
            return response
        if fault == "404":  # what a hub older than the route answers (werkzeug's page)
            body = b"<!doctype html><title>404 Not Found</title><h1>Not Found</h1>"
            response = (
                b"HTTP/1.1 404 NOT FOUND\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
            )
            client.sendall(response)
            return response
        if fault == "hang":
            self.hang_release.wait(60)
            return b""
        if fault == "reset":
            return b""
        if fault == "late":
            time.sleep(1.0)
        response = self._forward(request)
        if fault == "drop_after":
            return b""  # the hub handled it; the kit never hears the answer
        if fault == "corrupt":
            response = response[:-10] + bytes([response[-10] ^ 0xFF]) + response[-9:]
        if fault == "delay":
            time.sleep(1.0)
        if fault == "cut":
            client.sendall(_close_header(response)[: len(response) // 2])
            return response
        client.sendall(_close_header(response))
        return response

    def _forward(self, request):
        if self.forwarded:
            line, _, rest = request.partition(b"\r\n")
            proto = b"https" if self.tls else b"http"
            request = line + b"\r\nX-Forwarded-For: 127.0.0.1\r\nX-Forwarded-Proto: " + proto + b"\r\n" + rest
        with socket.create_connection(("127.0.0.1", self.upstream), timeout=30) as upstream:
            upstream.sendall(request)
            return _read_http(upstream, time.monotonic() + 30)
