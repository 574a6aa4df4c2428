"""Realistic example statements and ledgers, and the seeded generator that writes them with their truth."""
