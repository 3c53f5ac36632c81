"""SQLite storage: the connection, migrations and repositories returning frozen dataclasses."""
