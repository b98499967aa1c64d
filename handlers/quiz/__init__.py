"""The zero-waste knowledge quiz and micro-surveys."""
