"""Accessibility checks with axe-core, injected into the page by the test run only.

The site never loads axe: `axe-playwright-python` carries its own copy of axe-core
and evaluates it in the page under test.
"""

from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from .browser_support import ROOT

BLOCKING_IMPACTS = frozenset({"serious", "critical"})
ARTIFACTS = ROOT / "test-artifacts"

_axe = Axe()


def blocking_violations(page: Page) -> list[str]:
    """Serious and critical violations on the page as it is now, one line each."""
    response = _axe.run(page).response
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} "
        f"at {[node['target'] for node in violation['nodes']][:5]}"
        for violation in response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def assert_accessible(page: Page) -> None:
    violations = blocking_violations(page)
    assert not violations, "axe-core found:\n" + "\n".join(violations)


def keep_screenshot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/ and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=path, full_page=True)
    return path
