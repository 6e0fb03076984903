"""The command's error boundary: every failure is a sentence and a documented exit code."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.cli_errors import EXIT_CODES, SentenceGroup, explain, redact


def _group(exc: BaseException) -> click.Group:
    @click.group(cls=SentenceGroup)
    def cli() -> None:
        pass

    @cli.command()
    def boom() -> None:
        raise exc

    return cli


def test_unexpected_error_is_a_sentence_with_a_log_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XUNCHA_LOG_DIR", str(tmp_path))
    result = CliRunner().invoke(_group(RuntimeError("postgresql://a:hunter2@db/x broke")), ["boom"])
    assert result.exit_code == 3
    assert "Traceback" not in result.output and "内部错误" in result.output
    logs = list(tmp_path.glob("xuncha-error-*.log"))
    assert len(logs) == 1 and str(logs[0]) in result.output
    text = logs[0].read_text()
    assert "Traceback" in text and "hunter2" not in text and "a:***@db" in text


@pytest.mark.parametrize(
    ("exc", "code", "words"),
    [
        (ValueError("as_of: 2021-13-01"), 2, "2021-13-01"),
        (FileNotFoundError(2, "No such file", "x.xlsx"), 2, "x.xlsx"),
        (PermissionError(13, "denied", "/root/x"), 2, "/root/x"),
        (TimeoutError("writer holds the lock"), 2, "busy"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
)
def test_expected_failures_map_to_documented_codes(exc, code, words):
    result = CliRunner().invoke(_group(exc), ["boom"])
    assert result.exit_code == code and code in EXIT_CODES
    assert words in result.output and "Traceback" not in result.output


def test_passwords_never_reach_a_sentence():
    assert redact("postgresql://leader:s3cret@db.lan/xuncha") == "postgresql://leader:***@db.lan/xuncha"
    code, sentence = explain(ValueError("bad postgresql://u:pw@h/d"))
    assert code == 2 and "pw@" not in redact(sentence)


def test_not_a_ledger_file_is_refused_with_a_sentence(tmp_path):
    bogus = tmp_path / "notes.duckdb"
    bogus.write_text("这不是账本")
    result = CliRunner().invoke(main, ["metrics", "headline", "--ledger", str(bogus)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_help_lists_the_exit_codes():
    out = CliRunner().invoke(main, ["--help"]).output
    for code in EXIT_CODES:
        assert f"{code:>3}  " in out
