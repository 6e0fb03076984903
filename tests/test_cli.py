"""The `toolkit` command: each subcommand is the library call underneath, with clear exits."""

from click.testing import CliRunner

from toolkit.cli import main


def test_sample_then_verify(tmp_path):
    out = tmp_path / "l.duckdb"
    runner = CliRunner()
    built = runner.invoke(main, ["sample", "--out", str(out)])
    assert built.exit_code == 0, built.output
    assert "10,782" in built.output  # problems at the default scale
    again = runner.invoke(main, ["sample", "--out", str(out)])
    assert again.exit_code == 2 and "exists" in again.output
    verified = runner.invoke(main, ["verify", "--ledger", str(out)])
    assert verified.exit_code == 0 and "hash chain intact" in verified.output


def test_verify_missing_ledger_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["verify", "--ledger", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2 and "not found" in result.output


def test_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    for command in ("sample", "verify"):
        assert command in result.output
