"""Answering by email: reply addresses, reading what arrives, deciding what to publish."""
