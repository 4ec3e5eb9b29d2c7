"""What keeps the build quick: the theme's filters, the nodes the templates read, the benchmark."""

import importlib.util
import re
from pathlib import Path
from types import SimpleNamespace

from pelican.settings import DEFAULT_CONFIG, read_settings

from porch_pelican.comment_html import avatar, comment
from porch_pelican.comments import for_display
from porch_pelican.defaults import apply_defaults
from porch_pelican.filters import initials, period_label_filter, time_label, time_label_filter
from porch_pelican.structured_data import blog_posting

ROOT = Path(__file__).resolve().parents[1]


def test_initials_are_the_first_and_last_names_first_letters_in_capitals():
    assert initials("Ana Lima") == "AL"
    assert initials("Mary Ann de la cruz") == "MC"
    assert initials("chloé") == "C"
    assert initials("  Ben   Okafor ") == "BO"


def test_initials_of_no_name_are_a_question_mark_and_of_blanks_nothing():
    assert initials(None) == "?"
    assert initials("") == "?"
    assert initials("   ") == ""


def test_time_label_prints_an_iso_time_in_utc():
    assert time_label("2026-03-05T23:59:59Z") == "5 March 2026, 23:59 UTC"
    assert time_label("2025-12-31T00:00:00Z") == "31 December 2025, 00:00 UTC"
    assert time_label("2026-01-10") == "10 January 2026"


def test_time_label_leaves_what_is_not_a_date_as_it_is():
    assert time_label("2026") == "2026"
    assert time_label("") == ""
    assert time_label(None) is None


def test_the_filters_join_the_site_filters_without_changing_pelican_defaults():
    def shout(text):
        return text.upper()

    settings = read_settings(override={"JINJA_FILTERS": {"shout": shout}})
    apply_defaults(SimpleNamespace(settings=settings))
    assert settings["JINJA_FILTERS"] == {
        "shout": shout,
        "initials": initials,
        "time_label": time_label_filter,
        "period_label": period_label_filter,
        "blog_posting": blog_posting,
        "avatar": avatar,
        "porch_comment": comment,
    }
    assert DEFAULT_CONFIG["JINJA_FILTERS"] == {}


def node(id, depth, **extra):
    base = {"id": id, "parent_id": None, "depth": depth, "author_name": "Jo", "html": "<p>hi</p>"}
    return {**base, "created_at": "2026-03-05T10:00:00Z", **extra}


def test_displayed_comments_carry_every_exported_key_as_an_attribute():
    answered = node(1, 0, answered_by="Ana Lima", answer_line="Answered by Ana Lima in 2 hours")
    shown = for_display([answered], 5, 4)
    assert vars(shown[0]) == {
        "removed": False,
        "edited_by_team": False,
        **answered,
        "flattened": False,
        "nests": False,
        "folds": False,
        "closes": 0,
        "closing": [],
    }


def test_a_comment_from_an_export_without_answer_lines_shows_none():
    assert for_display([node(1, 0, waiting=True)], 5, 4)[0].answer_line is None


def test_a_placeholder_stays_removed_and_keeps_its_reason():
    placeholder = node(1, 0, removed=True, removed_reason="author_request", author_name=None)
    shown = for_display([placeholder, node(2, 1)], 5, 4)
    assert (shown[0].removed, shown[0].removed_reason, shown[0].nests) == (
        True,
        "author_request",
        True,
    )
    assert (shown[1].removed, shown[1].closes, shown[1].closing) == (False, 1, [False])


def load_benchmark():
    spec = importlib.util.spec_from_file_location("build_time", ROOT / "bench" / "build_time.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_build_benchmark_reports_its_rows_as_strings():
    rows = load_benchmark().run(posts=6, comments=40, repeat=1, rebakes=1)
    assert [row["section"] for row in rows] == ["Build"] * 4
    assert [row["measure"] for row in rows] == [
        "Full build, 6 posts, 40 comments: wall time, best of 1",
        "Full build, 6 posts, 40 comments: CPU time, best of 1",
        "Re-bake the busiest post (new re-baker), 6 posts, 40 comments: median of 1",
        "Re-bake the busiest post (kept re-baker), 6 posts, 40 comments: median of 1",
    ]
    assert rows[0]["against"] == "Pelican's default theme, no plugin (target: at most 1.15x)"
    for row in rows:
        assert set(row) == {"section", "measure", "porch", "against", "baseline", "ratio"}
        assert all(isinstance(value, str) for value in row.values())
        assert re.fullmatch(r"\d+\.\d{2,3} s", row["porch"]), row
        assert re.fullmatch(r"\d+\.\d{2}x", row["ratio"]), row
    seconds = [float(row["porch"].removesuffix(" s")) for row in rows]
    assert all(value > 0 for value in seconds)
    assert rows[2]["baseline"] == rows[3]["baseline"] == "1.000 s"
