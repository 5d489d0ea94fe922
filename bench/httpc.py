"""A small asyncio HTTP/1.1 client for the load generator: keep-alive, cookies, redirects.

Why not requests in threads: sixty threads of requests on a 2-core machine spend much of
a core on the client itself and contend for the GIL, so the generator would measure
itself. One event loop per process with raw streams costs a few tens of microseconds per
request, and every request is timed from the first byte written to the last byte read.
"""

import asyncio
import gzip
import time
import urllib.parse


class HTTPError(Exception):
    """The connection failed or the server answered something we cannot parse."""


class Response:
    """Status, headers (lower-case names), raw body; `text` decompresses gzip when needed."""

    def __init__(self, status, headers, body, url):
        self.status = status
        self.headers = headers
        self.body = body
        self.url = url

    @property
    def text(self):
        body = self.body
        if self.headers.get("content-encoding") == "gzip":
            body = gzip.decompress(body)
        return body.decode("utf-8", "replace")


class Client:
    """One tablet's connection: a keep-alive socket, a cookie jar, timing of each request.

    `record(label, seconds, status, nbytes)` is called after every request, whatever its
    outcome (status 0 for a failed connection), so errors are counted like successes.
    """

    def __init__(self, base, record, timeout=30.0):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.record = record
        self.timeout = timeout
        self.cookies = {}
        self.reader = self.writer = None

    async def close(self):
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(self, method, path, label, body=None, headers=None, follow=True):
        """Send one request (following redirects as GET); return the final Response."""
        for _hop in range(5):
            response = await self._timed(method, path, label, body, headers)
            if not follow or response.status not in (301, 302, 303, 307, 308):
                return response
            location = response.headers.get("location", "")
            path = urllib.parse.urlsplit(location)._replace(scheme="", netloc="").geturl()
            method, body, label = "GET", None, label + "->redirect"
        return response

    async def _timed(self, method, path, label, body, headers):
        start = time.perf_counter()
        try:
            response = await asyncio.wait_for(self._exchange(method, path, body, headers), self.timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, HTTPError) as exc:
            await self.close()
            self.record(label, time.perf_counter() - start, 0, 0)
            raise HTTPError(f"{method} {path}: {exc!r}") from None
        self.record(label, time.perf_counter() - start, response.status, len(response.body))
        return response

    def _head(self, method, path, body, headers):
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Accept-Encoding: gzip",
            "Connection: keep-alive",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _exchange(self, method, path, body, headers):
        for attempt in (1, 2):
            fresh = self.writer is None
            if fresh:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            self.writer.write(self._head(method, path, body, headers) + (body or b""))
            try:
                await self.writer.drain()
                return await self._read(path)
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server closed an idle keep-alive socket: retry once on a new one.
                await self.close()
                if fresh or attempt == 2:
                    raise
        raise HTTPError("unreachable")

    async def _read(self, path):
        status_line = await self.reader.readline()
        if not status_line:
            raise asyncio.IncompleteReadError(b"", None)
        try:
            status = int(status_line.split()[1])
        except (IndexError, ValueError):
            raise HTTPError(f"bad status line {status_line!r}") from None
        headers = {}
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                self._cookie(value)
            headers[name] = value
        body = await self._body(headers)
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Response(status, headers, body, path)

    async def _body(self, headers):
        if headers.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readline()).split(b";")[0], 16)
                if size == 0:
                    await self.reader.readline()
                    return b"".join(chunks)
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
        length = int(headers.get("content-length", "0"))
        return await self.reader.readexactly(length) if length else b""

    def _cookie(self, value):
        pair = value.split(";", 1)[0]
        name, _, val = pair.partition("=")
        if "expires=thu, 01 jan 1970" in value.lower() or not val:
            self.cookies.pop(name.strip(), None)
        else:
            self.cookies[name.strip()] = val.strip()
