"""Residents, the region tree, consent, their area, and deleting their data."""
