"""Bringing comments in from WordPress, Disqus and Isso, and the full export with its restore."""
