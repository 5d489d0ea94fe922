"""Run the hub under waitress: pinned worker processes on PostgreSQL, one process on SQLite.

The hub gets the kit's serving model (kit/prefork.py says why: threads of one interpreter
trade its lock across CPUs, and the PostgreSQL driver lets go of it on every call). A hub
on SQLite stays one process: its writers would share one file, and a SQLite hub is the
small, single-machine case anyway.
"""

from waitress import create_server

from kit import prefork
from kit.errors import ConfigError

from . import create_hub_app, db, open_hub

GRACE_S = 10.0


def worker_count(config, asked=None):
    """Return how many processes serve this hub; refuse workers for a SQLite hub."""
    wanted = config["workers"] if asked is None else asked
    if wanted < 0:
        raise ConfigError(f"hub workers must be 0 (automatic) or more, not {wanted}")
    if db.dialect() != "postgresql":
        if wanted > 1:
            raise ConfigError(
                f"a hub on SQLite serves from one process, not {wanted}: "
                "use PostgreSQL (--database postgresql://…) for several workers"
            )
        return 1
    return wanted or len(prefork.cpus())


def serve_hub(data_dir=None, host=None, port=None, database_url=None, workers=None, threads=None):
    """Open (and migrate) the hub, bind its socket and serve until SIGTERM or Ctrl-C."""
    config = open_hub(data_dir, database_url)
    count = worker_count(config, workers)
    threads = threads or config["threads"]
    host, port = host or config["host"], port or config["port"]
    app = create_hub_app(config=config)
    sock = prefork.listen(host, port)
    print(
        f"Classroom Kit hub serving {config['data']} on http://{host}:{port}/ "
        f"({count} worker{'s' if count > 1 else ''} x {threads} threads)",
        flush=True,
    )
    db.release()  # the migrations' connection: no worker may inherit it, and one worker's threads use the pool
    if count == 1:
        prefork.pin(0)
        _waitress(app, sock, threads, config).run()
        return

    def work(index):
        prefork.pin(index)
        _waitress(app, sock, threads, config).run()
        return 0

    prefork.Supervisor(count, work, stop_timeout_s=GRACE_S + 5, name="hub worker").run()


def _waitress(app, sock, threads, config):
    # With trusted proxies (proxy_count) their X-Forwarded-* headers must reach ProxyFix, which
    # takes only the last proxy_count hops; waitress would otherwise strip them all.
    server = create_server(
        app,
        sockets=[sock],
        threads=threads,
        ident="classroom-kit-hub",
        channel_timeout=60,
        clear_untrusted_proxy_headers=config["proxy_count"] == 0,
    )
    prefork.drain_on_sigterm(server, GRACE_S)
    return server
