"""The lock files agree with pyproject.toml, so `make` (which installs a lock, then
Porch without dependencies) installs every pin: a pin changed without `make lock`
fails here rather than in a missing import."""

import re
import tomllib

import pytest
from packaging.requirements import Requirement

from .site_support import ROOT

# Each lock, and the extras it installs (docs/deploy.md, "What each host installs").
LOCKS = {
    "dev.lock": ("service", "blog", "postgresql", "redis", "dev"),
    "service.lock": ("service", "postgresql", "redis"),
    "blog.lock": ("blog",),
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.MULTILINE)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_in_pyproject(extras) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + [
        line for extra in extras for line in project["optional-dependencies"][extra]
    ]
    requirements = [Requirement(line) for line in wanted]
    return {
        canonical(req.name): str(req.specifier).removeprefix("==")
        for req in requirements
        if req.name != project["name"]  # dev names the other extras through Porch itself
    }


def locked(lock: str) -> str:
    return (ROOT / "requirements" / lock).read_text(encoding="utf-8")


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_each_lock_holds_every_pin_of_its_extras(lock, extras):
    pins = pinned_in_pyproject(extras)
    in_lock = {canonical(name): version for name, version in PIN.findall(locked(lock))}
    assert {name: in_lock.get(name) for name in pins} == pins


@pytest.mark.parametrize("lock", LOCKS)
def test_a_lock_names_no_index_no_local_path_and_hashes_every_pin(lock):
    """Installs use the index pip is configured with; --require-hashes wants a hash each."""
    text = locked(lock)
    assert not re.search(r"^\s*--(?!hash)", text, re.MULTILINE)
    assert "file:" not in text and " @ " not in text
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
    assert entries and all("--hash=sha256:" in entry for entry in entries)
