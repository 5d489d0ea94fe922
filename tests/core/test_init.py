"""`kit init` gives a kit its identity once and refuses to overwrite it."""


def test_init_creates_identity_then_refuses_to_overwrite(data_dir, kit):
    first = kit("init", "--site", "Truck 1", "--location", "Mopti")
    assert "created for Truck 1" in first.stdout
    db_before = (data_dir / "kit.db").read_bytes()
    second = kit("init", "--site", "Truck 2", check=False)
    assert second.returncode == 1
    assert second.stderr.startswith("error: this data folder already holds kit")
    assert "Traceback" not in second.stderr
    assert (data_dir / "kit.db").read_bytes() == db_before


def test_init_rejects_an_empty_site_name(data_dir, kit):
    result = kit("init", "--site", "  ", check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: the site name must not be empty"
