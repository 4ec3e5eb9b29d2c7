"""Reader comments: posting, a reader's own comment, answers, threads and their freshness."""
