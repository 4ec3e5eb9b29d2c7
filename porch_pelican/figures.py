"""The blog's own figures for a page that asks for them (metadata ``Figures: yes``).

The comment service writes the sentence (comments_service/words/answer_words.py) into
the export's optional "figures" block; the plugin prints it as it is. The export's
schema (porch_contract/comments-export-schema.json) says it is text or null, and a
build stops on an export that says otherwise.
"""


def last_month_sentence(figures) -> str | None:
    """The export's sentence on the blog's last full month, or None when it has none:
    no figures, nothing true to say, or an export from before the sentence."""
    return (figures or {}).get("last_month_sentence")
