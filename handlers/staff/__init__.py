"""Staff accounts, the tier scope they act in, and the audit log."""
