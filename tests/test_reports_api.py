"""The reports package itself: its report handle, its docs and its CLI stay honest."""

from __future__ import annotations

import datetime as dt
import importlib

from click.testing import CliRunner

from toolkit import metrics
from toolkit.cli import main
from toolkit.reports import CHECKS, quarterly, reconcile
from toolkit.reports.session import ReportLedger, for_report

DAY = dt.date(2020, 12, 31)


def temporary_tables(ledger) -> set[str]:
    rows = ledger.con.raw_sql("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()
    return {r[0] for r in rows}


def test_report_handle_gives_the_metrics_figures_and_leaves_no_tables_behind(sample_ledger):
    before = temporary_tables(sample_ledger)
    with for_report(sample_ledger) as handle:
        assert isinstance(handle, ReportLedger)
        for name in ("headline", "overdue-summary", "case-conversion", "coverage", "assignments"):
            fast = metrics.REGISTRY[name].func(handle, as_of=DAY, by="region")
            plain = metrics.REGISTRY[name].func(sample_ledger, as_of=DAY, by="region")
            assert fast.equals(plain), name
        assert any(t.startswith("_report_") for t in temporary_tables(sample_ledger))
    quarterly(sample_ledger, "2020Q4", fmt="xlsx")
    assert temporary_tables(sample_ledger) == before


def test_every_check_is_documented_in_the_module_docstring():
    module = importlib.import_module("toolkit.reports.reconcile")  # the package's name is the function

    for rule in CHECKS:
        assert f"``{rule.name}`` {rule.title_zh}" in module.__doc__


def test_report_help_lists_the_three_reports():
    result = CliRunner().invoke(main, ["report", "--help"])
    assert result.exit_code == 0
    assert all(name in result.output for name in ("quarterly", "portrait", "reconcile"))


def test_reconcile_returns_values_not_exceptions_on_the_sample(sample_ledger):
    assert reconcile(sample_ledger) == []
