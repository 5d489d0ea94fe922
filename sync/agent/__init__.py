"""The sync agent: the part of `sync` that runs on the kit, inside `kit serve` and as `kit sync …`.

It plugs into the kit through entry points only (pyproject.toml) and never imports the hub.
"""
