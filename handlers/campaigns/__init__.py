"""Campaigns authored at each tier, and pushing them to residents (push/)."""
