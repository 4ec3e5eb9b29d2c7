"""Everyday commands for the Porch blog: `invoke --list` shows them all.

Extra arguments after a task are handed to pelican, for example
`invoke build -- -e 'DEFAULT_PAGINATION=10'`.
"""

import json
import os
import shlex
import shutil
import sys
from functools import cache

from invoke import task
from invoke.main import program

CONFIG = {
    "settings_base": "pelicanconf.py",
    "settings_publish": "publishconf.py",
    "preview_path": "preview",
    "host": "127.0.0.1",
    "port": int(os.environ.get("PORCH_BLOG_PORT", "8000")),
    "publish_target": os.environ.get("PORCH_PUBLISH_TARGET", ""),
}
# The service's own commands, run with this Python (make run's venv, or the server's).
FLASK = f"{shlex.quote(sys.executable)} -m flask --app comments_service"


@cache
def blog():
    """pelicanconf.py as Pelican reads it, on first use: a service host without Pelican
    (the `service` extra alone) still runs `invoke serve`."""
    from pelican.settings import DEFAULT_CONFIG, get_settings_from_file

    return {**DEFAULT_CONFIG, **get_settings_from_file(CONFIG["settings_base"])}


@task
def clean(c):
    """Empty the output folder."""
    output = blog()["OUTPUT_PATH"]
    if os.path.isdir(output):
        shutil.rmtree(output)
        os.makedirs(output)


@task
def build(c):
    """Build the blog for local reading, with relative links."""
    pelican_run("-s {settings_base}".format(**CONFIG))


@task
def rebuild(c):
    """Build from scratch: empty the output folder first."""
    pelican_run("-d -s {settings_base}".format(**CONFIG))


@task
def regenerate(c):
    """Rebuild whenever a post, profile or template changes."""
    pelican_run("-r -s {settings_base}".format(**CONFIG))


@task
def serve(c):
    """Serve the comment service in production: migrate its database, then run gunicorn.

    gunicorn reads gunicorn.conf.py (bind, workers, threads... each from the
    environment: docs/deploy.md) and replaces this process, so signals reach it.
    """
    c.run(f"{FLASK} db upgrade")
    config = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gunicorn.conf.py")
    command = [sys.executable, "-m", "gunicorn", "--config", config, "comments_service.wsgi:app"]
    sys.stdout.flush()
    os.execv(sys.executable, command)


@task
def serve_blog(c):
    """Serve the built blog at http://127.0.0.1:8000/ (PORCH_BLOG_PORT changes the port)."""
    _serve(blog()["OUTPUT_PATH"])


def _serve(root: str) -> None:
    """Serve a built site as a web host would: 404 page, gzip, cache headers (dev_server.py)."""
    from porch_pelican.dev_server import serve

    serve(root, CONFIG["host"], CONFIG["port"])


@task
def reserve(c):
    """Build, then serve the blog."""
    build(c)
    serve_blog(c)


@task
def preview(c, serve=False):
    """Build the public version of the blog (publishconf.py) into preview/, to look at.

    Its pages link each other and the theme relatively, so preview/ opens from any local
    server (`invoke preview --serve`: http://127.0.0.1:8000/); its feeds and the comment
    service keep their public addresses.
    """
    pelican_run("-s {settings_publish} -o {preview_path} -e RELATIVE_URLS=true".format(**CONFIG))
    if serve:
        _serve(CONFIG["preview_path"])


@task
def livereload(c):
    """Serve the blog and reload the browser tab whenever a source file changes."""
    from livereload import Server

    def quick_build():
        pelican_run("-s {settings_base}".format(**CONFIG))

    quick_build()
    server = Server()
    content, theme = blog()["PATH"], blog()["THEME"]
    watched_globs = [
        CONFIG["settings_base"],
        f"{content}/**/*.md",
        f"{content}/images/**/*",
        f"{theme}/templates/**/*.html",
        f"{theme}/static/**/*.css",
        f"{theme}/static/**/*.js",
    ]
    for glob in watched_globs:
        server.watch(glob, quick_build)
    server.serve(host=CONFIG["host"], port=CONFIG["port"], root=blog()["OUTPUT_PATH"])


@task
def publish(c):
    """Build the public blog; copy it to PORCH_PUBLISH_TARGET with rsync when that is set."""
    pelican_run("-s {settings_publish}".format(**CONFIG))
    upload(c)


@task(help={"service": "Where this host reaches the service (default: PORCH_PUBLIC_URL)."})
def deploy(c, service=""):
    """Release the blog: bake in comments, build, load the posts, publish.

    Where the service's commands reach its database: the comments export, the public
    build (publishconf.py), `posts sync` (so new posts take comments), the upload.
    With PORCH_DEPLOY_TOKEN set, over HTTP instead: the build, the manifest sent to
    the service, one re-bake pass for the comments, the upload.
    """
    token = os.environ.get("PORCH_DEPLOY_TOKEN")
    if not token:
        c.run(f"{FLASK} comments export {shlex.quote(blog()['PORCH_COMMENTS_EXPORT'])}")
    pelican_run("-s {settings_publish}".format(**CONFIG))
    if token:
        deploy_over_http(service_url(service), token)
    else:
        load_posts(c)
    upload(c)


def deploy_over_http(service, token):
    """Load the posts and bake the comments in by asking the service, not its database."""
    from porch_pelican.remote import Service, ServiceError, keep_fresh

    with open(os.path.join(blog()["OUTPUT_PATH"], "porch-manifest.json"), encoding="utf-8") as file:
        manifest = json.load(file)
    try:
        report = Service(service).load_posts(manifest, token)
    except ServiceError as error:
        sys.exit(f"The service did not load the posts, and nothing was published: {error}")
    for warning in report["warnings"]:
        print(f"Warning: {warning}", file=sys.stderr)
    print(f"{len(report['created'])} new, {len(report['updated'])} updated posts.")
    keep_fresh(CONFIG["settings_publish"], service, passes=1)


@task
def autobuild(c):
    """Rebuild and load the posts whenever content/, theme/ or the settings change.

    So a saved post takes comments with no other step (`make run` runs this).
    """
    from watchfiles import watch

    refresh(c)
    watched = [blog()["PATH"], blog()["THEME"], CONFIG["settings_base"]]
    for changes in watch(*watched, debounce=300, raise_interrupt=False):
        names = ", ".join(sorted(os.path.relpath(path) for _, path in changes))
        print(f"Changed: {names}; rebuilding.", flush=True)
        refresh(c)


@task(
    help={
        "watch": "Keep watching the service (every 2 s) instead of one pass.",
        "public": "Re-bake the public build (publishconf.py) and publish what changed.",
        "service": "Where this host reaches the service (default: PORCH_PUBLIC_URL).",
    }
)
def rebake(c, watch=False, public=False, service=""):
    """Re-bake the article pages whose comments changed on the service."""
    from porch_pelican.remote import keep_fresh

    def report(versions):
        for slug, version in versions.items():
            print(f"Re-baked {slug} (comments version {version}).", flush=True)
        if public:
            upload(c)

    settings = CONFIG["settings_publish" if public else "settings_base"]
    keep_fresh(settings, service_url(service), passes=None if watch else 1, after_changes=report)


def service_url(given):
    """Where this host reaches the service: --service, else PORCH_PUBLIC_URL, normalised."""
    from porch_pelican.defaults import normalised_url

    url = given or blog()["PORCH_PUBLIC_URL"]
    if not url:
        sys.exit("Pass --service URL: where this host reaches the comment service.")
    try:
        return normalised_url("--service" if given else "PORCH_PUBLIC_URL", url)
    except ValueError as error:
        sys.exit(str(error))


def refresh(c):
    """One round of the writer's loop, in this order, so a page is never served before its
    post takes comments (porch_pelican/staging.py):

    1. the comments exported, to be baked into the pages;
    2. the blog built into a staging folder next to the output;
    3. the posts loaded into the service from the staged manifest;
    4. the staged files moved into the output (under the re-bake lock, manifest last).

    A build or a load that fails leaves the output as it was.
    """
    from porch_pelican.staging import empty, publish_staged, staging_folder

    output = blog()["OUTPUT_PATH"]
    staging = staging_folder(output)
    empty(staging)
    c.run(f"{FLASK} comments export {shlex.quote(blog()['PORCH_COMMENTS_EXPORT'])}", warn=True)
    python = shlex.quote(sys.executable)
    settings = CONFIG["settings_base"]
    built = c.run(f"{python} -m pelican -s {settings} -o {shlex.quote(staging)}", warn=True)
    if not built.ok or not load_posts(c, warn=True, output=staging).ok:
        print(f"Nothing new is served: {output}/ is as it was.", file=sys.stderr, flush=True)
        return
    publish_staged(staging, output)


def load_posts(c, warn=False, output=None):
    """Tell the service which posts the build (in ``output``, else the blog's output folder)
    has; it warns about authors with no account."""
    manifest = os.path.join(output or blog()["OUTPUT_PATH"], "porch-manifest.json")
    return c.run(f"{FLASK} posts sync {shlex.quote(manifest)}", warn=warn)


def upload(c):
    """Copy the built blog to PORCH_PUBLISH_TARGET with rsync, when that is set."""
    source = os.path.join(blog()["OUTPUT_PATH"], "")
    target = CONFIG["publish_target"]
    if not target:
        print(f"Public blog built in {os.path.abspath(source)}")
        print("Set PORCH_PUBLISH_TARGET (an rsync destination) to copy it to a server.")
        return
    # Leave out the re-baker's lock and temporary files (.porch-*).
    paths = f"{shlex.quote(source)} {shlex.quote(target)}"
    c.run(f"rsync --delete -pthrvz -c --exclude='.porch-*' {paths}")


# Each catalog: its extraction settings and its folder (docs/translating.md).
CATALOGS = {
    "blog": ("theme/babel.cfg", "theme/translations"),
    "service": ("comments_service/babel.cfg", "comments_service/translations"),
}


@task(
    help={
        "add": "A language to start a catalog for, as Pelican's DEFAULT_LANG names it (pt_BR).",
        "check": "Change nothing; fail if a catalog lacks a word or its compiled file is old.",
    }
)
def translations(c, add="", check=False):
    """Extract the words into each catalog's template, bring every language's catalog up to
    date with it, and compile them (messages.po -> messages.mo)."""
    from porch_pelican.catalogs import check_catalogs

    if check:
        problems = [
            problem for _, folder in CATALOGS.values() for problem in check_catalogs(folder)
        ]
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            sys.exit(1)
        return
    pybabel = f"{shlex.quote(sys.executable)} -m babel.messages.frontend"
    for config, folder in CATALOGS.values():
        template = f"{folder}/messages.pot"
        c.run(
            f"{pybabel} extract -F {config} -o {template} --no-location --sort-output"
            " --project=Porch --copyright-holder=Lanternworks -c Translators: -k lazy_gettext ."
        )
        if add and not os.path.exists(f"{folder}/{add}/LC_MESSAGES/messages.po"):
            c.run(f"{pybabel} init -i {template} -d {folder} -l {shlex.quote(add)}")
        c.run(f"{pybabel} update -i {template} -d {folder} --no-fuzzy-matching --ignore-obsolete")
        c.run(f"{pybabel} compile -d {folder} --statistics")


def pelican_run(cmd):
    """Run pelican in this process, passing on any arguments given after `--`."""
    from pelican import main as pelican_main

    cmd += " " + program.core.remainder
    pelican_main(shlex.split(cmd))
