"""Sync plugs into the kit one way only, and every `kit sync`/`kit hub` command shows an example."""

import re
from pathlib import Path

import click

from sync.hub.web import LANGUAGES as HUB_LANGUAGES
from tests.catalogues import same_placeholders

ROOT = Path(__file__).resolve().parents[2]


def test_kit_never_imports_sync():
    offenders = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "kit").rglob("*.py")
        if re.search(r"^\s*(from sync\b|import sync\b)", p.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []


def _commands(group, prefix):
    for name, command in group.commands.items():
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from _commands(command, f"{prefix} {name}")


def test_every_sync_and_hub_command_ends_its_help_with_an_example():
    from sync.agent.cli import sync_group
    from sync.hub.cli import hub_group

    for name, command in [*_commands(sync_group, "kit sync"), *_commands(hub_group, "kit hub")]:
        assert "Example:" in (command.help or ""), name
        assert "\b" in command.help, name


def test_modules_stay_small():
    big = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "sync").rglob("*.py")
        if len(p.read_text(encoding="utf-8").splitlines()) > 400
    ]
    assert big == []


def test_every_catalogue_covers_every_sync_string_and_is_compiled(tmp_path):
    """French, Kiswahili, Bangla and Wolof: the hub's languages (English is the source)."""
    import subprocess
    import sys

    from babel.messages.mofile import read_mo
    from babel.messages.pofile import read_po

    folder = ROOT / "sync" / "translations"
    pot = tmp_path / "now.pot"  # extracted afresh, so a new string without a translation fails here
    subprocess.run(
        [
            Path(sys.executable).parent / "pybabel",
            "extract",
            "-F",
            "sync/babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "-o",
            pot,
            "sync",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=60,
    )
    with open(pot, "rb") as handle:
        wanted = {m.id for m in read_po(handle) if m.id}
    languages = [code for code in HUB_LANGUAGES if code != "en"]
    assert {"fr", "sw", "bn", "wo"} <= set(languages)
    for lang in languages:
        with open(folder / lang / "LC_MESSAGES" / "messages.po", "rb") as handle:
            po = {m.id: m.string for m in read_po(handle) if m.id and not m.fuzzy}
        with open(folder / lang / "LC_MESSAGES" / "messages.mo", "rb") as handle:
            mo = {m.id: m.string for m in read_mo(handle) if m.id}
        assert wanted <= {k for k, v in po.items() if v}, f"{lang}: untranslated"
        assert all(same_placeholders(k, v) for k, v in po.items() if v), f"{lang}: placeholders changed"
        assert mo == {k: v for k, v in po.items() if k in mo} and set(po) <= set(mo), f"{lang}: stale .mo"


def test_kit_hub_is_kit_hub_with_global_options_in_front(tmp_path):
    import subprocess
    import sys

    kit_hub = Path(sys.executable).parent / "kit-hub"
    first = subprocess.run(
        [kit_hub, "--data", tmp_path / "a", "init"], capture_output=True, text=True, timeout=60
    )
    after = subprocess.run(
        [kit_hub, "init", "--data", tmp_path / "b"], capture_output=True, text=True, timeout=60
    )
    assert first.returncode == 0 and f"hub ready in {tmp_path / 'a'}" in first.stdout
    assert after.returncode == 0 and f"hub ready in {tmp_path / 'b'}" in after.stdout
    assert (tmp_path / "a" / "hub.db").exists() and (tmp_path / "b" / "hub.db").exists()
    wrong = subprocess.run([kit_hub, "no-such"], capture_output=True, text=True, timeout=60)
    assert wrong.returncode == 2 and "No such command 'no-such'" in wrong.stderr


def test_the_agent_and_the_hub_live_apart():
    """The agent (runs on the kit) never imports the hub (runs at headquarters), nor the
    hub the agent: what both need (the wire format, credentials, bundle files) is in sync/."""
    pattern = {
        "agent": r"^\s*(from sync\.hub\b|import sync\.hub\b|from \.\.hub\b)",
        "hub": r"^\s*(from sync\.agent\b|import sync\.agent\b|from \.\.agent\b)",
    }
    offenders = [
        str(p.relative_to(ROOT))
        for side in pattern
        for p in (ROOT / "sync" / side).rglob("*.py")
        if re.search(pattern[side], p.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []


def test_hub_reports_write_numbers_as_the_pages_language_does(tmp_path):
    from sync.hub import create_hub_app
    from sync.hub.web import number

    app = create_hub_app(tmp_path / "hub")
    written = {"en": "1,234.5", "fr": "1\u202f234,5", "sw": "1,234.5", "wo": "1.234,5", "bn": "১,২৩৪.৫"}
    for lang, expected in written.items():
        with app.test_request_context(headers={"Accept-Language": lang}):
            assert number(1234.5) == expected, lang
            assert number("2026-03") == "2026-03" and number(True) is True


def _loaded_after(tmp_path, *argv):
    """Run `kit ARGV` in a fresh interpreter; return the sync modules it had imported."""
    import json
    import subprocess
    import sys

    script = (
        "import json, sys\nfrom kit.cli import main\ntry:\n    main(sys.argv[1:])\n"
        "except SystemExit:\n    pass\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('sync'))))"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, "--data", str(tmp_path / "data"), *argv],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    return set(json.loads(run.stdout.strip().splitlines()[-1]))


def test_a_command_loads_only_the_plugin_it_names(tmp_path):
    """Each `kit` call loads the plugin commands it needs: the hub's import the hub."""
    assert not {
        m for m in _loaded_after(tmp_path, "pack", "list") if m.startswith(("sync.hub", "sync.agent.cli"))
    }
    sync_status = _loaded_after(tmp_path, "sync", "status")
    assert "sync.agent.cli" in sync_status and not any(m.startswith("sync.hub") for m in sync_status)
    assert "sync.hub.cli" in _loaded_after(tmp_path, "hub", "--help")
    assert {"sync.agent.cli", "sync.hub.cli"} <= _loaded_after(tmp_path, "--help")
