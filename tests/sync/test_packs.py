"""Content from the hub: published, downloaded in resumable Range pieces, verified, installed."""

from .conftest import make_kit


def _installed(kit):
    from kit.models import Pack

    with kit.db():
        return {p.pack_id: p.version for p in Pack.select()}


def _build(kit, tmp_path):
    out = tmp_path / "first-steps.kitpack"
    kit("pack", "build", "content_packs/first-steps", "-o", out)
    return out


def test_pack_download_resumes_after_a_cut_and_installs(sqlite_hub, tmp_path, proxy_for):
    hub = sqlite_hub
    proxy = proxy_for(hub)
    kit = make_kit(tmp_path, "k", hub, url=proxy.url, env={"KIT_SYNC_CHUNK_BYTES": "16384"})
    pack = _build(kit, tmp_path)
    size = pack.stat().st_size
    assert size > 3 * 16384, "the sample pack should take several pieces"
    assert "published first-steps 1.1.0" in hub.kit("pack", "publish", pack).stdout
    assert "published first-steps" in hub.kit("pack", "publish", pack).stdout  # same file again: no-op
    proxy.fault("reset", "/sync/v1/packs/", times=1, after=2)
    failed = kit("sync", "now", check=False)
    assert failed.returncode == 1 and "cannot reach the hub" in failed.stdout
    download = kit.status()["downloads"][0]
    assert download["bytes_done"] == 2 * 16384 and download["status"] == "pending"
    assert "first-steps" not in _installed(kit)
    before = len(proxy.log)
    assert "1 pack(s) installed" in kit("sync", "now").stdout
    ranges = [entry[5] for entry in proxy.log[before:] if "/sync/v1/packs/" in entry[1]]
    assert "Range: bytes=32768-49151" in ranges[0]  # resumed where the cut left it
    assert _installed(kit)["first-steps"] == "1.1.0"
    assert kit.status()["downloads"][0]["status"] == "installed"
    assert kit("sync", "now").stdout.startswith("ok: 0 event(s), 0 record(s) sent")
    assert list((kit.data_dir / "sync" / "downloads").glob("*.part")) == []


def test_damaged_download_is_refused_then_fetched_again(sqlite_hub, tmp_path, proxy_for):
    hub = sqlite_hub
    proxy = proxy_for(hub)
    kit = make_kit(tmp_path, "k", hub, url=proxy.url, env={"KIT_SYNC_CHUNK_BYTES": "1048576"})
    hub.kit("pack", "publish", _build(kit, tmp_path))
    proxy.fault("corrupt", "/sync/v1/packs/", times=1, after=0)
    failed = kit("sync", "now", check=False)
    assert failed.returncode == 1 and "arrived damaged" in failed.stdout
    assert "first-steps" not in _installed(kit)
    proxy.clear()
    assert "1 pack(s) installed" in kit("sync", "now").stdout


def test_publishing_a_broken_pack_is_refused(sqlite_hub, tmp_path):
    junk = tmp_path / "junk.kitpack"
    junk.write_bytes(b"not a zip")
    result = sqlite_hub.kit("pack", "publish", junk, check=False)
    assert result.returncode == 1 and "not a pack archive" in result.stderr
    assert sqlite_hub.query("SELECT COUNT(*) FROM hub_pack")[0][0] == 0
