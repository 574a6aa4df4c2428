"""Alembic migrations of the arrecon database, applied by ``service.db.migrate``."""
