"""Replies of the intents that only need a text (placeholder; filled below)."""
WITH_ITEMS = frozenset()
