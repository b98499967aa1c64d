"""The campaign's figures: awareness, participation, cells, reach, rolled up the tiers."""
