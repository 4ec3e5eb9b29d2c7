"""Does the service stay as fast with 1,000,000 comments as with 10,000?

Generates two PostgreSQL databases the same way (COPY through psycopg): 10,000 posts
with 1,000,000 comments, and 100 posts with 10,000, so threads have the same sizes
in both and only the volume around them differs. Each has an admin and a few
authors (one named author without an account), reader comments answered by staff,
dismissed, still waiting (mostly recent ones), held, spam and deleted, tagged with
kinds, some handed to a colleague. Then times, through the app (Flask's test client):

- the thread listing, ``GET /api/posts/<slug>/comments?page=1``, over random posts (p99);
- one author's waiting queue: the moderation page's count and first page
  (``queries.unanswered_for``), and the whole page ``GET /moderation/``;
- the answer-time dashboard, ``GET /moderation/figures``.

    .venv/bin/python bench/data_scale.py              # both sizes, the table
    .venv/bin/python bench/data_scale.py --explain    # query plans on the large one

``PORCH_BENCH_DATABASE_URL`` names the large database (default
``postgresql+psycopg://postgres@127.0.0.1:5432/porch_bench``); the small one is the
same name with ``_small``. Both are dropped and created again.
"""

import argparse
import os
import random
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import psycopg
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import servers  # noqa: E402
from comments_service import create_app  # noqa: E402
from comments_service.extensions import db  # noqa: E402
from comments_service.models import Staff, utcnow  # noqa: E402
from comments_service.queries.care import unanswered_for  # noqa: E402
from comments_service.queries.listings import count_of  # noqa: E402
from comments_service.services.accounts.passwords import hash_password  # noqa: E402
from comments_service.services.moderation.reader_summaries import rebuild_all  # noqa: E402
from comments_service.words.names import skeleton  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/porch_bench"
LARGE, SMALL = 1_000_000, 10_000
COMMENTS_PER_POST = 100  # on average; each post's count is drawn from one spread
PASSWORD = "bench password"
# 20 staff: two admins and eighteen authors, three of them away today; one more named
# author has no account. (name, email or None without an account, role, away today)
PEOPLE = [
    ("Root Admin", "root@bench.test", "admin", False),
    ("Ana Lima", "ana@bench.test", "author", False),
    ("Ben Okafor", "ben@bench.test", "author", True),
    ("Chloe Martin", "chloe@bench.test", "author", False),
    ("Dev Patel", "dev@bench.test", "author", False),
    ("Eve Stone", None, "author", False),
    ("Rosa Admin", "rosa@bench.test", "admin", True),
    *(
        (name, f"{name.split()[0].lower()}@bench.test", "author", name == "Grace Ho")
        for name in (
            "Femi Adeyemi", "Grace Ho", "Hugo Brandt", "Ines Duarte", "Jonas Berg", "Kira Sato",
            "Liam Walsh", "Mona Haddad", "Nils Eriksen", "Olga Petrova", "Pia Keller",
            "Quinn Taylor", "Ravi Rao", "Sara Novak",
        )
    ),
]  # fmt: skip
AUTHORS = [name for name, _, role, _ in PEOPLE if role == "author"]
KINDS = [None, None, "question", "idea", "problem", "praise"]
THREAD_REQUESTS = 400
QUEUE_REPEATS = 40
PAGE_REPEATS = 10
NOW = datetime(2026, 11, 30, 12, 0)  # naive UTC, as stored
SPAN = timedelta(days=3 * 365)
AWAY_BEFORE, AWAY_AFTER = timedelta(days=3), timedelta(days=30)


def database_urls() -> tuple[str, str]:
    large = os.environ.get("PORCH_BENCH_DATABASE_URL", DEFAULT_URL)
    parsed = make_url(large)
    return large, parsed.set(database=f"{parsed.database}_small").render_as_string(False)


def recreate(url: str, revision: str = "head") -> None:
    """Drop and create the database, then bring it to this schema revision."""
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(False), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{parsed.database}"')
    migrate(url, revision)


def migrate(url: str, revision: str = "head") -> None:
    app = bench_app(url)
    with app.app_context():
        upgrade(revision=revision)
        db.engine.dispose()


def bench_app(url: str):
    return create_app(
        {
            "PORCH_DATABASE_URL": url,
            "PORCH_SECRET_KEY": "bench",
            "PORCH_SESSION_COOKIE_SECURE": False,
            "RATELIMIT_ENABLED": False,
        }
    )


@dataclass
class Counter:
    """Hands out ids, as the database's sequences would."""

    next_id: int = 1

    def take(self) -> int:
        self.next_id += 1
        return self.next_id - 1


def generate(url: str, comments: int, seed: int = 7) -> float:
    """Fill the database with ``comments`` comments over comments/100 posts; seconds taken."""
    began = time.perf_counter()
    rng = random.Random(seed)
    conninfo = make_url(url).set(drivername="postgresql").render_as_string(False)
    with psycopg.connect(conninfo) as connection:
        search_indexes = _drop_search_indexes(connection)
        staff_ids = _copy_staff(connection)
        posts = comments // COMMENTS_PER_POST
        owners = _copy_posts(connection, posts, rng)
        ids = Counter()
        # Rows loaded in bulk skip the figures' triggers, then are counted once (below).
        connection.execute("ALTER TABLE comments DISABLE TRIGGER USER")
        with connection.cursor().copy(
            f"COPY comments ({', '.join(COMMENT_COLUMNS)}) FROM STDIN"
        ) as copy:
            left = comments
            for post_id in range(1, posts + 1):
                size = left if post_id == posts else min(left, _thread_size(rng))
                for row in _thread(post_id, size, owners[post_id], staff_ids, ids, rng):
                    copy.write_row(row)
                left -= size
        connection.execute("SELECT setval('comments_id_seq', %s)", (ids.next_id,))
        for definition in search_indexes:
            connection.execute(definition)
        connection.execute("ALTER TABLE comments ENABLE TRIGGER USER")
        _recount_figures(connection)
        connection.commit()
        # Written post by post, but a live table fills in time order: lay it out so.
        connection.execute("CLUSTER comments USING ix_comments_created_at")
        connection.commit()
        count_readers(url)  # what the flush hook keeps for rows written through the ORM
        connection.autocommit = True  # VACUUM, as autovacuum would have on a live table
        connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


def _drop_search_indexes(connection) -> list[str]:
    """Drop the trigram indexes for the COPY and return how to make them again: built
    once afterwards, they take seconds; kept up row by row, many minutes."""
    found = connection.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE 'ix_comments_search_%'"
    ).fetchall()
    for name, _ in found:
        connection.execute(f'DROP INDEX "{name}"')
    return [definition for _, definition in found]


def _recount_figures(connection) -> None:
    """Count the answer-time figures' kept rows from the comments (migration 0024_summary_rows), on
    a schema that has them."""
    if connection.execute("SELECT to_regproc('figures_recount')").fetchone()[0]:
        connection.execute("SELECT figures_recount()")


def count_readers(url: str) -> None:
    """Fill the Readers view's rows (services.moderation.reader_summaries) for rows that
    COPY wrote around the ORM."""
    app = bench_app(url)
    with app.app_context():
        with db.engine.begin() as connection:
            rebuild_all(connection)
        db.engine.dispose()


def _thread_size(rng: random.Random) -> int:
    """Comments on one post: most threads short, a few long (mean about 100)."""
    return max(1, min(2000, round(rng.lognormvariate(4.2, 0.75))))


def _copy_staff(connection) -> dict[str, int]:
    password = hash_password(PASSWORD)
    ids = {}
    today = utcnow().date()  # away around the day the bench runs, whatever NOW is
    with connection.cursor().copy(
        "COPY staff (id, name, name_skeleton, email, password_hash, role, active, created_at,"
        " notify, away_from, away_until) FROM STDIN"
    ) as copy:
        for number, (name, email, role, away) in enumerate(PEOPLE, start=1):
            if email is None:
                continue
            period = (
                (today - timedelta(days=3), today + timedelta(days=30)) if away else (None, None)
            )
            row = (number, name, skeleton(name), email, password, role, True, NOW - SPAN, "digest")
            copy.write_row((*row, *period))
            ids[name] = number
    connection.execute("SELECT setval('staff_id_seq', %s)", (len(PEOPLE),))
    return ids


def _copy_posts(connection, posts: int, rng: random.Random) -> dict[int, list[str]]:
    """Posts and their named authors: one each, one post in ten two."""
    owners = {}
    with connection.cursor().copy(
        "COPY posts (id, slug, title, path, published_at, synced_at, comments_version) FROM STDIN"
    ) as copy:
        for post_id in range(1, posts + 1):
            published = NOW - SPAN + SPAN * (post_id - 1) / posts
            slug = f"post-{post_id:05d}"
            row = (post_id, slug, f"Post {post_id}", f"/{slug}/", published, NOW, 1)
            copy.write_row(row)
            owners[post_id] = rng.sample(AUTHORS, 2 if rng.random() < 0.1 else 1)
    with connection.cursor().copy("COPY post_authors (post_id, name, position) FROM STDIN") as copy:
        for post_id, names in owners.items():
            for position, name in enumerate(names):
                copy.write_row((post_id, name, position))
    connection.execute("SELECT setval('posts_id_seq', %s)", (posts,))
    return owners


COMMENT_COLUMNS = (
    "id post_id parent_id staff_id assigned_to_id author_name author_email body_markdown"
    " body_html status created_at published_at answered_at answered_by_id dismissed_at"
    " dismissed_by_id spam_check kind private_answer_shown remote_addr link_key"
).split()


def _thread(post_id, size, owners, staff_ids, ids: Counter, rng: random.Random):
    """One post's comments, oldest first: reader comments and the staff answers to them."""
    start = NOW - SPAN * rng.random()
    answerers = [staff_ids[name] for name in owners if name in staff_ids] or [
        staff_ids["Root Admin"]
    ]
    readers: list[int] = []
    made = 0
    moment = start
    for gap in _gaps(start, size, rng):
        if made >= size:
            break
        moment += gap
        reader_id = ids.take()
        parent = rng.choice(readers) if readers and rng.random() < 0.3 else None
        row, answer = _reader_comment(reader_id, post_id, parent, moment, answerers, staff_ids, rng)
        yield row
        readers.append(reader_id)
        made += 1
        if answer is not None and made < size:
            yield _staff_answer(ids.take(), post_id, reader_id, *answer, rng)
            made += 1


def _gaps(start: datetime, size: int, rng: random.Random) -> list[timedelta]:
    """The times between a thread's comments, about 20 hours each, squeezed to end
    before NOW: clamped at NOW instead, a long thread's tail would all come in at one
    moment, and a newest-first page would sort a hundred thousand ties."""
    hours = [rng.expovariate(1 / 20) for _ in range(size)]
    room = (NOW - timedelta(minutes=1) - start) / timedelta(hours=1)
    scale = min(1.0, room / sum(hours))
    return [timedelta(hours=gap * scale) for gap in hours]


def _reader_comment(comment_id, post_id, parent, moment, answerers, staff_ids, rng):
    """A reader comment's row, and (answerer, time) when a staff answer follows it."""
    roll = rng.random()
    status = (
        "approved"
        if roll < 0.92
        else "pending"
        if roll < 0.95
        else "spam"
        if roll < 0.98
        else "deleted"
    )
    spam_check = ("discarded" if rng.random() < 0.5 else "spam") if status == "spam" else "passed"
    answered_at = answered_by = dismissed_at = dismissed_by = assigned = answer = None
    if status == "approved":
        recent = NOW - moment < timedelta(days=14)
        fate = rng.random()
        if fate < (0.4 if recent else 0.01):
            if rng.random() < 0.02:
                assigned = rng.choice(list(staff_ids.values()))
        elif fate < (0.5 if recent else 0.06):
            dismissed_at = moment + min(timedelta(hours=2), NOW - moment)
            dismissed_by = rng.choice(answerers)
        else:
            answered_by = rng.choice(answerers)
            delay = timedelta(hours=rng.expovariate(1 / 10))
            answered_at = moment + min(delay, (NOW - moment) * rng.random())
            answer = (answered_by, answered_at)
    number = comment_id
    body = f"Comment {number}: how does the offline mode handle a schedule change?"
    row = (
        comment_id, post_id, parent, None, assigned, f"Reader {number % 5000}",
        f"reader{number % 5000}@example.org", body, f"<p>{body}</p>", status, moment,
        moment if status == "approved" else None, answered_at, answered_by, dismissed_at,
        dismissed_by, spam_check, rng.choice(KINDS), False, f"203.0.113.{number % 250}",
        _link_key(rng),
    )  # fmt: skip
    return row, answer


def _link_key(rng: random.Random) -> str:
    """A row's random link key (models.new_link_key), drawn from the seeded generator."""
    return f"{rng.getrandbits(128):032x}"


def _staff_answer(comment_id, post_id, parent, staff_id, moment, rng):
    body = "Thanks for asking: it keeps the change and sends it when you are back online."
    return (
        comment_id, post_id, parent, staff_id, None, PEOPLE[staff_id - 1][0], None, body,
        f"<p>{body}</p>", "approved", moment, moment, None, None, None, None, None, None,
        False, None, _link_key(rng),
    )  # fmt: skip


def percentile(samples: list[float], percent: int) -> float:
    """Nearest-rank percentile, in milliseconds."""
    ordered = sorted(samples)
    return ordered[max(-(-percent * len(ordered) // 100), 1) - 1] * 1000


def timed_calls(call, repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


def sign_in(client, email: str) -> None:
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/auth/login", data=data).status_code == 303


def get_ok(client, path: str):
    def call():
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    return call


# Every staff page, as an author and as an admin sees it. The search looks for one
# comment's own words ("Comment 4242:" is in both databases), the way staff look one up.
STAFF_PAGES = {
    **{f"tab {view}": f"/moderation/?view={view}" for view in (
        "waiting", "escalated", "held", "spam", "removed", "answered", "all"
    )},
    "search": "/moderation/?view=all&q=Comment+4242%3A",
    "Readers view": "/moderation/readers",
    "figures": "/moderation/figures",
    "report": "/moderation/report",
}  # fmt: skip
SIGNED_IN = {"author": "ana@bench.test", "admin": "root@bench.test"}
WSGI = "bench.porch_wsgi:app"
CLI_REPEATS = 5


def measure(url: str, comments: int) -> dict[str, float]:
    """Milliseconds for each measure on this database, through the app."""
    app = bench_app(url)
    figures = {
        "thread listing p99": _thread_listing_p99(app, comments // COMMENTS_PER_POST),
        **_waiting_queue_times(app),
    }
    for who, email in SIGNED_IN.items():
        client = app.test_client()
        sign_in(client, email)
        for name, path in {**STAFF_PAGES, "a reader's page": _a_reader(client)}.items():
            get_ok(client, path)()  # warm
            figures[f"{name} ({who}) p50"] = percentile(
                timed_calls(get_ok(client, path), PAGE_REPEATS), 50
            )
    for command in (["stats"], ["stats", "--json"], ["report"]):
        figures[f"flask {' '.join(command[:2])} p50"] = percentile(
            timed_calls(_cli(app, command), CLI_REPEATS), 50
        )
    with app.app_context():
        db.engine.dispose()
    return figures


def _thread_listing_p99(app, posts: int) -> float:
    rng = random.Random(11)
    client = app.test_client()
    for _ in range(20):  # warm the pool and the caches
        get_ok(client, f"/api/posts/post-{rng.randint(1, posts):05d}/comments?page=1")()
    threads = [
        timed_calls(
            get_ok(client, f"/api/posts/post-{rng.randint(1, posts):05d}/comments?page=1"), 1
        )[0]
        for _ in range(THREAD_REQUESTS)
    ]
    return percentile(threads, 99)


def _waiting_queue_times(app) -> dict[str, float]:
    with app.app_context():
        ana = db.session.scalar(text("SELECT id FROM staff WHERE name = 'Ana Lima'"))
        queue = timed_calls(lambda: _waiting_queue(ana), QUEUE_REPEATS)
    return {
        "waiting queue (count and first page) p50": percentile(queue, 50),
        "waiting queue (count and first page) p99": percentile(queue, 99),
    }


def _a_reader(client) -> str:
    """The address of the first reader's page the Readers view links to."""
    page = client.get("/moderation/readers").get_data(as_text=True)
    return re.search(r'href="(/moderation/readers/[^"?]+)"', page).group(1)


def _cli(app, command: list[str]):
    runner = app.test_cli_runner()

    def call():
        result = runner.invoke(args=command)
        assert result.exit_code == 0, (command, result.output)

    return call


GUARD_ROUNDS = 3


def service_crash_guard(url: str) -> dict[str, float]:
    """Every staff page, GUARD_ROUNDS times as each of SIGNED_IN, from a real service
    process (gunicorn, faulthandler on) on this database; how many requests failed and
    whether the worker died (on CPython 3.11.7 the moderation page once crashed it with
    SIGSEGV at a million comments: docs/operations.md, "A crash at a million comments")."""
    env = {
        "PORCH_DATABASE_URL": url,
        "PORCH_SECRET_KEY": "bench",
        "PORCH_SESSION_COOKIE_SECURE": "false",
        "PYTHONFAULTHANDLER": "1",
    }
    failed = requests = 0
    servers.WORK.mkdir(parents=True, exist_ok=True)
    with servers.Gunicorn("porch-data-scale", Path(sys.executable).parent, WSGI, env) as server:
        server.wait_for("/api/openapi.json")
        for _ in range(GUARD_ROUNDS):
            for email in SIGNED_IN.values():
                opener = _signed_in_opener(server.url, email)
                for path in STAFF_PAGES.values():
                    requests += 1
                    failed += _status(opener, server.url + path) != 200
        alive = server.process.poll() is None
    log = server.log.read_text()
    crashes = sum(log.count(sign) for sign in ("Segmentation fault", "SIGSEGV", "Fatal Python"))
    return {
        "service requests": requests,
        "service requests failed": failed,
        "service worker crashes": crashes + (not alive),
    }


def _signed_in_opener(base: str, email: str):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
    opener.addheaders = [("Origin", base)]
    page = opener.open(base + "/auth/login", timeout=60).read().decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"email": email, "password": PASSWORD, "csrf_token": token})
    opener.open(base + "/auth/login", data=form.encode(), timeout=60)
    return opener


def _status(opener, url: str) -> int:
    try:
        return opener.open(url, timeout=60).status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def _waiting_queue(staff_id: int) -> None:
    """What the moderation page asks for the waiting tab: its count and its first page."""
    staff = db.session.get(Staff, staff_id)
    query = unanswered_for(staff, utcnow())
    db.session.scalar(count_of(query))
    db.session.scalars(query.limit(50)).all()
    db.session.rollback()


def run() -> list[dict]:
    """Generate both databases, measure both, and compare: one row per measure, then the
    service process's run over every staff page at the large size."""
    large_url, small_url = database_urls()
    figures = {}
    for url, size in ((small_url, SMALL), (large_url, LARGE)):
        recreate(url)
        generated = generate(url, size)
        figures[size] = {"generate (COPY)": generated * 1000, **measure(url, size)}
    guard = service_crash_guard(large_url)
    rows = [
        {
            "section": "Data scale",
            "measure": name,
            "porch": f"{figures[LARGE][name]:.1f} ms",
            "against": f"the same, {SMALL:,} comments",
            "baseline": f"{figures[SMALL][name]:.1f} ms",
            "ratio": f"{figures[LARGE][name] / figures[SMALL][name]:.2f}",
        }
        for name in figures[LARGE]
    ]
    return [*rows, _guard_row(guard)]


def _guard_row(guard: dict) -> dict:
    return {
        "section": "Data scale",
        "measure": f"gunicorn worker, every staff page x{GUARD_ROUNDS}, {LARGE:,} comments",
        "porch": f"{guard['service worker crashes']} crashes, "
        f"{guard['service requests failed']} of {guard['service requests']} requests failed",
        "against": "no crash, no failure",
        "baseline": "0 crashes",
        "ratio": "ok"
        if not guard["service worker crashes"] + guard["service requests failed"]
        else "FAILED",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--explain", action="store_true", help="Print the plans instead.")
    parser.add_argument(
        "--reuse", action="store_true", help="Keep the large database's rows; migrate it only."
    )
    parser.add_argument("--revision", default="head", help="The schema to explain on.")
    args = parser.parse_args()
    if args.explain:
        large_url, _ = database_urls()
        if args.reuse:
            migrate(large_url, args.revision)
        else:
            recreate(large_url, args.revision)
            print(f"generated in {generate(large_url, LARGE):.1f} s")
        from explain_queries import print_plans

        print_plans(bench_app(large_url))
        return
    for row in run():
        print(" | ".join(row[key] for key in ("measure", "porch", "baseline", "ratio")))


if __name__ == "__main__":
    main()
