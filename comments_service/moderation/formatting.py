"""Template filters for the moderation pages."""

from datetime import timedelta

from comments_service.moderation import bp
from comments_service.services.comments.answers import words_seen

bp.add_app_template_filter(words_seen, "words_seen")


@bp.app_template_filter("duration")
def duration(span: timedelta) -> str:
    """A wait as a person says it: "5 minutes", "3 hours", "2 days"."""
    seconds = max(int(span.total_seconds()), 0)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "just now"
