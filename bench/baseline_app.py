"""The bare stack: a Flask 'hello' app on waitress, the ceiling the kit is compared with.

Same server (waitress), same thread count, same loopback: any gap between this and the
kit is the kit's own work (routing, sessions, templates, SQLite, gzip).
"""

import argparse

from flask import Flask, jsonify
from waitress import serve


def create_app():
    """Return an app answering every path: a small page for GET, a small JSON for POST."""
    app = Flask(__name__)

    @app.get("/healthz")
    def healthz():
        return jsonify(status="ok")

    @app.route("/", defaults={"path": ""}, methods=["GET"])
    @app.route("/<path:path>", methods=["GET"])
    def page(path):
        return "<!doctype html><title>hello</title><p>Hello, world!</p>"

    @app.route("/", defaults={"path": ""}, methods=["POST"])
    @app.route("/<path:path>", methods=["POST"])
    def post(path):
        return jsonify(ok=True)

    return app


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    serve(
        create_app(),
        host="127.0.0.1",
        port=args.port,
        threads=args.threads,
        ident="bench-baseline",
        connection_limit=500,
        _quiet=True,
    )


if __name__ == "__main__":
    main()
