"""Everything that crosses the link: the sync agent on the kit, bundles, and the hub.

`kit` never imports this package; it plugs in through entry points (pyproject.toml).
"""
