"""Staff decisions on comments: approving, spam, handing on, kinds and follow-ups, readers."""
