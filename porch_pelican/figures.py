"""The blog's own figures for a page that asks for them (metadata ``Figures: yes``).

The comment service writes the sentence (comments_service/words/answer_words.py) into
the export's optional "figures" block; the plugin only checks that it is text and prints it.
"""

import logging

logger = logging.getLogger(__name__)


def last_month_sentence(figures) -> str | None:
    """The export's sentence on the blog's last full month, or None when it has none.

    ``figures`` is the export's optional "figures" block; anything unexpected in it is
    logged and the page says nothing.
    """
    if figures is None:
        return None
    if not isinstance(figures, dict):
        logger.error("Porch: ignoring the export's figures: %r is not an object", figures)
        return None
    sentence = figures.get("last_month_sentence")
    if sentence is not None and not isinstance(sentence, str):
        logger.error("Porch: ignoring the export's figures: the sentence is %r", sentence)
        return None
    return sentence
