"""Move a finished build into the served output folder, after its posts are loaded.

The writer's loop (`invoke autobuild`, tasks.py ``refresh``) builds into a staging
folder next to the output, loads the posts from the staging manifest into the comment
service, and only then moves the pages in here: a new post is never served before the
service takes comments on it.

The move holds the output's re-bake lock, so a re-bake running at the same time
cannot write a page read before the move over the new one. Each file is renamed into
place (a server sends the old or the new one, never half of either); assets go first,
then the pages that link them, then the posts manifest. The manifest last matters: a
re-baker notices a new build by its manifest and then reads the comments version of
every page again, so a page built from an export older than a re-bake it replaced is
brought up to date at its next pass.

Files the new build no longer writes stay in the output, as with a plain Pelican build.
"""

import os
import shutil

from .defaults import MANIFEST_FILENAME
from .rebake import output_lock


def staging_folder(output: str) -> str:
    """Where the build for ``output`` is staged: a hidden sibling, on the same file system
    so each move is a rename."""
    output = os.path.abspath(output)
    return os.path.join(os.path.dirname(output), f".{os.path.basename(output)}-staging")


def empty(folder: str) -> None:
    """Start a staged build from nothing, so no file of an unfinished round is moved later."""
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)


def publish_staged(staging: str, output: str) -> int:
    """Move every file of the staged build into ``output``; return how many moved."""
    os.makedirs(output, exist_ok=True)
    files = sorted(staged_files(staging), key=move_order)
    with output_lock(output):
        for name in files:
            target = os.path.join(output, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.replace(os.path.join(staging, name), target)
    return len(files)


def staged_files(staging: str):
    """Each file's path relative to the staging folder."""
    for folder, _, names in os.walk(staging):
        for name in names:
            yield os.path.relpath(os.path.join(folder, name), staging)


def move_order(name: str) -> tuple[int, str]:
    """Assets first, then pages, then the posts manifest."""
    if name == MANIFEST_FILENAME:
        return (2, name)
    return (1 if name.endswith(".html") else 0, name)
