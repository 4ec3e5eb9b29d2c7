"""Porch comment service: takes reader comments and routes them to the post's authors."""

import logging
import os
from pathlib import Path

from flask import Flask, current_app, redirect, request, url_for
from sqlalchemy import text
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from comments_service import caching, compression, errors, rebaking
from comments_service.api.validation import LAST_COMMENT_NUMBER
from comments_service.config import load_settings, origin_of
from comments_service.extensions import babel, cors, csrf, db, limiter, login_manager, migrate
from comments_service.log_secrets import MASK_SECRETS
from comments_service.replay import ThreadReplay
from comments_service.services.comments import freshness  # noqa: F401 - its flush hook marks changed posts
from comments_service.services.moderation import reader_summaries  # noqa: F401 - its flush hook counts readers
from comments_service.words import language, times

MIGRATIONS = str(Path(__file__).parent / "migrations")


def create_app(test_config: dict | None = None) -> Flask:
    """Build the service; ``test_config`` overrides settings (see config.DEFAULTS)."""
    # The instance folder holds the SQLite file and the generated secret key; an
    # installed package would otherwise put it inside the virtual environment.
    instance = os.environ.get("PORCH_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance and os.path.abspath(instance))
    app.jinja_options = {**app.jinja_options, "finalize": language.as_text}
    app.config.from_mapping(load_settings(app.instance_path, test_config))
    app.session_interface = caching.SessionInterface()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    _init_extensions(app)
    app.url_map.converters["int"] = CommentNumber  # before any route is added
    _register_blueprints(app)
    errors.register(app)
    # One way to say each kind of time on every page (words/times.py).
    app.jinja_env.filters.update(times.FILTERS)
    app.context_processor(lambda: errors.blog_look(app.config))
    app.context_processor(language.page_words)
    app.add_template_filter(language.kind_label, "kind_label")
    # The development server's request log and "Exception on <path>" name the address.
    logging.getLogger("werkzeug").addFilter(MASK_SECRETS)
    app.logger.addFilter(MASK_SECRETS)
    from comments_service import cli

    cli.register(app)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)
    compression.init_compression(app)  # after_request hooks run last-added first
    app.after_request(caching.keep_private_by_default)
    app.after_request(add_security_headers)
    app.after_request(vary_api_by_origin)
    app.after_request(rebaking.rebake_changed_pages)
    if app.config["PORCH_REPLAY_THREADS"]:
        app.wsgi_app = ThreadReplay(app, app.wsgi_app)
    proxies = app.config["PORCH_TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_prefix=proxies
        )
    return app


class CommentNumber(IntegerConverter):
    """A comment's id in an address (``<int:comment_id>``), no bigger than the id column
    holds: a bigger one is an unknown address (404), never a query the database refuses
    (PostgreSQL's integer is 32 bits, SQLite's 64) and answers with a 500."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=LAST_COMMENT_NUMBER, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS)
    limiter.init_app(app)  # before CSRF, so floods are limited even with bad tokens
    csrf.init_app(app)
    login_manager.init_app(app)
    babel.init_app(
        app,
        locale_selector=language.page_language,
        default_translation_directories=language.FOLDER,
    )
    cors.init_app(
        app,
        resources={r"/api/*": {"origins": [origin_of(app.config["PORCH_BLOG_URL"])]}},
        methods=["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allow_headers=["Content-Type", "Idempotency-Key"],
        max_age=600,
        vary_header=False,  # vary_api_by_origin sets it on every API answer
    )


def _register_blueprints(app: Flask) -> None:
    from comments_service.api import bp as api_bp
    from comments_service.auth import bp as auth_bp
    from comments_service.feeds import bp as feeds_bp
    from comments_service.links import bp as links_bp
    from comments_service.moderation import bp as moderation_bp
    from comments_service.privacy import bp as privacy_bp
    from comments_service.readers import bp as readers_bp

    # Readers post from the static blog, where no CSRF token can be baked in; the
    # API checks the Origin header instead (see api.routes.require_blog_origin).
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(readers_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(links_bp)
    app.add_url_rule("/", "index", moderation_index_redirect)


def moderation_index_redirect():
    return redirect(url_for("moderation.queue"))


PAGE_POLICY = (
    "default-src 'self'; img-src 'self' https: data:; style-src 'self' {blog}; "
    "script-src {scripts}; frame-ancestors 'none'; base-uri 'none'; form-action 'self' {blog}"
)
# The staff's pages may load the service's own script files (never inline script).
STAFF_BLUEPRINTS = frozenset({"moderation", "auth"})


def add_security_headers(response):
    """Pages of the service are never framed or sniffed; readers' pages run no script.

    Forms may also lead to the blog: a reader's corrected comment is redirected there.
    Readers' pages wear the blog's stylesheet, so it may come from there too.
    """
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        scripts = "'self'" if request.blueprint in STAFF_BLUEPRINTS else "'none'"
        blog = origin_of(current_app.config["PORCH_BLOG_URL"])
        policy = PAGE_POLICY.format(blog=blog, scripts=scripts)
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("X-Frame-Options", "DENY")
    return response


def vary_api_by_origin(response):
    """API answers depend on the Origin header (CORS), so a cache must keep them apart.

    flask-cors adds ``Vary: Origin`` only when it allows several origins; a cache in
    front would then hand one origin's answer, CORS headers and all, to another.
    """
    if request.path.startswith("/api/"):
        response.vary.add("Origin")
    return response


def healthz():
    """Liveness: the process answers. Asks nothing of the database, so an outage there
    does not get every worker restarted."""
    return {"status": "ok"}


def readyz():
    """Readiness: the database answers ``SELECT 1`` in time, so send this host requests."""
    try:
        _database_answers(current_app.config["PORCH_READY_TIMEOUT_SECONDS"])
    except Exception as error:  # noqa: BLE001 - any database failure means "not ready"
        retry = {"Retry-After": str(current_app.config["PORCH_RETRY_AFTER_SECONDS"])}
        return {"status": "unavailable", "database": type(error).__name__}, 503, retry
    return {"status": "ok"}


def _database_answers(timeout_seconds: float) -> None:
    """Reaching the database waits PORCH_DATABASE_TIMEOUT_SECONDS at most; once reached,
    PostgreSQL answers within ``timeout_seconds`` or the statement is cancelled."""
    if db.engine.dialect.name == "postgresql":
        milliseconds = int(timeout_seconds * 1000)
        db.session.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))
    db.session.execute(text("SELECT 1"))
