"""Mail: the outbox and its sender, SMTP, notifications to staff and subscriptions for readers."""
