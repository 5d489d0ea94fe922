"""The hub's schema, as numbered SQL files that run on SQLite and on PostgreSQL."""
