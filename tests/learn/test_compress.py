"""Text responses are gzipped for browsers that ask; partial and tiny ones are left alone."""

import gzip

import requests


def test_pages_and_static_files_are_gzipped_on_a_real_server(learn_app, installed_kit):
    from kit.db import database
    from tests.conftest import KitServer

    database.close()
    server = KitServer(installed_kit).start()
    try:
        # Twice: files with an ETag are compressed once, then served from the cache.
        for path in ("/", "/static/learn/learn.css", "/static/learn/learn.js", "/api/v1/openapi.json") * 2:
            raw = requests.get(server.url + path, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=5)
            body = raw.raw.read()
            assert raw.headers["Content-Encoding"] == "gzip", path
            assert "Accept-Encoding" in raw.headers["Vary"]
            assert int(raw.headers["Content-Length"]) == len(body)
            plain = requests.get(server.url + path, headers={"Accept-Encoding": "identity"}, timeout=5)
            assert "Content-Encoding" not in plain.headers
            assert gzip.decompress(body) == plain.content
    finally:
        server.stop()


def test_ranges_heads_and_tiny_bodies_are_not_compressed(learn_app):
    client = learn_app.test_client()
    ranged = client.get("/static/learn/learn.css", headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"})
    assert ranged.status_code == 206 and "Content-Encoding" not in ranged.headers
    tiny = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in tiny.headers
    assert tiny.headers["Vary"] == "Accept-Encoding"  # caches must still key on it
    etagged = client.get("/static/learn/learn.css", headers={"Accept-Encoding": "gzip"})
    assert etagged.headers["Content-Encoding"] == "gzip"
    assert etagged.headers["ETag"].endswith('-gz"')


def test_vary_names_accept_encoding_once_beside_cookie(learn_app, ids):
    from .test_pages import sign_in

    client = learn_app.test_client()
    sign_in(client, ids["ada"], ids["class"])
    for path in ("/lessons", "/api/v1/progress"):
        vary = [
            v.strip()
            for v in client.get(path, headers={"Accept-Encoding": "gzip"}).headers["Vary"].split(",")
        ]
        assert sorted(vary) == ["Accept-Encoding", "Cookie"], (path, vary)


def test_the_gzip_cache_holds_at_most_its_bytes_and_drops_the_oldest_first(learn_app, monkeypatch):
    from kit.caches import BytesBoundedDict
    from kit.web import compress

    paths = ("/static/learn/learn.css", "/static/learn/learn.js", "/static/learn/player.js")
    client = learn_app.test_client()
    sizes = {}
    monkeypatch.setattr(compress, "_cache", BytesBoundedDict(10**9))
    for path in paths:
        client.get(path, headers={"Accept-Encoding": "gzip"})
        sizes[path] = compress._cache.size - sum(sizes.values())
    assert all(size > 0 for size in sizes.values()), sizes  # each one was kept
    # A bound that holds the last two but not all three: the first one leaves.
    limit = sizes[paths[1]] + sizes[paths[2]]
    cache = BytesBoundedDict(limit)
    monkeypatch.setattr(compress, "_cache", cache)
    for path in paths:
        body = client.get(path, headers={"Accept-Encoding": "gzip"}).data
        assert gzip.decompress(body) == client.get(path, headers={"Accept-Encoding": "identity"}).data
        assert cache.size <= limit
    assert len(cache) == 2 and cache.size == limit
    assert [key[0] for key in cache._items] == list(paths[1:])
    tiny = BytesBoundedDict(sizes[paths[0]] - 1)  # an entry bigger than the whole bound: not kept
    monkeypatch.setattr(compress, "_cache", tiny)
    client.get(paths[0], headers={"Accept-Encoding": "gzip"})
    assert len(tiny) == 0 and tiny.size == 0
