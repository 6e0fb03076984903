"""Metrics on small ledgers built in the tests: published figures, edge cases, as_of replay."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from tests import ledgers
from toolkit import Ledger
from toolkit.filters import Filters
from toolkit.metrics import (
    PRESETS,
    REGISTRY,
    WarningRule,
    assignments,
    case_conversion,
    clue_yield,
    coverage,
    on_time_rate,
    outcomes,
    overdue,
    overdue_summary,
    rectification_rate,
    recurrence,
)
from toolkit.metrics.overdue import resolve_rules
from toolkit.metrics.peers import flag_low, leave_one_out_median
from toolkit.metrics.scoreboard import band

D = dt.date


def open_ledger(builder, tmp_path):
    return Ledger.open(builder(tmp_path / "l.duckdb"))


# ---- published figures ------------------------------------------------------------------------


def test_longting_773_problems_698_rectified_is_90_3_percent(tmp_path):
    with Ledger.open(ledgers.published_rectification(tmp_path / "l.duckdb", 773, 698)) as ledger:
        row = rectification_rate(ledger, as_of=D(2020, 12, 31)).iloc[0]
    assert (row.problems, row.rectified) == (773, 698)
    assert round(row.rate * 100, 1) == 90.3


def test_kunming_688_of_697_with_9_basically_done_is_98_71_percent(tmp_path):
    path = ledgers.published_rectification(tmp_path / "l.duckdb", 697, 688, in_progress=9)
    with Ledger.open(path) as ledger:
        row = rectification_rate(ledger, as_of=D(2020, 12, 31)).iloc[0]
    assert (row.problems, row.rectified) == (697, 688)  # 基本完成 is not rectified
    assert round(row.rate * 100, 2) == 98.71


# ---- overdue warnings and as_of ------------------------------------------------------------------


def colours(ledger, day, rules="jiangjin"):
    df = overdue(ledger, as_of=day, rules=rules)
    return dict(zip(df["id"], df["colour"], strict=True))


def test_extension_moves_red_to_yellow_from_its_date_not_before(tmp_path):
    with open_ledger(ledgers.deadline_ledger, tmp_path) as ledger:
        assert colours(ledger, D(2020, 9, 15))["P1"] == "green"  # 15 days left
        assert colours(ledger, D(2020, 10, 9))["P1"] == "red"  # 9 days overdue, no extension yet
        assert colours(ledger, D(2020, 10, 10))["P1"] == "yellow"  # extended to 10-18: 8 days left
        before = overdue(ledger, as_of=D(2020, 10, 9)).set_index("id")
        after = overdue(ledger, as_of=D(2020, 10, 10)).set_index("id")
        assert before.loc["P1", "extensions"] == 0 and after.loc["P1", "extensions"] == 1
        assert str(after.loc["P1", "due"].date()) == "2020-10-18"
        assert "P1" not in colours(ledger, D(2020, 10, 15))  # rectified: no longer open


def test_immediate_is_due_at_feedback_and_ongoing_is_never_coloured(tmp_path):
    with open_ledger(ledgers.deadline_ledger, tmp_path) as ledger:
        df = overdue(ledger, as_of=D(2020, 6, 5)).set_index("id")
    assert df.loc["P2", "colour"] == "red" and df.loc["P2", "days_left"] == -4
    assert df.loc["P3", "colour"] == "none" and pd.isna(df.loc["P3", "days_left"])
    assert df.loc["P4", "colour"] == "none"  # 117 days left: above every threshold
    assert list(df.index[:1]) == ["P2"]  # most urgent first


def test_nanjing_red_and_escalated_after_ten_days_overdue(tmp_path):
    with open_ledger(ledgers.deadline_ledger, tmp_path) as ledger:
        nine = overdue(ledger, as_of=D(2020, 10, 9), rules="nanjing").set_index("id").loc["P4"]
        ten = overdue(ledger, as_of=D(2020, 10, 10), rules="nanjing").set_index("id").loc["P4"]
    assert (nine.colour, bool(nine.escalated)) == ("yellow", False)
    assert (ten.colour, bool(ten.escalated)) == ("red", True)


def test_rules_are_data_custom_table(tmp_path):
    rules = [WarningRule("red", 0, escalate=True), WarningRule("yellow", 30)]
    with open_ledger(ledgers.deadline_ledger, tmp_path) as ledger:
        assert colours(ledger, D(2020, 9, 15), rules)["P4"] == "yellow"
        assert colours(ledger, D(2020, 9, 30), rules)["P4"] == "red"  # due today, days_left 0
    assert resolve_rules("jiangjin")[0].colour == "red"
    assert set(PRESETS) == {"jiangjin", "nanjing"}
    with pytest.raises(ValueError, match="colour"):
        WarningRule("purple", 3)
    with pytest.raises(ValueError, match="preset"):
        resolve_rules("beijing")


def test_overdue_summary_counts_by_colour_on_three_dates(tmp_path):
    with open_ledger(ledgers.deadline_ledger, tmp_path) as ledger:
        s1 = overdue_summary(ledger, as_of=D(2020, 9, 15)).iloc[0]
        s2 = overdue_summary(ledger, as_of=D(2020, 10, 9)).iloc[0]
        s3 = overdue_summary(ledger, as_of=D(2020, 10, 10)).iloc[0]
    # P1, P4 green (15 days left); P2 red (立行立改, overdue); P3 none (长期坚持)
    assert (s1.open, s1.red, s1.yellow, s1.green, s1.none) == (4, 1, 0, 2, 1)
    assert (s2.red, s2.green, s2.extended) == (3, 0, 0)
    assert (s3.red, s3.yellow, s3.extended) == (2, 1, 1)
    assert s3.rate == pytest.approx(2 / 4)


def test_on_time_rate_on_three_dates(tmp_path):
    with open_ledger(ledgers.deadline_ledger, tmp_path) as ledger:
        before = on_time_rate(ledger, as_of=D(2020, 6, 1)).iloc[0]  # nothing due before 06-01
        mid = on_time_rate(ledger, as_of=D(2020, 10, 9)).iloc[0]
        late = on_time_rate(ledger, as_of=D(2020, 10, 20)).iloc[0]
    assert before.due_passed == 0 and np.isnan(before.rate)
    # P2 (immediate, due 06-01), P1 and P4 (due 09-30) have passed; none rectified; P3 never counts
    assert (mid.due_passed, mid.on_time, mid.not_rectified) == (3, 0, 3)
    # P1's due moved to 10-18 and it was done on 10-15: on time against the extended deadline
    assert (late.due_passed, late.on_time, late.late, late.not_rectified) == (3, 1, 0, 2)
    assert late.rate == pytest.approx(1 / 3)


# ---- clues ------------------------------------------------------------------------------------------


def test_clue_yield_per_inspected_unit(tmp_path):
    with open_ledger(ledgers.clue_ledger, tmp_path) as ledger:
        total = clue_yield(ledger, as_of=D(2020, 12, 31)).iloc[0]
        by_region = clue_yield(ledger, as_of=D(2020, 12, 31), by="region").set_index("region")
        before = clue_yield(ledger, as_of=D(2020, 4, 1)).iloc[0]
    assert (total.clues, total.units_inspected, total.clues_per_unit) == (3, 2, 1.5)
    assert by_region.loc["甲区", "clues"] == 2 and by_region.loc["乙区", "clues_per_unit"] == 1.0
    assert (before.clues, before.units_inspected) == (0, 2)


def test_case_conversion_and_outcomes_follow_the_events(tmp_path):
    with open_ledger(ledgers.clue_ledger, tmp_path) as ledger:
        july = case_conversion(ledger, as_of=D(2020, 7, 1)).iloc[0]
        august = case_conversion(ledger, as_of=D(2020, 8, 1)).iloc[0]
        sept = outcomes(ledger, as_of=D(2020, 9, 1)).iloc[0]
        octo = outcomes(ledger, as_of=D(2020, 10, 1), by="region").set_index("region")
        with pytest.raises(ValueError, match="category"):
            case_conversion(ledger, by="category")
    # July: C1 under 初步核实 is pending (it may still become a case), C2 谈话函询 is final
    assert (july.disposed, july.pending, july.cases, july.rate) == (1, 2, 0, 0.0)
    assert (august.disposed, august.pending, august.cases, august.rate) == (2, 1, 1, 0.5)
    assert (sept.cases, sept.decided, sept.sanctioned, sept.recovered_yuan) == (1, 0, 0, 0)
    assert octo.loc["甲区", ["sanctioned", "prosecuted", "recovered_yuan"]].tolist() == [2, 1, 50_000]
    assert octo.loc["乙区", "cases"] == 0


# ---- coverage, recurrence, assignments ------------------------------------------------------------


def test_coverage_counts_units_in_scope_in_the_term(tmp_path):
    with open_ledger(ledgers.coverage_ledger, tmp_path) as ledger:
        now = coverage(ledger, as_of=D(2020, 12, 31)).iloc[0]
        regions = coverage(ledger, as_of=D(2020, 12, 31), by="region").set_index("region")
        sixth = coverage(ledger, as_of=D(2020, 12, 31), filters=Filters(term="六届")).iloc[0]
        in_2019 = coverage(ledger, as_of=D(2019, 12, 31)).iloc[0]
    assert (now.term, now.units, now.inspected) == ("七届", 3, 1)  # U4 is out of scope
    assert regions.loc["甲区", ["units", "inspected"]].tolist() == [2, 1]
    assert regions.loc["乙区", "rate"] == 0.0
    assert (sixth.term, sixth.inspected) == ("六届", 1)
    assert (in_2019.term, in_2019.inspected) == ("六届", 1)


def test_recurrence_in_a_later_round(tmp_path):
    with open_ledger(ledgers.coverage_ledger, tmp_path) as ledger:
        before = recurrence(ledger, as_of=D(2020, 5, 31)).iloc[0]
        after = recurrence(ledger, as_of=D(2020, 12, 31)).iloc[0]
        cats = recurrence(ledger, as_of=D(2020, 12, 31), by="category").set_index("category")
    assert (before.rectified, before.recurred) == (2, 0)
    assert (after.rectified, after.recurred, after.rate) == (2, 1, 0.5)
    assert cats.loc["财务管理和资金使用", "recurred"] == 1


def test_assignments_reported_by_due_date(tmp_path):
    with open_ledger(ledgers.assignment_ledger, tmp_path) as ledger:
        row = assignments(ledger, as_of=D(2020, 8, 1)).iloc[0]
        early = assignments(ledger, as_of=D(2020, 6, 30)).iloc[0]
        regions = assignments(ledger, as_of=D(2020, 8, 1), by="region")
    assert (row.due, row.reported_on_time, row.reported_late, row.outstanding) == (3, 1, 1, 1)
    assert row.rate == pytest.approx(1 / 3)
    assert early.due == 0
    assert regions["region"].tolist() == ["甲区"]


# ---- peer comparison and scoreboard helpers ------------------------------------------------------


def test_leave_one_out_median_matches_numpy():
    rng = np.random.default_rng(1)
    for n in (2, 3, 4, 7, 12):
        values = rng.random(n).round(2)
        expected = [np.median(np.delete(values, i)) for i in range(n)]
        assert np.allclose(leave_one_out_median(values), expected)


def test_low_outlier_needs_a_robust_and_a_material_gap():
    values = pd.Series([0.90, 0.89, 0.91, 0.90, 0.88, 0.80, 0.875, np.nan])
    flags = flag_low(values, k=2.0, min_gap=0.05)
    assert flags["low_outlier"].tolist() == [False] * 5 + [True, False, False]
    assert flags.loc[5, "peer_median"] == pytest.approx(0.895)


def test_bands():
    assert band(pd.Series([99.0, 90.0, 80.0, 10.0, np.nan])).tolist() == [
        "blue",
        "green",
        "yellow",
        "red",
        None,
    ]


def test_every_metric_is_registered_with_a_definition():
    names = {
        "rectification-rate", "on-time-rate", "overdue", "clue-yield", "case-conversion", "outcomes",
        "coverage", "recurrence", "assignments", "peer-comparison", "scoreboard",
    }  # fmt: skip
    assert names <= set(REGISTRY)
    for metric in REGISTRY.values():
        assert metric.definition and metric.title_zh and metric.func.__doc__


def test_headline_on_an_empty_ledger_by_every_id_dimension(tmp_path):
    from toolkit import Ledger
    from toolkit.metrics import headline

    ledger = Ledger.create(tmp_path / "empty.duckdb")
    assert headline(ledger).iloc[0]["problems"] == 0
    for by in ("round", "unit", "region"):
        df = headline(ledger, by=by)
        assert df.empty and {"problems", "rate", by} <= set(df.columns)
