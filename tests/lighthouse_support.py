"""Lighthouse (npm, pinned in tests/tools/) auditing pages in Debian's Chromium.

`make test` installs it with scripts/install-test-tools.sh. A missing tool fails the test
that needs it, never skips it. Chromium runs without the calls home it makes by default
(the machines have no internet). Lighthouse's default simulated throttling computes the
performance figures from the page's own requests and the main thread's tasks as this
machine ran them, so one run's Total Blocking Time moves by tens of milliseconds from run
to run: ``median_audit`` runs it RUNS times and keeps the run with the median performance
score, as Lighthouse's own guidance on variability advises.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

from .browser_support import CHROMIUM, ROOT

LIGHTHOUSE = ROOT / "tests" / "tools" / "node_modules" / "lighthouse" / "cli" / "index.js"
INSTALL = "scripts/install-test-tools.sh"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
RUNS = 3
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-background-networking"
    " --disable-component-update --disable-sync --no-first-run"
)


def audit(url: str, preset: str, report: Path) -> dict:
    """Lighthouse's report on one page, with the ``mobile`` or ``desktop`` preset; the JSON
    report is also left in ``report``, for a person to read when a score falls."""
    node = shutil.which("node")
    assert node, f"Node.js is missing: run {INSTALL}"
    assert LIGHTHOUSE.is_file(), f"Lighthouse is missing: run {INSTALL}"
    assert Path(CHROMIUM).is_file(), "Chromium is missing: run scripts/install-browser.sh"
    command = [node, str(LIGHTHOUSE), url, "--quiet", "--output=json"]
    command += [f"--output-path={report}", f"--chrome-flags={CHROME_FLAGS}"]
    command += [f"--only-categories={','.join(CATEGORIES)}"]
    if preset == "desktop":  # mobile is Lighthouse's default, and has no --preset of its own
        command.append("--preset=desktop")
    run = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )
    assert run.returncode == 0, f"Lighthouse failed ({run.returncode}): {run.stderr[-3000:]}"
    result = json.loads(report.read_text(encoding="utf-8"))
    assert not result.get("runtimeError"), result["runtimeError"]
    return result


def median_audit(url: str, preset: str, report: Path) -> dict:
    """The run of RUNS audits of one page with the median performance score; each run's
    JSON report is left beside ``report`` (``report``'s name with the run's number)."""
    runs = [
        audit(url, preset, report.with_name(f"{report.stem}-{run}{report.suffix}"))
        for run in range(1, RUNS + 1)
    ]
    runs.sort(key=lambda result: scores(result)["performance"] or 0)
    return runs[len(runs) // 2]


def scores(result: dict) -> dict[str, int]:
    """Each category's score out of 100, as Lighthouse shows it (None for an error)."""
    categories = result["categories"]
    return {
        name: None if categories[name]["score"] is None else round(categories[name]["score"] * 100)
        for name in CATEGORIES
    }


def failed_audits(result: dict) -> list[str]:
    """Every audit that counts towards a category's score and did not pass, one line each:
    ``category: audit id (score): title — what it measured``."""
    lines = []
    for name in CATEGORIES:
        for ref in result["categories"][name]["auditRefs"]:
            found = result["audits"][ref["id"]]
            if ref["weight"] and found["score"] is not None and found["score"] < 1:
                shown = found.get("displayValue") or _first_items(found)
                lines.append(f"{name}: {ref['id']} ({found['score']}): {found['title']} — {shown}")
    return lines


def _first_items(found: dict) -> str:
    items = (found.get("details") or {}).get("items") or []
    return json.dumps(items[:3])[:600]
