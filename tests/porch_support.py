"""The blog and the comment service running together, as `make run` runs them, for browser tests.

A ``PorchSite`` is one such pair on free ports inside a temporary folder: the sample blog
built by `pelican` and served over HTTP, and the service under `flask run` on its own
SQLite file, each told where the other is. Test modules get theirs from the ``porch_site``
fixture (conftest.py), which copies in the migrated template database, launches the service
and stops everything after the module's last test; the module adds its accounts, builds,
seeds and starts it in its own order. Pages come from the ``open_page`` fixture: they
belong to one test, a site to the whole module.

Every build names the site's own comments export (absent until ``export_comments``), so
nothing from a developer's checkout (``var/comments-export.json``, written by `make run`)
is ever baked into a test's blog.
"""

import json
from contextlib import contextmanager
from pathlib import Path

from comments_service import create_app
from comments_service.extensions import db

from .browser_support import (
    ServiceProcess,
    StaticSite,
    build_site,
    clean_environment,
    flask,
    free_port,
    post_comment,
)


class PorchSite:
    """One blog and its comment service. ``slug``: the post the tests read and comment on;
    ``settings``: the service's PORCH_* settings (without the prefix); ``build_settings``:
    handed to every `pelican` build.

    With ``blog=False`` only the service runs: nothing is served or built, and BLOG_URL is
    whatever ``settings`` say.
    """

    def __init__(
        self,
        folder: Path,
        *,
        blog: bool = True,
        slug: str | None = None,
        build_settings: dict | None = None,
        **settings: str,
    ):
        self.slug = slug
        self.database = folder / "porch.sqlite3"
        self.database_url = f"sqlite:///{self.database}"
        self.output = folder / "output"
        self.manifest = folder / "manifest.json"
        self.export = folder / "export.json"
        self.build_settings = build_settings or {}
        defaults = {
            "DATABASE_URL": self.database_url,
            "SECRET_KEY": "porch-site-secret",
            "SESSION_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        }
        self.site = None
        if blog:
            self.output.mkdir()
            self.site = StaticSite(self.output)
            # BLOG_PORT: read by pelicanconf.py for the feeds' absolute links.
            defaults |= {"BLOG_URL": self.site.url, "BLOG_PORT": str(self.site.port)}
        self.env = clean_environment(**{**defaults, **settings})
        self.service = ServiceProcess(free_port(), self.env, folder / "service.log")
        if self.site:
            self.site.start()

    def flask(self, *args: str, stdin: str | None = None) -> str:
        """Run a `flask` command of the service on this site's database and settings."""
        return flask(*args, env=self.env, stdin=stdin)

    def add_author(self, name: str, email: str, password: str, role: str = "author") -> None:
        add = ["staff", "add", name, "--email", email, "--role", role, "--password-stdin"]
        self.flask(*add, stdin=password + "\n")

    def build(self, into: str = "") -> None:
        """Build the blog into the served folder (or a folder ``into`` it), baking in this
        site's comments export if one has been written."""
        output = self.output / into
        output.mkdir(exist_ok=True)
        build_site(
            output,
            self.env,
            PORCH_PUBLIC_URL=self.service.url,
            PORCH_MANIFEST_PATH=str(self.manifest),
            PORCH_COMMENTS_EXPORT=str(self.export),
            **self.build_settings,
        )

    def sync_posts(self) -> None:
        self.flask("posts", "sync", str(self.manifest))

    def publish(self, into: str = "") -> "PorchSite":
        """Build the blog and load its posts into the service, as a deployment does."""
        self.build(into)
        self.sync_posts()
        return self

    def export_comments(self) -> None:
        self.flask("comments", "export", str(self.export))

    def bake_comments(self, into: str = "") -> None:
        """What a deployment does after comments arrive: export them, rebuild the blog."""
        self.export_comments()
        self.build(into)

    def launch(self) -> None:
        """Start the service process without waiting: it boots while the site is set up (it
        reads nothing from the database before its first request, and none comes before
        ``start``)."""
        self.service.launch()

    def start(self) -> "PorchSite":
        """Start the service unless launched; returns once it answers."""
        self.service.start()
        return self

    def stop(self) -> None:
        self.service.stop()
        if self.site:
            self.site.stop()

    @property
    def post(self) -> dict:
        """The post as the blog announced it to the service (its path is the article URL)."""
        posts = json.loads(self.manifest.read_text(encoding="utf-8"))["posts"]
        return next(post for post in posts if post["slug"] == self.slug)

    def article(self, built: str = "") -> str:
        """The post's address on the blog; ``built``: the folder a build went ``into``."""
        return self.site.url + (f"/{built}" if built else "") + self.post["path"]

    @property
    def article_url(self) -> str:
        return self.article()

    @property
    def api_url(self) -> str:
        """The thread of the site's post in the public API."""
        return f"{self.service.url}/api/posts/{self.slug}/comments"

    def comment(self, **fields: str | int) -> dict:
        """Post a comment on the site's post through the public API, as the article's form
        does; its 201 body."""
        return post_comment(self.service.url, self.slug, self.site.url, **fields)


@contextmanager
def service_database(database_url: str):
    """The service's database, opened in this process to write exact times and shapes."""
    app = create_app({"PORCH_DATABASE_URL": database_url, "PORCH_SECRET_KEY": "seeding"})
    with app.app_context():
        yield
        db.engine.dispose()
