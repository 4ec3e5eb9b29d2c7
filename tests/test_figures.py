"""Answer-time figures: what counts, per month and per author, and where they show.

The figures are computed with an explicit ``now``; comments get exact times, and
staff answers are recorded by the real answered rule (services.answers).
"""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from comments_service.enums import CommentStatus, Role
from comments_service.extensions import db
from comments_service.models import Comment, KeptPercentile, Staff, utcnow
from comments_service.services.comments.answers import record_answer
from comments_service.services.moderation import decisions as moderation
from comments_service.services.report import figures
from comments_service.services.site.export import export_document
from porch_pelican.figures import last_month_sentence

from .conftest import context_of
from .site_support import build_sample_site

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
HOUR = 3600


def nov(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def answer(app):
    """A staff reply ``after`` its parent came in, recorded by the real answered rule."""

    def reply(parent, staff, after: timedelta) -> Comment:
        with context_of(app):
            made = Comment(
                post_id=parent.post_id,
                parent=db.session.get(Comment, parent.id),
                staff=db.session.get(Staff, staff.id),
                author_name=staff.name,
                body_markdown="An answer",
                body_html="<p>An answer</p>",
                status=CommentStatus.APPROVED,
                created_at=parent.created_at + after,
                published_at=parent.created_at + after,
            )
            db.session.add(made)
            record_answer(made)
            db.session.commit()
        return made

    return reply


@pytest.fixture
def november(app, make_post, make_staff, make_comment, answer):
    """Known answer times: a post by Ana alone, and one by Ana and Ben together."""
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    solo = make_post("solo", authors=("Ana Lima",))
    duo = make_post("duo", authors=("Ana Lima", "Ben Okafor"))
    answer(make_comment(solo, created_at=nov(2)), ana, timedelta(hours=1))
    answer(make_comment(solo, created_at=nov(3)), ana, timedelta(hours=2))
    answer(make_comment(duo, created_at=nov(4)), ben, timedelta(hours=3))
    answer(make_comment(duo, created_at=nov(5)), ana, timedelta(hours=10))
    waiting = make_comment(duo, created_at=nov(6))
    make_comment(solo, created_at=nov(7), dismissed_at=nov(7, 11), dismissed_by_id=ana.id)
    for status in (CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.DELETED):
        make_comment(solo, created_at=nov(8), status=status)
    return {"ana": ana, "ben": ben, "solo": solo, "duo": duo, "waiting": waiting}


def month(result_months, key):
    return next(m for m in result_months if m.month == key)


# The rule of the percentile


def test_nearest_rank_is_always_one_of_the_values():
    assert figures.nearest_rank(list(range(1, 11)), 50) == 5
    assert figures.nearest_rank(list(range(1, 11)), 90) == 9
    assert figures.nearest_rank([40, 10, 30, 20], 50) == 20  # the lower middle, not 25
    assert figures.nearest_rank([7], 90) == 7
    assert figures.nearest_rank(list(range(1, 21)), 90) == 18
    assert figures.nearest_rank([], 50) is None


def test_last_months_cross_the_year():
    assert figures.last_months(datetime(2027, 2, 1, tzinfo=UTC), 3) == [
        "2026-12",
        "2027-01",
        "2027-02",
    ]


# What counts, for the blog and per author


def test_blog_figures_count_published_reader_comments_with_exact_times(ctx, november):
    result = figures.compute(NOW, months=1)
    blog = result.blog[0]
    assert result.months == ["2026-11"]
    assert (blog.received, blog.answered, blog.no_answer_needed, blog.waiting) == (6, 4, 1, 1)
    assert blog.share_answered == 4 / 5  # "no answer needed" is left out of the share
    assert blog.median_seconds == 2 * HOUR  # 1, 2, 3, 10 hours: nearest rank 2 of 4
    assert blog.p90_seconds == 10 * HOUR  # nearest rank 4 of 4
    assert blog.oldest_waiting.id == november["waiting"].id
    assert blog.oldest_waiting.waited_seconds == (NOW - nov(6)).total_seconds()


def test_each_scope_finds_its_own_oldest_waiting_comment(ctx, make_post, make_staff, make_comment):
    """Each scope's oldest waiting comment of the month, whichever day of it holds it:
    other authors' comments waiting before it, or its own answered earlier, don't count."""
    ana = make_staff("Ana Lima")
    make_staff("Ben Okafor")
    anas = make_post("anas", authors=("Ana Lima",))
    bens = make_post("bens", authors=("Ben Okafor",))
    make_comment(anas, created_at=nov(1), dismissed_at=nov(1, 11), dismissed_by_id=ana.id)
    first_of_ana = make_comment(anas, created_at=nov(9, 8))
    make_comment(anas, created_at=nov(9, 9))
    first_of_ben = make_comment(bens, created_at=nov(2))
    make_comment(bens, created_at=nov(12))
    result = figures.compute(NOW, months=1)
    assert result.blog[0].oldest_waiting.id == first_of_ben.id
    assert result.authors["Ana Lima"][0].oldest_waiting.id == first_of_ana.id
    assert result.authors["Ben Okafor"][0].oldest_waiting.id == first_of_ben.id


def test_a_comment_on_a_co_written_post_counts_for_each_author(ctx, november):
    authors = figures.compute(NOW, months=1).authors
    assert list(authors) == ["Ana Lima", "Ben Okafor"]
    ana, ben = authors["Ana Lima"][0], authors["Ben Okafor"][0]
    assert ana == figures.compute(NOW, months=1).blog[0]  # Ana is named on every post
    assert (ben.received, ben.answered, ben.waiting, ben.no_answer_needed) == (3, 2, 1, 0)
    assert ben.share_answered == 2 / 3
    assert (ben.median_seconds, ben.p90_seconds) == (3 * HOUR, 10 * HOUR)
    assert ben.oldest_waiting.id == november["waiting"].id


def test_one_author_narrows_the_authors_and_keeps_the_blog_whole(ctx, november):
    result = figures.compute(NOW, months=1, author="Ben Okafor")
    assert list(result.authors) == ["Ben Okafor"]
    assert result.blog[0].received == 6


def test_an_author_with_posts_but_no_comments_has_empty_months(ctx, make_post):
    make_post("quiet", authors=("Chloe Martin",))
    chloe = figures.compute(NOW, months=2).authors["Chloe Martin"]
    assert [(m.month, m.received, m.share_answered, m.median_seconds) for m in chloe] == [
        ("2026-10", 0, None, None),
        ("2026-11", 0, None, None),
    ]


def test_a_comment_counts_in_the_month_it_came_in(
    app, ctx, make_post, make_staff, make_comment, answer
):
    ana = make_staff("Ana Lima")
    post = make_post("edge", authors=("Ana Lima",))
    last_october = make_comment(post, created_at=datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC))
    answer(last_october, ana, timedelta(hours=2))  # answered on 1 November
    make_comment(post, created_at=datetime(2026, 11, 1, 0, 0, 0, tzinfo=UTC))
    make_comment(post, created_at=datetime(2026, 9, 30, 23, 0, tzinfo=UTC))  # before the months
    make_comment(post, created_at=NOW + timedelta(minutes=1))  # after now
    october, november = figures.compute(NOW, months=2).blog
    assert (october.month, october.received, october.answered) == ("2026-10", 1, 1)
    assert october.median_seconds == 2 * HOUR
    assert (november.month, november.received, november.waiting) == ("2026-11", 1, 1)


def test_a_deleted_answer_makes_the_comment_wait_again_in_the_figures(ctx, november):
    answer_of_ben = db.session.scalar(select(Comment).where(Comment.staff_id == november["ben"].id))
    moderation.delete(answer_of_ben, db.session.get(Staff, november["ben"].id), "wrong post")
    db.session.commit()
    ben = figures.compute(NOW, months=1).authors["Ben Okafor"][0]
    assert (ben.answered, ben.waiting) == (1, 2)
    assert ben.oldest_waiting.created_at == "2026-11-04T10:00:00Z"


def test_a_finished_months_kept_percentiles_follow_a_late_answer(ctx, november):
    december = NOW + timedelta(days=20)  # November is a finished month now
    before = month(figures.compute(december, months=2).blog, "2026-11")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(KeptPercentile)) > 0
    assert month(figures.compute(december, months=2).blog, "2026-11") == before
    ana = db.session.get(Staff, november["ana"].id)
    waiting = db.session.get(Comment, november["waiting"].id)
    reply = Comment(
        post_id=waiting.post_id,
        parent=waiting,
        staff=ana,
        author_name=ana.name,
        body_markdown="Late",
        body_html="<p>Late</p>",
        status=CommentStatus.APPROVED,
        created_at=nov(26),
        published_at=nov(26),
    )
    db.session.add(reply)
    record_answer(reply)
    db.session.commit()
    after = month(figures.compute(december, months=2).blog, "2026-11")
    # Five answer times now: 1, 2, 3, 10 hours and 20 days; the p90 is the last.
    assert (after.median_seconds, after.p90_seconds) == (3 * HOUR, 20 * 24 * HOUR)
    assert after.p90_seconds != before.p90_seconds


def test_nows_month_is_kept_until_a_comment_came_in_after_now(ctx, november, make_comment, answer):
    def blog_times(now):
        november_ = figures.compute(now, months=1).blog[0]
        db.session.commit()
        return november_.median_seconds, november_.p90_seconds

    assert blog_times(NOW) == (2 * HOUR, 10 * HOUR)  # 1, 2, 3 and 10 hours: kept
    ahead = make_comment(november["solo"], created_at=NOW + timedelta(hours=1))
    answer(ahead, november["ana"], timedelta(hours=50))
    assert blog_times(NOW) == (2 * HOUR, 10 * HOUR)  # not received yet at NOW
    assert blog_times(NOW + timedelta(hours=2)) == (3 * HOUR, 50 * HOUR)


def test_the_waiting_rule_is_one_rule_in_python_and_sql(ctx, november):
    comments = db.session.scalars(select(Comment)).all()
    in_sql = set(db.session.scalars(select(Comment.id).where(Comment.is_waiting)))
    assert in_sql == {comment.id for comment in comments if comment.is_waiting}
    assert in_sql == {november["waiting"].id}


# Threads: who answered and how fast, on every reader comment


def test_threads_say_who_answered_how_fast_or_that_a_comment_waits(client, november):
    thread = client.get("/api/posts/duo/comments").get_json()["comments"]
    readers = [node for node in thread if node["staff"] is None]
    staff = [node for node in thread if node["staff"] is not None]
    assert [(n["answered_by"], n["answered_after_seconds"], n["waiting"]) for n in readers] == [
        ("Ben Okafor", 3 * HOUR, False),
        ("Ana Lima", 10 * HOUR, False),
        (None, None, True),
    ]
    assert [n["answer_line"] for n in readers] == [
        "Answered by Ben Okafor in 3 hours",
        "Answered by Ana Lima in 10 hours",
        "Waiting for an answer",
    ]
    assert {
        (n["answered_by"], n["answered_after_seconds"], n["waiting"], n["answer_line"])
        for n in staff
    } == {(None, None, False, None)}
    dismissed = client.get("/api/posts/solo/comments").get_json()["comments"][-1]
    assert (dismissed["answered_by"], dismissed["waiting"], dismissed["answer_line"]) == (
        None,
        False,
        None,
    )


def test_a_new_comment_is_sent_back_waiting(client, make_post):
    make_post("hello", authors=("Ana Lima",))
    posted = client.post("/api/posts/hello/comments", json={"author_name": "Jo", "body": "Hi"})
    node = posted.get_json()["comment"]
    assert (node["answered_by"], node["answered_after_seconds"], node["waiting"]) == (
        None,
        None,
        True,
    )
    assert node["answer_line"] == "Waiting for an answer"


# The command line


@pytest.fixture
def this_month(app, make_post, make_staff, make_comment, answer):
    """Two comments from earlier this month (the CLI and the page read the real clock)."""
    ana = make_staff("Ana Lima", role=Role.ADMIN)
    make_post("solo", authors=("Ana Lima",))
    duo = make_post("duo", authors=("Ana Lima", "Ben Okafor"))
    now = utcnow()
    earlier = max(
        now - timedelta(minutes=30), now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    )
    first = make_comment(duo, created_at=earlier)
    answer(first, ana, timedelta(minutes=12))
    make_comment(duo, created_at=earlier + timedelta(seconds=1))
    return {"ana": ana, "month": first.created_at.strftime("%Y-%m")}


def test_stats_prints_a_table_per_author(app, this_month):
    result = app.test_cli_runner().invoke(args=["stats", "--months", "2"])
    assert result.exit_code == 0, result.output
    tables = result.output.split("\n\n")
    assert tables[0].splitlines()[0] == "Blog"
    assert "month\treceived\tanswered\tshare\tmedian\tp90\twaiting\toldest" in tables[0]
    month = datetime.strptime(this_month["month"], "%Y-%m").strftime("%B %Y")  # "December 2026"
    line = next(row for row in tables[0].splitlines() if row.startswith(month))
    cells = line.split("\t")
    assert cells[1:7] == ["2", "1", "50%", "12 minutes", "12 minutes", "1"]
    assert cells[7].startswith("#") and cells[7].endswith(("minute", "minutes", "hours"))
    assert [table.splitlines()[0] for table in tables if table.strip()] == [
        "Blog",
        "Ana Lima",
        "Ben Okafor",
    ]


def test_stats_json_gives_the_same_figures(app, this_month):
    result = app.test_cli_runner().invoke(args=["stats", "--json", "--author", "Ben Okafor"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert len(data["months"]) == figures.DEFAULT_MONTHS
    assert list(data["authors"]) == ["Ben Okafor"]
    ben = next(m for m in data["authors"]["Ben Okafor"] if m["month"] == this_month["month"])
    assert ben | {"oldest_waiting": None} == {
        "month": this_month["month"],
        "received": 2,
        "answered": 1,
        "answered_privately": 0,
        "no_answer_needed": 0,
        "waiting": 1,
        "share_answered": 0.5,
        "median_seconds": 12 * 60,
        "p90_seconds": 12 * 60,
        "oldest_waiting": None,
    }
    assert ben["oldest_waiting"]["created_at"].startswith(this_month["month"])


def test_stats_refuses_an_author_no_post_names_and_months_out_of_range(app, this_month):
    runner = app.test_cli_runner()
    unknown = runner.invoke(args=["stats", "--author", "Nobody"])
    assert unknown.exit_code == 1
    assert "No post names an author called 'Nobody'" in unknown.output
    assert runner.invoke(args=["stats", "--months", "0"]).exit_code == 2


# The dashboard


def test_dashboard_shows_the_figures_to_staff(client, login, make_post, this_month):
    make_post("quiet", authors=("Chloe Martin",))
    login(this_month["ana"])
    page = client.get("/moderation/figures?months=2")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<h1>Answer times</h1>" in html
    assert "<td>50%</td>" in html and "<td>12 minutes</td>" in html
    assert html.count('<table class="figures">') == 3  # the blog, Ana, Ben
    assert "No reader comments in these months on the posts of Chloe Martin." in html
    assert '<svg role="img" aria-labelledby="chart-share-title chart-share-desc"' in html
    assert "50% of 2 answered." in html  # the share chart's description
    assert "median 12 minutes." in html
    assert 'aria-current="page">Answer times</a>' in html


def test_dashboard_is_linked_from_the_moderation_page(client, login, this_month):
    login(this_month["ana"])
    html = client.get("/moderation/").get_data(as_text=True)
    assert '<a href="/moderation/figures">Answer times</a>' in html


def test_dashboard_refuses_anonymous_readers(client, this_month):
    page = client.get("/moderation/figures")
    assert page.status_code == 302
    assert "/auth/login" in page.headers["Location"]


@pytest.mark.parametrize("months", ["0", "121", "twelve"])
def test_dashboard_refuses_months_it_cannot_show(client, login, this_month, months):
    login(this_month["ana"])
    page = client.get(f"/moderation/figures?months={months}")
    assert page.status_code == 400
    assert "Months must be a whole number from 1 to 120." in page.get_data(as_text=True)


# The export and the blog


def test_the_export_carries_the_blog_figures_and_last_month(ctx, november):
    block = export_document(datetime(2026, 12, 3, tzinfo=UTC))["figures"]
    assert len(block["blog"]) == figures.DEFAULT_MONTHS
    assert block["last_month"]["month"] == "2026-11"
    assert block["last_month"]["share_answered"] == 0.8
    assert block["last_month"]["median_seconds"] == 2 * HOUR
    assert block["last_month_sentence"] == (
        "In November 2026 we answered 80% of reader comments; the median answer came in 2 hours."
    )


def bake(tmp_path, document) -> tuple[str, str]:
    """Build the real sample site with this export; return hello-porch's and About's HTML."""
    export = tmp_path / "export.json"
    if document is not None:
        export.write_text(json.dumps(document))
    output, _ = build_sample_site(tmp_path, export)
    article = (output / "2026/11/hello-porch/index.html").read_text(encoding="utf-8")
    return article, (output / "about/index.html").read_text(encoding="utf-8")


def test_baked_comments_say_who_answered_and_how_fast(
    app, make_post, make_staff, make_comment, answer, tmp_path
):
    ana = make_staff("Ana Lima")
    post = make_post("hello-porch", authors=("Ana Lima", "Ben Okafor"))
    asked = make_comment(post, name="Asker", created_at=nov(2))
    answer(asked, ana, timedelta(hours=3, minutes=10))
    make_comment(post, name="Still Waiting", created_at=nov(3))
    with app.app_context():
        article, about = bake(tmp_path, export_document(NOW))
    assert '<p class="comment-answer">Answered by Ana Lima in 3 hours</p>' in article
    waiting = '<p class="comment-answer comment-answer--waiting">Waiting for an answer</p>'
    assert article.count(waiting) == 1
    comments = re.sub(r"<template.*?</template>", "", article, flags=re.S)  # the empty one
    assert comments.count('class="comment-answer') == 2  # the staff answer says neither


def test_the_about_page_shows_last_months_figures_from_a_real_build(ctx, november, tmp_path):
    _, about = bake(tmp_path, export_document(datetime(2026, 12, 3, tzinfo=UTC)))
    assert (
        '<p class="answer-figures">In November 2026 we answered 80% of reader comments;'
        " the median answer came in 2 hours.</p>"
    ) in about


@pytest.mark.parametrize(
    "document",
    [
        None,  # no export at all
        {"version": 2, "exported_at": "2026-12-03T12:00:00Z", "posts": {}},  # without figures
        {"version": 2, "exported_at": "2026-12-03T12:00:00Z", "posts": {}, "figures": None},
    ],
    ids=["no-export", "no-figures", "null-figures"],
)
def test_the_about_page_builds_and_says_nothing_without_figures(tmp_path, document):
    _, about = bake(tmp_path, document)
    assert "About Porch" in about
    assert "answer-figures" not in about


def test_the_about_page_says_nothing_of_a_month_without_comments(ctx, tmp_path, make_post):
    make_post("hello-porch")
    _, about = bake(tmp_path, export_document(utcnow()))
    assert "answer-figures" not in about


# The sentence the export carries, as the blog prints it


def test_the_blog_prints_the_exports_sentence_and_nothing_else():
    """The export's schema keeps anything but text or null out (test_contract.py)."""
    sentence = "In October 2026 we answered 96% of reader comments."
    assert last_month_sentence({"last_month": {}, "last_month_sentence": sentence}) == sentence
    assert last_month_sentence({"last_month": {}, "last_month_sentence": None}) is None
    assert last_month_sentence({"last_month": {}}) is None  # an export from before the sentence
    assert last_month_sentence(None) is None
