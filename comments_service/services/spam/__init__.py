"""The spam guard: cheap checks and policies, then Akismet."""
