"""The site's code imports only what requirements.in declares, and nothing of the test tools.

requirements.in is what `make serve` installs (through the hashed lock requirements.txt);
requirements-dev.in adds pytest, Playwright, locust and the rest for `make test` and `make bench`.
A module of the site that imports a package declared only for development, or one that merely
happens to be installed as another package's dependency (numpy came with matplotlib), would work
on a developer's machine and fail in production or after an upgrade.
"""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Code that runs only in tests, benchmarks and tooling.
NOT_SITE = {"tests", "bench", "scripts", ".venv", "migrations"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s\\]+)")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[_canonical(match[1])] = match[2]
    return pins


def _own_packages() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} | {"manage", "conftest", "gunicorn"}


def _site_modules():
    for path in ROOT.rglob("*.py"):
        parts = set(path.relative_to(ROOT).parts[:-1])
        if parts & NOT_SITE or path.name.startswith("test_") or path.name == "conftest.py":
            continue
        yield path


def _imported_top_level(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_every_package_the_site_imports_is_declared_for_the_site():
    declared = set(_declared(ROOT / "requirements.in"))
    distributions = packages_distributions()
    own = _own_packages()
    undeclared = {}
    for path in _site_modules():
        for name in _imported_top_level(path) - own - set(sys.stdlib_module_names):
            providers = {_canonical(d) for d in distributions.get(name, [])}
            if not providers & declared:
                undeclared.setdefault(name, []).append(str(path.relative_to(ROOT)))
    assert not undeclared, f"imported by the site but not in requirements.in: {undeclared}"


def test_development_tools_stay_out_of_the_site_requirements():
    runtime_lock = _declared(ROOT / "requirements.txt")
    tools = set(_declared(ROOT / "requirements-dev.in")) - set(_declared(ROOT / "requirements.in"))
    assert tools >= {"pytest", "playwright", "locust", "schemathesis", "ruff", "hypothesis", "factory-boy"}
    assert not tools & set(runtime_lock), "a development tool is in the site's lock file"


@pytest.mark.parametrize(
    "lock, source", [("requirements.txt", "requirements.in"), ("requirements-dev.txt", "requirements-dev.in")]
)
def test_lock_files_pin_every_package_with_hashes_and_agree_with_their_sources(lock, source):
    text = (ROOT / lock).read_text(encoding="utf-8")
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text)
    pinned = _declared(ROOT / lock)
    assert pinned
    for block in blocks:
        match = PIN.match(block.strip())
        if match:
            assert "--hash=sha256:" in block, f"{lock}: {match[1]} has no hash"
    for name, version in _declared(ROOT / source).items():
        assert pinned.get(name) == version, f"{lock} pins {name}=={pinned.get(name)}, {source} asks {version}"
    # Both files install together: a package pinned in both is pinned alike.
    runtime, development = _declared(ROOT / "requirements.txt"), _declared(ROOT / "requirements-dev.txt")
    assert {n: v for n, v in development.items() if n in runtime and runtime[n] != v} == {}
