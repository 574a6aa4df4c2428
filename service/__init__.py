"""Composition: settings, database, task queue, worker, FastAPI app, CLI."""
