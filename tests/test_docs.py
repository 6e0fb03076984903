"""Docs kept honest: every command and every metric the code has is in the README."""

from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.metrics import REGISTRY
from toolkit.metrics.catalogue import MARKDOWN_HEADER, markdown_table

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command):
    assert f"toolkit {command}" in README


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_metric_is_in_the_readme(name):
    assert f"`{name}`" in README


def readme_metric_table() -> str:
    """The table in the README's "Indicators (metrics)" section: its lines starting with ``|``."""
    section = README.split("## Indicators (metrics)\n", 1)[1].split("\n## ", 1)[0]
    lines = section.splitlines()
    start = lines.index(MARKDOWN_HEADER[0])
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    return "\n".join(table)


def test_the_readme_metric_table_is_the_registry_rendering():
    """Edit the definitions in toolkit/metrics/, then paste `toolkit metrics --list --format markdown`."""
    assert readme_metric_table() == markdown_table()
    assert len(readme_metric_table().splitlines()) == len(REGISTRY) + 2


def test_the_two_commands_are_documented():
    assert "make app" in README and "make test" in README
