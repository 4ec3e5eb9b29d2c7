"""Secrets that travel in addresses are masked wherever a request is written to a log.

A reader's privacy and subscription links, a staff member's private feed and the keys
of readers' pages carry their secret in the path: whoever reads an access log could
otherwise open them. Each is written as ``***``, with the path around it kept, so a
log still says which kind of page was asked for. The path may come percent-encoded
(a sign-in redirect's ``?next=``), so ``%2F`` separates segments too.

Gunicorn's logger masks what its access log format may print (gunicorn.conf.py,
``logger_class``); the development server's request log (``flask run``) and the app's
own log ("Exception on /privacy/...") take ``MASK_SECRETS``, a filter (``create_app``).
"""

import logging
import re

MASK = "***"
_SLASH = r"(?:/|%2[Ff])"
_SECRET_AFTER = "|".join(
    (
        rf"privacy{_SLASH}(?:export|forget)",
        rf"subscriptions{_SLASH}(?:confirm|unsubscribe)",
        rf"feeds{_SLASH}waiting",
        rf"moderation{_SLASH}readers",
    )
)
# The segment after one of those paths, up to the next separator; a feed keeps ".atom".
SECRET_SEGMENT = re.compile(
    rf"((?:{_SECRET_AFTER}){_SLASH})[^/%?#&\s\"]+?(?=\.atom\b|{_SLASH}|[?#&\s\"]|$)"
)


def mask_secrets(text: str) -> str:
    return SECRET_SEGMENT.sub(rf"\g<1>{MASK}", text)


class SecretMaskingFilter(logging.Filter):
    """Writes a record's message with its secrets masked (its arguments merged in first)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_secrets(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


MASK_SECRETS = SecretMaskingFilter()
