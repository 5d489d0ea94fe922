"""Everything that crosses the link: the sync agent on the kit (sync/agent), the hub at
headquarters (sync/hub), and the wire pieces both speak (protocol, credentials, bundle files).

`kit` never imports this package; it plugs in through entry points (pyproject.toml).
"""
