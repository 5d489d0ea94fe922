"""content commands."""

import click  # noqa: F401

from . import cli, pass_ctx  # noqa: F401
