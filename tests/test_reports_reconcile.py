"""定期对账: one ledger per kind of mismatch (found, named, exit 1) and the clean sample (exit 0).

The ledger's own write path refuses these states, so each ledger is written correctly through
``Ledger.write`` and then altered the way a ledger really goes wrong: SQL on the stored rows
(``<entity>_added`` and ``changes``, the projections the current state is built from), the
current-state tables rebuilt and the file re-published through the store's own write session.
The event log itself is left alone, except in the hash-chain case, where altering it is the point.
"""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from tests.ledgers import assignment_ledger, clue_ledger, coverage_ledger
from toolkit import Ledger
from toolkit.cli import main
from toolkit.reports import CHECKS, reconcile
from toolkit.store import DuckDBStore


def tamper(path, *statements: str):
    """Run SQL on the master, rebuild the current tables, publish (what a hand edit leaves)."""
    with DuckDBStore(path).write_session() as session:
        for sql in statements:
            session.execute(sql)
        session.materialize_current()
    return path


def found(path) -> list:
    with Ledger.open(path) as ledger:
        return reconcile(ledger)


def case_before_transfer(tmp_path):
    return tamper(
        clue_ledger(tmp_path / "l.duckdb"),
        "UPDATE changes SET value = '2020-04-01' WHERE record_id = 'C1' AND field = 'case_opened_on'",
    )


def sanctions_without_case(tmp_path):
    return tamper(
        clue_ledger(tmp_path / "l.duckdb"),
        "INSERT INTO changes SELECT 'clue', 'C2', 'sanctioned', '1', DATE '2020-10-01', 999",
    )


def prosecuted_over_sanctioned(tmp_path):
    return tamper(
        clue_ledger(tmp_path / "l.duckdb"),
        "UPDATE changes SET value = '3' WHERE record_id = 'C1' AND field = 'prosecuted'",
    )


def closed_without_date(tmp_path):
    path = coverage_ledger(tmp_path / "l.duckdb")
    return tamper(
        path,
        "INSERT INTO changes SELECT 'problem', 'P1', 'status', 'closed', DATE '2019-10-01', 998",
        "INSERT INTO changes SELECT 'problem', 'P1', 'closed_on', '', DATE '2019-10-01', 999",
    )


def report_before_assignment(tmp_path):
    return tamper(
        assignment_ledger(tmp_path / "l.duckdb"),
        "UPDATE changes SET value = '2020-05-01' WHERE record_id = 'A1' AND field = 'reported_on'",
    )


def reported_without_date(tmp_path):
    return tamper(
        assignment_ledger(tmp_path / "l.duckdb"),
        "DELETE FROM changes WHERE record_id = 'A2' AND field = 'reported_on'",
    )


def dangling_unit(tmp_path):
    return tamper(clue_ledger(tmp_path / "l.duckdb"), "UPDATE clue_added SET unit_id = 'U9' WHERE id = 'C3'")


def problem_outside_round_units(tmp_path):
    """P3 moved to U2, a unit round R1 never inspected: the round total no longer sums over units."""
    return tamper(
        coverage_ledger(tmp_path / "l.duckdb"), "UPDATE problem_added SET unit_id = 'U2' WHERE id = 'P3'"
    )


def altered_event(tmp_path):
    return tamper(
        clue_ledger(tmp_path / "l.duckdb"),
        "UPDATE events SET why = '改过' WHERE record_id = 'C2' AND kind = 'added'",
    )


CASES = [
    (case_before_transfer, "case_date", "C1", "早于移交时间"),
    (sanctions_without_case, "sanctions", "C2", "不应有处分"),
    (prosecuted_over_sanctioned, "sanctions", "C1", "多于党纪政务处分"),
    (closed_without_date, "closed_out", "P1", "已销号"),
    (report_before_assignment, "assignment_report", "A1", "早于交办时间"),
    (reported_without_date, "assignment_report", "A2", "没有报告时间"),
    (dangling_unit, "references", "C3", "U9"),
    (problem_outside_round_units, "round_totals", "P3", "被巡察单位合计"),
    (altered_event, "hash_chain", "C2", "被改动"),
]


@pytest.mark.parametrize(("make", "check", "record", "words"), CASES, ids=[c[0].__name__ for c in CASES])
def test_each_kind_of_mismatch_is_found_and_named(tmp_path, make, check, record, words):
    path = make(tmp_path)
    mismatches = [m for m in found(path) if m.check == check]
    assert mismatches, f"{check} not found"
    assert any(record in m.records for m in mismatches)
    assert any(words in m.message_zh for m in mismatches)
    result = CliRunner().invoke(main, ["report", "reconcile", "--ledger", str(path)])
    assert result.exit_code == 1
    assert f"[{check}]" in result.output and record in result.output


def test_every_check_has_a_mismatch_ledger():
    assert {c.name for c in CHECKS} == {check for _, check, _, _ in CASES}


def test_the_untampered_ledgers_reconcile(tmp_path):
    for name, make in (("a", clue_ledger), ("c", assignment_ledger)):
        assert found(make(tmp_path / f"{name}.duckdb")) == []


def test_a_problem_in_a_unit_its_round_never_inspected_is_caught_untampered(tmp_path):
    """coverage_ledger (written for the coverage tests) records P1, P2 in round R0 for U1,
    which R0 did not inspect (it inspected U2): the round's total is not the sum of its units."""
    mismatches = found(coverage_ledger(tmp_path / "l.duckdb"))
    assert [(m.check, m.records) for m in mismatches] == [("round_totals", ("R0", "P1", "P2"))]


def test_clean_sample_exits_0_and_writes_an_empty_list(sample_path, tmp_path):
    out = tmp_path / "rec.xlsx"
    result = CliRunner().invoke(
        main, ["report", "reconcile", "--ledger", str(sample_path), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "对账一致" in result.output
    ws = openpyxl.load_workbook(out)["对账不符"]
    assert ws.max_row == 1 and ws["A1"].value == "检查项"


def test_mismatches_go_to_excel(tmp_path):
    path = case_before_transfer(tmp_path)
    out = tmp_path / "rec.xlsx"
    result = CliRunner().invoke(main, ["report", "reconcile", "--ledger", str(path), "--out", str(out)])
    assert result.exit_code == 1
    rows = list(openpyxl.load_workbook(out)["对账不符"].iter_rows(min_row=2, values_only=True))
    # the hand edit itself shows too: changes no longer agree with the event log
    assert [(r[1], r[3]) for r in rows] == [("case_date", "C1"), ("hash_chain", "C1、seq 11")]
    assert "早于移交时间" in rows[0][4]


def test_missing_ledger_exits_2(tmp_path):
    result = CliRunner().invoke(main, ["report", "reconcile", "--ledger", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 2
