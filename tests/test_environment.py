"""environment.yml (conda users) names the same packages, with the same bounds, as pyproject.toml
(its dependencies and the `lab` extra)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
# conda-forge names that differ from the PyPI name
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def _split(requirement: str) -> tuple[str, str]:
    """'ibis-framework[duckdb]>=10,<13  # why' -> ('ibis-framework', '>=10,<13')."""
    requirement = requirement.split("#")[0].strip()
    m = re.match(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)", requirement)
    return m.group(1).lower(), m.group(3).replace(" ", "")


def _pyproject() -> dict[str, set[str]]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = project["dependencies"] + project["optional-dependencies"]["lab"]
    out: dict[str, set[str]] = {}
    for dep in deps:
        name, spec = _split(dep)
        out.setdefault(name, set()).add(spec)
    return out


def _environment() -> dict[str, set[str]]:
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    out: dict[str, set[str]] = {}
    for item in env["dependencies"]:
        entries = item["pip"] if isinstance(item, dict) else [item]
        for entry in entries:
            if entry.startswith("-e") or entry in ("pip",) or entry.startswith("python>"):
                continue
            name, spec = _split(entry)
            out.setdefault(CONDA_TO_PYPI.get(name, name), set()).add(spec)
    return out


def test_environment_lists_every_dependency_with_its_bounds():
    assert _environment() == _pyproject()


def test_environment_installs_the_toolkit_itself_and_the_right_python():
    env = yaml.safe_load((REPO / "environment.yml").read_text())
    pip = next(item["pip"] for item in env["dependencies"] if isinstance(item, dict))
    assert "-e ." in pip
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert f"python{requires}" in env["dependencies"]
