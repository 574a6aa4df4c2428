"""Channels that bring documents in and intake: store the original, dedupe, record, enqueue."""
