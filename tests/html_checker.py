"""The Nu Html Checker (vnu.jar from npm, pinned in tests/tools/) over pages written to files.

`make test` installs it with scripts/install-test-tools.sh. A missing checker fails the
test that needs it, never skips it: a page nobody checked is not a valid page.
"""

import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

from .browser_support import ROOT

VNU_JAR = ROOT / "tests" / "tools" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
INSTALL = "scripts/install-test-tools.sh"


def html_errors(pages: dict[str, str], folder: Path) -> list[str]:
    """Every error the checker finds in these pages (name -> HTML), one line each as
    ``name.html:line: message``; all pages go to one run, as the JVM is slow to start."""
    files = []
    for name, html in pages.items():
        files.append(folder / f"{name}.html")
        files[-1].write_text(html, encoding="utf-8")
    return file_errors(files, folder)


def file_errors(files: list[Path], root: Path) -> list[str]:
    """Every error the checker finds in these files, in one run, one line each as
    ``path:line: message`` with the path relative to ``root``."""
    java = shutil.which("java")
    assert java, f"Java is missing: run {INSTALL}"
    assert VNU_JAR.is_file(), f"The HTML checker is missing: run {INSTALL}"
    assert files, "No pages to check"
    run = subprocess.run(
        [java, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        messages = json.loads(run.stderr)["messages"]
    except (ValueError, KeyError):
        messages = None
    assert messages is not None, f"vnu failed ({run.returncode}): {run.stderr[-2000:]}"
    assert run.returncode == 0 or messages, f"vnu failed ({run.returncode}): {run.stderr[-2000:]}"
    return [_line(message, root) for message in messages]


def _line(message: dict, root: Path) -> str:
    path = Path(unquote(urlparse(message.get("url", "?")).path))
    name = path.relative_to(root) if path.is_relative_to(root) else path
    return f"{name}:{message.get('lastLine', '?')}: {message['message']}"
