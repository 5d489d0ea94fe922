"""The sync agent's tables inside the kit's database (namespace "sync")."""
