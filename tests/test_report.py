"""The report "What readers told us": an October of known comments gives an exact report,
in JSON through the CLI, as text and on the moderation page.

Answers are recorded by the real rules (services.answers, services.listening), at
exact times; the period is given explicitly, so the report never depends on today.
"""

import importlib.util
import json
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest

from comments_service.config import OpenKinds, open_kinds
from comments_service.enums import CommentStatus, FollowUp, PrivateChannel, Role
from comments_service.extensions import db
from comments_service.models import Comment, Staff
from comments_service.queries.listening import still_open
from comments_service.services.mail.subscriptions import ReaderMail
from comments_service.services.moderation import listening
from comments_service.services.report.build import (
    Period,
    PeriodError,
    day_from,
    last_full_month,
    period_of,
    quote,
)

from .conftest import context_of
from .site_support import ROOT, build_sample_site
from .test_figures import answer  # noqa: F401  (the fixture that records a staff answer)

OCTOBER = ["--since", "2026-10-01", "--until", "2026-11-01"]
PUBLIC_URL = "http://127.0.0.1:5000"
LONG_QUESTION = (
    "Why does the offline copy of a job keep the gate code of the customer after the job is "
    "closed, and who can read it on a lost phone? We asked support twice and got two answers "
    "that disagree with each other, so we would like one that is right."
)


def oct_(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 10, day, hour, 0, tzinfo=UTC)


def follow(app, comment, staff, step, note, at, team=None):
    """A follow-up step by the real rule, taken at ``at``."""
    with context_of(app):
        found = db.session.get(Comment, comment.id)
        by = db.session.get(Staff, staff.id)
        readers = ReaderMail.for_app(app)
        listening.follow_up(found, by, step, note, at, readers, team=team)
        db.session.commit()


def privately(app, comment, staff, after):
    with context_of(app):
        found = db.session.get(Comment, comment.id)
        at = found.created_at + after
        by = db.session.get(Staff, staff.id)
        listening.answer_privately(found, by, PrivateChannel.PHONE, "Rang them", at, at)
        db.session.commit()


@pytest.fixture
def october(app, make_post, make_staff, make_comment, answer):  # noqa: F811
    """Seven published reader comments in October 2026, and what came of them."""
    ana, ben = make_staff("Ana Lima"), make_staff("Ben Okafor")
    solo = make_post("solo", authors=("Ana Lima",), title="Solo post")
    duo = make_post("duo", authors=("Ana Lima", "Ben Okafor"), title="Duo post")

    def reader(post, name, when, kind=None, email=None, body="text", **fields):
        return make_comment(
            post, name=name, created_at=when, kind=kind, author_email=email,
            body_markdown=body, **fields,
        )  # fmt: skip

    # Before the period: Lee and Kim have written before; Lee's idea is acted on in October.
    old_idea = reader(solo, "Lee", datetime(2026, 9, 15, tzinfo=UTC), "idea", "lee@example.com")
    reader(duo, "Kim", datetime(2026, 9, 20, tzinfo=UTC))
    follow(app, old_idea, ana, FollowUp.PASSED_ON, "", datetime(2026, 9, 30, tzinfo=UTC), "Web")
    follow(app, old_idea, ana, FollowUp.ACTED_ON, "Dark mode shipped", oct_(2))

    q1 = reader(solo, "Jo", oct_(5), "question", "jo@example.com", "How do I export?")
    answer(q1, ana, timedelta(hours=2))
    q2 = reader(duo, "Kim", oct_(6), "question", None, LONG_QUESTION)
    i1 = reader(solo, "Jo", oct_(13, 9), "idea", "JO@Example.com", "Offline maps, please")
    privately(app, i1, ana, timedelta(hours=4))
    follow(app, i1, ana, FollowUp.PASSED_ON, "On the spring board", oct_(14), "Mobile")
    p1 = reader(duo, "Lee", oct_(20), "problem", "lee@example.com", "Export drops time zones")
    answer(p1, ben, timedelta(hours=1))
    follow(app, p1, ben, FollowUp.ACTED_ON, "The export keeps time zones now", oct_(22))
    p2 = reader(
        duo, "Max", oct_(21), "problem", "max@example.com", "Sync is slow on 3G",
        dismissed_at=oct_(21, 12), dismissed_by_id=ben.id,
    )  # fmt: skip
    follow(app, p2, ben, FollowUp.DECLINED, "Not for now", oct_(23))
    praise = reader(solo, "Sam", oct_(27), "praise", "sam@example.com", "Lovely update")
    answer(praise, ana, timedelta(hours=10))
    reader(solo, "Pat", oct_(28), None, None, "Where is the changelog?")
    # Not counted: held, and a staff answer (above); nor anything from November.
    reader(solo, "Held", oct_(28), "question", status=CommentStatus.PENDING)
    reader(solo, "Later", datetime(2026, 11, 2, tzinfo=UTC), "question")
    return {"q2": q2, "i1": i1, "p1": p1, "p2": p2, "old_idea": old_idea}


def report_json(app) -> dict:
    result = app.test_cli_runner().invoke(args=["report", *OCTOBER, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# The period


def test_the_default_period_is_the_last_full_calendar_month_in_utc():
    assert last_full_month(datetime(2026, 11, 30, 23, 59, tzinfo=UTC)) == Period(
        date(2026, 10, 1), date(2026, 11, 1)
    )
    assert last_full_month(datetime(2027, 1, 1, 0, 0, tzinfo=UTC)) == Period(
        date(2026, 12, 1), date(2027, 1, 1)
    )
    assert last_full_month(datetime(2026, 11, 5, tzinfo=UTC)).label == "October 2026"


def test_one_day_alone_gives_a_month_from_or_to_it():
    now = datetime(2026, 11, 30, tzinfo=UTC)
    assert period_of(date(2026, 1, 31), None, now) == Period(date(2026, 1, 31), date(2026, 2, 28))
    assert period_of(None, date(2026, 3, 15), now) == Period(date(2026, 2, 15), date(2026, 3, 15))
    assert period_of(date(2026, 11, 3), date(2026, 11, 17), now).label == (
        "3 November 2026 to 16 November 2026"
    )


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        (date(2026, 11, 2), date(2026, 11, 2), "must end after it starts"),
        (date(2026, 11, 2), date(2026, 11, 1), "must end after it starts"),
        (date(2025, 1, 1), date(2026, 1, 3), "at most 366 days"),
    ],
)
def test_a_period_that_ends_before_it_starts_or_is_too_long_is_refused(since, until, message):
    with pytest.raises(PeriodError, match=message):
        period_of(since, until, datetime(2026, 11, 30, tzinfo=UTC))


@pytest.mark.parametrize("text", ["2026-13-01", "2026-02-30", "20261101", "yesterday", "1.11.2026"])
def test_a_day_must_be_written_year_month_day(text):
    with pytest.raises(PeriodError, match=re.escape(f"Since: “{text}” is not a day")):
        day_from(text, "Since")


def test_quotes_are_plain_words_cut_at_a_word_under_200_characters():
    assert quote("  Two\n\nlines  ") == "Two lines"
    cut = quote(LONG_QUESTION)
    assert len(cut) <= 200
    assert cut.endswith("disagree with each…")
    assert LONG_QUESTION.startswith(cut.removesuffix("…"))


# The rule of "still open"

DEFAULT_OPEN = OpenKinds(questions=("question",), follow_ups=("idea", "problem"))


def test_open_means_a_waiting_question_or_an_idea_or_problem_without_an_outcome(app, october):
    with app.app_context():
        open_ids = set(db.session.scalars(db.select(Comment.id).where(still_open(DEFAULT_OPEN))))
    # Kim's question waits; Jo's idea was answered privately but is only passed on; the
    # November question waits too. Answered questions, acted-on and declined problems are
    # settled, and a held question is not published.
    later = [c for c in open_ids if c not in (october["q2"].id, october["i1"].id)]
    assert october["q2"].id in open_ids and october["i1"].id in open_ids
    assert len(later) == 1
    assert {october["p1"].id, october["p2"].id, october["old_idea"].id}.isdisjoint(open_ids)


def test_a_question_marked_no_answer_needed_is_settled_and_an_idea_with_no_step_is_open(
    app, make_post, make_comment
):
    post = make_post()
    dismissed = make_comment(post, kind="question", dismissed_at=oct_(2))
    idea = make_comment(post, kind="idea", answered_at=oct_(2))  # answered, not followed up
    praise = make_comment(post, kind="praise")  # waits, but praise is never "open"
    untagged = make_comment(post)
    with app.app_context():
        open_ids = set(db.session.scalars(db.select(Comment.id).where(still_open(DEFAULT_OPEN))))
    assert idea.id in open_ids
    assert {dismissed.id, praise.id, untagged.id}.isdisjoint(open_ids)


def test_which_kinds_stay_open_is_read_from_the_configured_vocabulary(
    app_with, make_post, make_comment
):
    app = app_with(
        PORCH_COMMENT_KINDS="frage,idee,lob",
        PORCH_QUESTION_KINDS="frage",
        PORCH_FOLLOW_UP_KINDS="idee",
    )
    post = make_post()
    asked = make_comment(post, name="Asks", kind="frage", created_at=oct_(3))
    idea = make_comment(post, name="Wishes", kind="idee", created_at=oct_(4), answered_at=oct_(5))
    make_comment(post, name="Thanks", kind="lob", created_at=oct_(6))
    make_comment(post, name="Old words", kind="question", created_at=oct_(7))
    assert [item["id"] for item in report_json(app)["open"]] == [asked.id, idea.id]


def test_a_kind_left_open_must_be_one_of_the_vocabulary(app_with):
    with pytest.raises(ValueError, match="PORCH_FOLLOW_UP_KINDS may name only kinds"):
        app_with(PORCH_COMMENT_KINDS="frage,idee", PORCH_FOLLOW_UP_KINDS="idea")
    with pytest.raises(ValueError, match="must not share a kind: idee"):
        app_with(
            PORCH_COMMENT_KINDS="frage,idee",
            PORCH_QUESTION_KINDS="idee",
            PORCH_FOLLOW_UP_KINDS="idee",
        )


def test_left_as_they_are_the_open_kinds_are_the_defaults_the_vocabulary_has(app_with):
    app = app_with(PORCH_COMMENT_KINDS="question,praise,problem")
    assert open_kinds(app.config) == OpenKinds(questions=("question",), follow_ups=("problem",))


# The report, figure by figure


def test_the_json_report_has_every_figure_exactly(app, october):
    report = report_json(app)
    assert (report["since"], report["until"], report["label"]) == (
        "2026-10-01",
        "2026-11-01",
        "October 2026",
    )
    assert report["kinds"] == {"question": 2, "idea": 1, "problem": 2, "praise": 1, "untagged": 1}
    assert list(report["kinds"]) == ["question", "idea", "problem", "praise", "untagged"]
    assert (report["reader_comments"], report["answered"], report["answered_privately"]) == (
        7,
        4,
        1,
    )
    assert (report["passed_on"], report["acted_on"], report["declined"]) == (1, 2, 1)
    assert report["figures"] == {
        "received": 7,
        "answered": 4,
        "answered_privately": 1,
        "no_answer_needed": 1,
        "waiting": 2,
        "share_answered": 4 / 6,
        "share_answered_publicly": 3 / 6,
        "share_answered_privately": 1 / 6,
        "median_seconds": 2 * 3600,  # of 1, 2, 4 and 10 hours: the second, nearest rank
        "p90_seconds": 10 * 3600,
    }
    assert report["authors"]["Ana Lima"] == report["figures"]  # an author of both posts
    assert report["authors"]["Ben Okafor"] == {
        "received": 3,
        "answered": 1,
        "answered_privately": 0,
        "no_answer_needed": 1,
        "waiting": 1,
        "share_answered": 0.5,
        "share_answered_publicly": 0.5,
        "share_answered_privately": 0.0,
        "median_seconds": 3600,
        "p90_seconds": 3600,
    }
    # Jo (twice, the address in two cases), Max, Sam and Pat are new; Lee and Kim wrote before.
    assert (report["new_readers"], report["returning_readers"]) == (4, 2)


def test_the_json_report_quotes_the_open_items_with_their_links(app, october):
    q2, i1 = october["q2"], october["i1"]
    assert report_json(app)["open"] == [
        {
            "id": q2.id,
            "kind": "question",
            "author_name": "Kim",
            "post_title": "Duo post",
            "created_at": "2026-10-06T10:00:00Z",
            "quote": quote(LONG_QUESTION),
            "link": f"{PUBLIC_URL}/c/{q2.id}",
            "thread": f"{PUBLIC_URL}/moderation/comments/{q2.id}/thread#comment-{q2.id}",
            "follow_up": None,
            "team": None,
        },
        {
            "id": i1.id,
            "kind": "idea",
            "author_name": "Jo",
            "post_title": "Solo post",
            "created_at": "2026-10-13T09:00:00Z",
            "quote": "Offline maps, please",
            "link": f"{PUBLIC_URL}/c/{i1.id}",
            "thread": f"{PUBLIC_URL}/moderation/comments/{i1.id}/thread#comment-{i1.id}",
            "follow_up": "passed_on",
            "team": "Mobile",
        },
    ]


def test_the_json_report_lists_the_follow_up_steps_of_the_period_with_their_notes(app, october):
    steps = report_json(app)["follow_ups"]
    assert [
        (s["step"], s["at"], s["by"], s["team"], s["note"], s["comment"]["id"]) for s in steps
    ] == [
        ("acted_on", "2026-10-02T10:00:00Z", "Ana Lima", None, "Dark mode shipped",
         october["old_idea"].id),
        ("passed_on", "2026-10-14T10:00:00Z", "Ana Lima", "Mobile", "On the spring board",
         october["i1"].id),
        ("acted_on", "2026-10-22T10:00:00Z", "Ben Okafor", None, "The export keeps time zones now",
         october["p1"].id),
        ("declined", "2026-10-23T10:00:00Z", "Ben Okafor", None, "Not for now", october["p2"].id),
    ]  # fmt: skip
    assert steps[2]["comment"]["quote"] == "Export drops time zones"


def test_the_json_report_gives_each_iso_week_its_median_and_kinds(app, october):
    weeks = report_json(app)["weeks"]

    def kinds(**counts):
        return {"question": 0, "idea": 0, "problem": 0, "praise": 0, "untagged": 0, **counts}

    rows = [(w["week"], w["starts"], w["answered"], w["median_seconds"], w["kinds"]) for w in weeks]
    assert rows == [
        ("2026-W40", "2026-09-28", 0, None, kinds()),
        ("2026-W41", "2026-10-05", 1, 2 * 3600, kinds(question=2)),
        ("2026-W42", "2026-10-12", 1, 4 * 3600, kinds(idea=1)),
        ("2026-W43", "2026-10-19", 1, 3600, kinds(problem=2)),
        ("2026-W44", "2026-10-26", 1, 10 * 3600, kinds(praise=1, untagged=1)),
    ]  # fmt: skip


def test_a_finished_months_week_medians_follow_an_answer_given_after_a_report(
    app,
    october,
    make_staff,
    answer,  # noqa: F811
):
    """A month's week medians are kept once computed, while its answer times stay as they
    were: an answer given since is in the next report."""

    def week_41():
        return next(
            (w["answered"], w["median_seconds"])
            for w in report_json(app)["weeks"]
            if w["week"] == "2026-W41"
        )

    assert week_41() == (1, 2 * 3600)
    answer(october["q2"], make_staff("Chloe Martin"), timedelta(hours=1))
    assert week_41() == (2, 3600)


def test_a_kind_no_longer_in_the_setting_still_counts_after_the_others(app_with, october):
    app = app_with(PORCH_COMMENT_KINDS="question,idea,problem")
    assert report_json(app)["kinds"] == {
        "question": 2,
        "idea": 1,
        "problem": 2,
        "praise": 1,
        "untagged": 1,
    }


def test_the_text_report_reads_section_by_section(app, october):
    result = app.test_cli_runner().invoke(args=["report", *OCTOBER])
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.startswith("WHAT READERS TOLD US: October 2026\n")
    assert "  question                 2\n" in text
    assert "  no kind yet              1\n" in text
    assert "  All reader comments      7\n" in text
    assert "New readers: 4 (first comment ever in this period). Returning readers: 2." in text
    assert (
        "  The whole blog: 7 comments; answered in public 3 (50%), privately 1 (17%), waiting 2;"
        " median 2 hours, 90th percentile 10 hours.\n"
    ) in text
    assert "  W43 (from 19 October 2026): median 1 hour (1 answered); 2 problem.\n" in text
    assert f'    "Offline maps, please"\n    {PUBLIC_URL}/c/{october["i1"].id}\n' in text
    assert "  Passed on (1)\n  * 14 October 2026, to Mobile, by Ana Lima: idea from Jo" in text
    assert "    Note: Not for now\n" in text


def test_bad_dates_on_the_command_line_are_refused(app):
    result = app.test_cli_runner().invoke(
        args=["report", "--since", "2026-11-02", "--until", "2026-11-01"]
    )
    assert result.exit_code == 2
    assert "The period must end after it starts" in result.output


def test_the_html_document_stands_alone_without_navigation(app, october):
    result = app.test_cli_runner().invoke(args=["report", *OCTOBER, "--format", "html"])
    assert result.exit_code == 0, result.output
    html = result.output
    assert html.startswith("<!doctype html>")
    assert "<title>What readers told us: October 2026</title>" in html
    assert "<nav" not in html and "<form" not in html and "<link" not in html
    assert html.count("<svg") == 2
    assert tables(html)["report-kinds"][-1] == ["All reader comments", "7"]


# The page


class Tables(HTMLParser):
    """Each table with a class, as rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table":
            self.current = self.tables.setdefault(classes[-1], [])
        elif tag == "tr" and self.current is not None:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    parser = Tables()
    parser.feed(html)
    return parser.tables


def test_the_page_shows_every_figure(client, login, october, make_staff):
    """An admin's page: every comment is theirs to open, so every one is quoted."""
    login(make_staff("Morgan Reyes", role=Role.ADMIN, email="morgan@porch.test"))
    page = client.get("/moderation/report?since=2026-10-01&until=2026-11-01")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    found = tables(html)
    assert found["report-kinds"] == [
        ["Kind", "Comments"],
        ["question", "2"],
        ["idea", "1"],
        ["problem", "2"],
        ["praise", "1"],
        ["no kind yet", "1"],
        ["All reader comments", "7"],
    ]
    assert found["report-answers"][1:] == [
        ["The whole blog", "7", "3 (50%)", "1 (17%)", "2", "2 hours", "10 hours"],
        ["Ana Lima", "7", "3 (50%)", "1 (17%)", "2", "2 hours", "10 hours"],
        ["Ben Okafor", "3", "1 (50%)", "0 (0%)", "1", "1 hour", "1 hour"],
    ]
    assert found["report-weeks"][1:] == [
        ["W40 (from 28 September 2026)", "0", "-", "0", "0", "0", "0", "0"],
        ["W41 (from 5 October 2026)", "1", "2 hours", "2", "0", "0", "0", "0"],
        ["W42 (from 12 October 2026)", "1", "4 hours", "0", "1", "0", "0", "0"],
        ["W43 (from 19 October 2026)", "1", "1 hour", "0", "0", "2", "0", "0"],
        ["W44 (from 26 October 2026)", "1", "10 hours", "0", "0", "0", "1", "1"],
    ]
    assert re.search(r'class="report-new">4<', html)
    assert re.search(r'class="report-returning">2<', html)
    assert html.count('class="report-open-item"') == 2
    assert html.count('class="report-step"') == 4
    assert f'href="{PUBLIC_URL}/c/{october["q2"].id}"' in html
    assert "Passed on (1)" in html and "Acted on (2)" in html and "Declined (1)" in html
    assert '<a href="/moderation/report" aria-current="page">Report</a>' in html


def test_the_page_without_dates_shows_the_last_full_month(client, login, make_staff):
    login(make_staff("Ana Lima"))
    html = client.get("/moderation/report").get_data(as_text=True)
    period = last_full_month(datetime.now(UTC))
    assert f"<h1>What readers told us: {period.label}</h1>" in html
    assert f'name="since" type="date" value="{period.since.isoformat()}"' in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("since=2026-10-40", "Since: “2026-10-40” is not a day; write it as YYYY-MM-DD"),
        ("since=2026-10-01&until=oct", "Until: “oct” is not a day"),
        ("since=2026-10-05&until=2026-10-01", "The period must end after it starts"),
    ],
)
def test_bad_dates_answer_400_with_the_message_on_the_form(
    client, login, make_staff, query, message
):
    login(make_staff("Ana Lima"))
    page = client.get(f"/moderation/report?{query}")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert f'<p id="report-error" class="field-error" role="alert">{message}' in html
    assert 'aria-describedby="report-error"' in html
    assert "<table" not in html


def test_a_date_field_shows_again_the_day_typed_but_never_what_is_not_a_day(
    client, login, make_staff
):
    """A date field holds only a day (an invalid value is an HTML error); the message
    quotes what was typed."""
    login(make_staff("Ana Lima"))
    html = client.get("/moderation/report?since=2026-10-01&until=oct").get_data(as_text=True)
    assert 'name="since" type="date" value="2026-10-01"' in html
    assert 'name="until" type="date" value=""' in html


def test_the_page_is_for_signed_in_staff_only(client):
    page = client.get("/moderation/report")
    assert page.status_code == 302
    assert "/auth/login" in page.headers["Location"]


# The sample data of `make run`


def test_the_sample_data_of_make_run_gives_a_report_with_every_part(app, tmp_path):
    """scripts/dev_seed.py on the sample blog's posts, as `make run` seeds them: the last
    full month has kinds, answers public and private, follow-ups and a returning reader."""
    _, manifest = build_sample_site(tmp_path, tmp_path / "none.json")
    runner = app.test_cli_runner()
    assert runner.invoke(args=["posts", "sync", str(manifest)]).exit_code == 0
    seed = importlib.util.spec_from_file_location("dev_seed", ROOT / "scripts" / "dev_seed.py")
    dev_seed = importlib.util.module_from_spec(seed)
    seed.loader.exec_module(dev_seed)
    with app.app_context():
        dev_seed.ensure_accounts()
        dev_seed.ensure_threads(app)
        db.session.remove()

    report = json.loads(runner.invoke(args=["report", "--format", "json"]).output)
    kinds = {kind: count for kind, count in report["kinds"].items() if kind != "untagged"}
    assert kinds == {"question": 2, "idea": 3, "problem": 1, "praise": 1}
    assert (report["passed_on"], report["acted_on"], report["declined"]) == (3, 1, 1)
    assert (report["answered"], report["answered_privately"]) == (5, 1)
    assert report["returning_readers"] == 1
    assert [item["author_name"] for item in report["open"]] == ["Marta G.", "Ken W.", "Ravi P."]
    text = runner.invoke(args=["report"]).output
    assert text.startswith(f"WHAT READERS TOLD US: {report['label']}\n")
    assert "\n  Acted on (1)\n  * " in text
    assert "    Note: Every account now runs the fixed scheduler.\n" in text


def test_documents_quote_the_50_oldest_open_items_and_count_the_rest(app, make_post, make_comment):
    post = make_post()
    for minute in range(52):
        make_comment(post, kind="question", created_at=oct_(9) + timedelta(minutes=minute))
    assert len(report_json(app)["open"]) == 52
    text = app.test_cli_runner().invoke(args=["report", *OCTOBER]).output
    assert text.count("\n  * question from Reader") == 50
    assert "  And 2 more still open from this period: the 50 oldest are quoted here.\n" in text
    html = app.test_cli_runner().invoke(args=["report", *OCTOBER, "--format", "html"]).output
    assert html.count('class="report-open-item"') == 50
    assert "And 2 more still open from this period" in html
