"""Answers by email: reading an author's reply to a notification and publishing it."""
