"""Docs kept honest: every command and every metric the code has is in the README."""

from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.metrics import REGISTRY

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command):
    assert f"toolkit {command}" in README


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_every_metric_is_in_the_readme(name):
    assert f"`{name}`" in README


def test_the_two_commands_are_documented():
    assert "make app" in README and "make test" in README
