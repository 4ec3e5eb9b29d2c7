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
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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
# (name, email or None for an author without an account, role)
PEOPLE = [
    ("Root Admin", "root@bench.test", "admin"),
    ("Ana Lima", "ana@bench.test", "author"),
    ("Ben Okafor", "ben@bench.test", "author"),
    ("Chloe Martin", "chloe@bench.test", "author"),
    ("Dev Patel", "dev@bench.test", "author"),
    ("Eve Stone", None, "author"),
]
AUTHORS = [name for name, _, _ in PEOPLE[1:]]
KINDS = [None, None, "question", "idea", "problem", "praise"]
THREAD_REQUESTS = 400
QUEUE_REPEATS = 40
PAGE_REPEATS = 10
NOW = datetime(2026, 11, 30, 12, 0)  # naive UTC, as stored
SPAN = timedelta(days=3 * 365)


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
        staff_ids = _copy_staff(connection)
        posts = comments // COMMENTS_PER_POST
        owners = _copy_posts(connection, posts, rng)
        ids = Counter()
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
        connection.commit()
        # Written post by post, but a live table fills in time order: lay it out so.
        connection.execute("CLUSTER comments USING ix_comments_created_at")
        connection.commit()
        count_readers(url)  # what the flush hook keeps for rows written through the ORM
        connection.autocommit = True  # VACUUM, as autovacuum would have on a live table
        connection.execute("VACUUM ANALYZE")
    return time.perf_counter() - began


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
    with connection.cursor().copy(
        "COPY staff (id, name, name_skeleton, email, password_hash, role, active, created_at,"
        " notify) FROM STDIN"
    ) as copy:
        for number, (name, email, role) in enumerate(PEOPLE, start=1):
            if email is None:
                continue
            row = (number, name, skeleton(name), email, password, role, True, NOW - SPAN, "digest")
            copy.write_row(row)
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
    while made < size:
        moment = min(NOW - timedelta(minutes=1), moment + timedelta(hours=rng.expovariate(1 / 20)))
        reader_id = ids.take()
        parent = rng.choice(readers) if readers and rng.random() < 0.3 else None
        row, answer = _reader_comment(reader_id, post_id, parent, moment, answerers, staff_ids, rng)
        yield row
        readers.append(reader_id)
        made += 1
        if answer is not None and made < size:
            yield _staff_answer(ids.take(), post_id, reader_id, *answer, rng)
            made += 1


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
            dismissed_at, dismissed_by = moment + timedelta(hours=2), rng.choice(answerers)
        else:
            answered_by = rng.choice(answerers)
            answered_at = min(NOW, moment + timedelta(hours=rng.expovariate(1 / 10)))
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


def measure(url: str, comments: int) -> dict[str, float]:
    """Milliseconds for each measure on this database, through the app."""
    app = bench_app(url)
    rng = random.Random(11)
    posts = comments // COMMENTS_PER_POST
    client = app.test_client()
    paths = [f"/api/posts/post-{rng.randint(1, posts):05d}/comments?page=1" for _ in range(20)]
    for path in paths:
        get_ok(client, path)()  # warm the pool and the caches
    threads = [
        timed_calls(
            get_ok(client, f"/api/posts/post-{rng.randint(1, posts):05d}/comments?page=1"), 1
        )[0]
        for _ in range(THREAD_REQUESTS)
    ]
    with app.app_context():
        ana = db.session.scalar(text("SELECT id FROM staff WHERE name = 'Ana Lima'"))
        queue = timed_calls(lambda: _waiting_queue(ana), QUEUE_REPEATS)
    author = app.test_client()
    sign_in(author, "ana@bench.test")
    page = timed_calls(get_ok(author, "/moderation/"), PAGE_REPEATS)
    admin = app.test_client()
    sign_in(admin, "root@bench.test")
    figures = timed_calls(get_ok(admin, "/moderation/figures"), PAGE_REPEATS)
    with app.app_context():
        db.engine.dispose()
    return {
        "thread listing p99": percentile(threads, 99),
        "waiting queue (count and first page) p50": percentile(queue, 50),
        "waiting queue (count and first page) p99": percentile(queue, 99),
        "moderation page, waiting tab p50": percentile(page, 50),
        "dashboard figures p50": percentile(figures, 50),
    }


def _waiting_queue(staff_id: int) -> None:
    """What the moderation page asks for the waiting tab: its count and its first page."""
    staff = db.session.get(Staff, staff_id)
    query = unanswered_for(staff, utcnow())
    db.session.scalar(count_of(query))
    db.session.scalars(query.limit(50)).all()
    db.session.rollback()


def run() -> list[dict]:
    """Generate both databases, measure both, and compare: one row per measure."""
    large_url, small_url = database_urls()
    figures = {}
    for url, size in ((small_url, SMALL), (large_url, LARGE)):
        recreate(url)
        generated = generate(url, size)
        figures[size] = {"generate (COPY)": generated * 1000, **measure(url, size)}
    return [
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
