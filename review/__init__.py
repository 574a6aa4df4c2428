"""The review queue: API and web UI for analysts, corrections, audit trail."""
