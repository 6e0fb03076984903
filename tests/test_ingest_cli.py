import json

import pytest
from click.testing import CliRunner

from tests.ingest_workbooks import ROUND, problem_rows, simple_ledger
from toolkit.cli import main
from toolkit.ingest import examples


@pytest.fixture
def runner():
    return CliRunner()


def test_all_accepted_exits_0(runner, tmp_path):
    f = simple_ledger(tmp_path / "a.xlsx")
    result = runner.invoke(main, ["import", str(f), "--ledger", str(tmp_path / "l.duckdb"), "--round", ROUND])
    assert result.exit_code == 0, result.output
    assert "接收 accepted 3" in result.output


def test_some_rejected_exits_1_and_writes_rejects(runner, tmp_path):
    f = examples.county_ledger(tmp_path / "c.xlsx")
    rej = tmp_path / "rej.xlsx"
    args = [
        "import",
        str(f),
        "--ledger",
        str(tmp_path / "l.duckdb"),
        "--rejects",
        str(rej),
        "--format",
        "json",
    ]
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert (out["accepted"], out["rejected"], out["duplicates"]) == (8, 3, 0)
    assert out["files"][0]["data_rows"] == 11 and rej.exists()
    assert {e["row"] for e in out["errors"]} == {13, 14, 15}


def test_duplicates_only_exits_0(runner, tmp_path):
    f = simple_ledger(tmp_path / "a.xlsx", problem_rows(2))
    args = ["import", str(f), "--ledger", str(tmp_path / "l.duckdb"), "--round", ROUND, "--json"]
    runner.invoke(main, args)
    result = runner.invoke(main, args)
    assert result.exit_code == 0
    assert json.loads(result.stdout)["duplicates"] == 2


def test_unreadable_exits_2_with_one_line(runner, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"garbage")
    result = runner.invoke(main, ["import", str(bad), "--ledger", str(tmp_path / "l.duckdb")])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "bad.xlsx" in result.stderr
    assert not (tmp_path / "l.duckdb").exists()


def test_dry_run(runner, tmp_path):
    f = simple_ledger(tmp_path / "a.xlsx")
    result = runner.invoke(
        main, ["import", str(f), "--ledger", str(tmp_path / "l.duckdb"), "--round", ROUND, "--dry-run"]
    )
    assert result.exit_code == 0 and "dry run" in result.output
    assert not (tmp_path / "l.duckdb").exists()


def test_help_documents_the_exit_codes(runner):
    out = runner.invoke(main, ["import", "--help"]).output
    codes = {line.split()[0] for line in out.splitlines() if line.strip()[:2] in ("0 ", "1 ", "2 ")}
    assert codes == {"0", "1", "2"}, out
    assert "every row accepted" in out and "some rows rejected" in out and "not imported" in out


def test_nothing_rejected_writes_no_rejects_and_says_so(runner, tmp_path):
    f = simple_ledger(tmp_path / "a.xlsx")
    rej = tmp_path / "r.xlsx"
    args = ["import", str(f), "--ledger", str(tmp_path / "l.duckdb"), "--round", ROUND, "--rejects", str(rej)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0 and "nothing rejected" in result.output and not rej.exists()
