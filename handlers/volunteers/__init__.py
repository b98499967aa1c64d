"""Volunteers: registration (chat and mini-program), review, service records, rosters."""
