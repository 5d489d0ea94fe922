"""The app says whether it is the serving process (`kit serve` sets KIT_SERVING); the sync
plugin starts the agent from that, not from guessing at the click command being run."""

import click

from .conftest import make_kit


def test_the_agent_starts_where_the_app_says_it_serves_and_nowhere_else(sqlite_hub, tmp_path):
    from kit.app import create_app
    from kit.db import database

    kit = make_kit(tmp_path, "k", sqlite_hub)
    try:
        # Some other command named "serve" (a plugin's, a script's) builds the app: no agent.
        with click.Context(click.Command("serve"), info_name="serve"):
            quiet = create_app(data_dir=kit.data_dir)
        assert quiet.config["KIT_SERVING"] is False and "sync_agent" not in quiet.extensions

        serving = create_app(data_dir=kit.data_dir, serving=True)
        agent = serving.extensions["sync_agent"]
        try:
            assert serving.config["KIT_SERVING"] is True and agent.scheduler.running
        finally:
            agent.stop()
    finally:
        database.close()
