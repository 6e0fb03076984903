"""``toolkit --help`` speaks both languages: every command and every documented option says what it
does in Chinese and in English, and the top-level help lists the exit codes."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.cli_errors import EXIT_CODES

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3,}")


def commands(group=main, path=()):
    for name, command in group.commands.items():
        yield (*path, name), command
        if isinstance(command, click.Group):
            yield from commands(command, (*path, name))


@pytest.mark.parametrize("path", [p for p, _ in commands()], ids=" ".join)
def test_each_command_and_option_says_it_in_both_languages(path):
    command = dict(commands())[path]
    short = command.get_short_help_str(limit=200)
    assert CJK.search(short) and LATIN.search(short), (path, short)
    for option in command.params:
        if isinstance(option, click.Option) and option.help:
            assert CJK.search(option.help) and LATIN.search(option.help), (path, option.opts, option.help)
    shown = CliRunner().invoke(main, [*path, "--help"])
    assert shown.exit_code == 0 and CJK.search(shown.output)


def test_the_top_level_help_lists_every_exit_code():
    shown = CliRunner().invoke(main, ["--help"]).output
    assert "退出码 / exit codes" in shown
    for code in EXIT_CODES:
        assert re.search(rf"^\s*{code}\s", shown, re.M), code
