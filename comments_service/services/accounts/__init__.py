"""Staff accounts, their passwords and their sign-ins."""
