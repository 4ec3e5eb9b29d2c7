"""Rules about words that need no database: characters, names, times, rendering, answers."""
