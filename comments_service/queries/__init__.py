"""The rules about which comments are waiting, and for whom, as select() builders.

Each builder returns a ``Select`` so views, the CLI and later reports share one
tested definition of "unanswered", "overdue", "escalated" and "flagged", and of who
looks after a comment now (``owns``, ``flagged``, ``waiting_for``): the moderation
page, notifications, reminders, digests and feeds all ask these. The rules that
also apply to one loaded object, "overdue" (``Comment.is_overdue``), "public"
(``Comment.is_public``) and "named author" (``Post.names_author``), are hybrids: one
definition for both.

One module per family of rules: ``states``, ``listings``, ``care``, ``public``,
``figures``, ``mail`` and ``listening``.
"""
