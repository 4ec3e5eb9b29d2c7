"""Template filters for the moderation pages (times have theirs in words/times.py)."""

from comments_service.moderation import bp
from comments_service.services.comments.answers import words_seen

bp.add_app_template_filter(words_seen, "words_seen")
