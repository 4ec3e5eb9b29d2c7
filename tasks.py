"""Everyday commands for the Porch blog: `invoke --list` shows them all.

Extra arguments after a task are handed to pelican, for example
`invoke build -- -e 'DEFAULT_PAGINATION=10'`.
"""

import os
import shlex
import shutil
import sys

from invoke import task
from invoke.main import program
from pelican import main as pelican_main
from pelican.server import ComplexHTTPRequestHandler, RootedHTTPServer
from pelican.settings import DEFAULT_CONFIG, get_settings_from_file

SETTINGS_FILE_BASE = "pelicanconf.py"
SETTINGS = {**DEFAULT_CONFIG, **get_settings_from_file(SETTINGS_FILE_BASE)}

CONFIG = {
    "settings_base": SETTINGS_FILE_BASE,
    "settings_publish": "publishconf.py",
    "deploy_path": SETTINGS["OUTPUT_PATH"],
    "host": "127.0.0.1",
    "port": int(os.environ.get("PORCH_BLOG_PORT", "8000")),
    "publish_target": os.environ.get("PORCH_PUBLISH_TARGET", ""),
}


@task
def clean(c):
    """Empty the output folder."""
    if os.path.isdir(CONFIG["deploy_path"]):
        shutil.rmtree(CONFIG["deploy_path"])
        os.makedirs(CONFIG["deploy_path"])


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
    """Serve the built blog at http://127.0.0.1:8000/ (PORCH_BLOG_PORT changes the port)."""

    class AddressReuseTCPServer(RootedHTTPServer):
        allow_reuse_address = True

    server = AddressReuseTCPServer(
        CONFIG["deploy_path"],
        (CONFIG["host"], CONFIG["port"]),
        ComplexHTTPRequestHandler,
    )
    sys.stderr.write("Serving the blog at http://{host}:{port}/ ...\n".format(**CONFIG))
    server.serve_forever()


@task
def reserve(c):
    """Build, then serve."""
    build(c)
    serve(c)


@task
def preview(c):
    """Build the public version of the blog (publishconf.py) into the output folder."""
    pelican_run("-s {settings_publish}".format(**CONFIG))


@task
def livereload(c):
    """Serve the blog and reload the browser tab whenever a source file changes."""
    from livereload import Server

    def quick_build():
        pelican_run("-s {settings_base}".format(**CONFIG))

    quick_build()
    server = Server()
    content, theme = SETTINGS["PATH"], SETTINGS["THEME"]
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
    server.serve(host=CONFIG["host"], port=CONFIG["port"], root=CONFIG["deploy_path"])


@task
def publish(c):
    """Build the public blog; copy it to PORCH_PUBLISH_TARGET with rsync when that is set."""
    preview(c)
    source = CONFIG["deploy_path"].rstrip("/") + "/"
    target = CONFIG["publish_target"]
    if not target:
        print(f"Public blog built in {os.path.abspath(source)}")
        print("Set PORCH_PUBLISH_TARGET (an rsync destination) to copy it to a server.")
        return
    c.run(f"rsync --delete -pthrvz -c {shlex.quote(source)} {shlex.quote(target)}")


def pelican_run(cmd):
    """Run pelican in this process, passing on any arguments given after `--`."""
    cmd += " " + program.core.remainder
    pelican_main(shlex.split(cmd))
