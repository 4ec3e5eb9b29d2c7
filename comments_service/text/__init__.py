"""Text rules that need no database: characters, names, times, rendering, answer words."""
