"""``toolkit metrics``: a thin layer over the registry; output columns as the library gives them."""

from __future__ import annotations

import io
import json

import pandas as pd
from click.testing import CliRunner

from toolkit.cli import main
from toolkit.metrics import REGISTRY, catalogue, rectification_rate
from toolkit.sample import UNTIL


def run(*args):
    return CliRunner().invoke(main, ["metrics", *map(str, args)])


def test_list_names_every_registered_metric():
    result = run("--list")
    assert result.exit_code == 0
    for name, metric in REGISTRY.items():
        assert f"{name} " in result.output and metric.definition in result.output


def test_list_as_markdown_is_the_readme_table_and_as_json_the_registry():
    markdown = run("--list", "--format", "markdown")
    assert markdown.exit_code == 0
    assert markdown.output.rstrip("\n") == catalogue.markdown_table()
    rows = json.loads(run("--list", "--format", "json").output)
    by_name = {r["name"]: r for r in rows}
    assert set(by_name) == set(REGISTRY)
    assert by_name["recurrence"]["direction"] == "lower"
    assert by_name["clue-yield"]["dimensions"].split(",") == list(REGISTRY["clue-yield"].dimensions)
    wrong = run("outcomes", "--format", "markdown", "--ledger", "x.duckdb")
    assert wrong.exit_code == 2 and "--list" in wrong.output


def test_csv_matches_the_library_and_keeps_fractions(sample_path, sample_ledger):
    result = run(
        "rectification-rate", "--ledger", sample_path, "--as-of", UNTIL, "--by", "region", "--format", "csv"
    )
    assert result.exit_code == 0, result.output
    got = pd.read_csv(io.StringIO(result.output))
    expected = rectification_rate(sample_ledger, as_of=UNTIL, by="region")
    assert list(got.columns) == ["region", "problems", "rectified", "rate"]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_table_shows_percent_with_one_decimal(tmp_path, sample_path):
    result = run("rectification-rate", "--ledger", sample_path, "--as-of", UNTIL, "--region", "西山区")
    assert result.exit_code == 0
    assert "82.4%" in result.output


def test_json_with_filters_and_params(sample_path):
    result = run(
        "overdue", "--ledger", sample_path, "--as-of", UNTIL, "--format", "json", "--rules", "nanjing",
        "--region", "西山区", "--by", "round",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and {"round", "round_name", "id", "colour", "escalated", "extensions"} <= set(rows[0])
    assert {r["colour"] for r in rows} <= {"red", "yellow", "green", "none"}


def test_errors_are_messages_not_tracebacks(sample_path, tmp_path):
    assert run("no-such-metric", "--ledger", sample_path).exit_code == 2
    missing = run("outcomes", "--ledger", tmp_path / "missing.duckdb")
    assert missing.exit_code == 2 and "not found" in missing.output
    bad = run("clue-yield", "--ledger", sample_path, "--by", "category")
    assert bad.exit_code == 2 and "category" in bad.output and "Traceback" not in bad.output
