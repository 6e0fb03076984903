"""Metrics on the sample ledger: the planted stories, regions adding up, the current-state shortcut
(the exact calibrated figures are in tests/test_calibration.py)."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.parity import PAST_DATES
from toolkit.metrics import REGISTRY, outcomes, peer_comparison, scoreboard
from toolkit.sample import UNTIL


def test_by_region_adds_up_to_the_total(sample_ledger):
    by_region = outcomes(sample_ledger, as_of=UNTIL, by="region")
    total = outcomes(sample_ledger, as_of=UNTIL).iloc[0]
    for column in ("clues", "cases", "sanctioned", "prosecuted", "recovered_yuan"):
        assert by_region[column].sum() == total[column]


def test_peer_comparison_finds_the_planted_laggards(sample_ledger):
    rect = peer_comparison(sample_ledger, as_of=UNTIL).set_index("region")
    clues = peer_comparison(sample_ledger, as_of=UNTIL, indicator="clue-yield").set_index("region")
    assert rect.index[rect.low_outlier].tolist() == ["西山区"]  # slow rectification (龙亭 story)
    assert clues.index[clues.low_outlier].tolist() == ["南塘区"]  # few clues (建邺 story)
    assert {"rectified", "problems", "value", "peer_median"} <= set(rect.columns)


def test_scoreboard_bands_and_weights(sample_ledger):
    board = scoreboard(sample_ledger, as_of=UNTIL)
    assert set(board["band"]) <= {"blue", "green", "yellow", "red"}
    assert board["score"].is_monotonic_decreasing
    assert board["region"].iloc[-1] in ("西山区", "南塘区")
    only = scoreboard(sample_ledger, as_of=UNTIL, weights={"rectification-rate": 1.0})
    assert only["score"].max() == pytest.approx(100.0)
    teams = scoreboard(sample_ledger, as_of=UNTIL, by="team")
    assert teams["indicators"].iloc[0] == "rectification-rate,on-time-rate"  # clues have no team


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_current_state_shortcut_equals_the_replay(sample_ledger, monkeypatch, name):
    import toolkit.metrics.base as base

    func = REGISTRY[name].func
    fast = func(sample_ledger, as_of=UNTIL, by="region")
    monkeypatch.setattr(base, "ALWAYS_REPLAY", True)
    replayed = func(sample_ledger, as_of=UNTIL, by="region")
    pd.testing.assert_frame_equal(fast, replayed, check_dtype=False)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_a_past_date_reading_unchanged_problems_as_they_stand_equals_the_replay(
    sample_ledger, monkeypatch, name
):
    import toolkit.metrics.base as base

    func = REGISTRY[name].func
    for day in PAST_DATES:
        fast = func(sample_ledger, as_of=day, by="region")
        monkeypatch.setattr(base, "ALWAYS_REPLAY", True)
        replayed = func(sample_ledger, as_of=day, by="region")
        monkeypatch.setattr(base, "ALWAYS_REPLAY", False)
        pd.testing.assert_frame_equal(fast, replayed, obj=f"{name} on {day}")


def test_a_lower_is_better_indicator_ranks_the_worst_region_last(sample_ledger):
    board = scoreboard(sample_ledger, as_of=UNTIL, weights={"recurrence": 1.0, "overdue-summary": 1.0})
    worst_red_share = board.loc[board["overdue-summary"].idxmax(), "region"]
    assert board["region"].iloc[-1] == worst_red_share == "西山区"  # stuck items turn red there
    assert board.loc[board["recurrence"].idxmin(), "recurrence_points"] == pytest.approx(100.0)
    assert board["band"].iloc[-1] == "red"


@pytest.mark.parametrize("by", [None, "region", "team", "round"])
def test_rectification_and_on_time_from_one_pass_equal_each_metric(sample_ledger, by):
    from toolkit.metrics import on_time_rate, rectification_rate
    from toolkit.metrics.ontime import with_rectification

    for day in (*PAST_DATES, UNTIL):
        rect, on_time = with_rectification(sample_ledger, as_of=day, by=by)
        pd.testing.assert_frame_equal(rect, rectification_rate(sample_ledger, as_of=day, by=by))
        pd.testing.assert_frame_equal(on_time, on_time_rate(sample_ledger, as_of=day, by=by))


@pytest.mark.parametrize("table", ["problems", "clues", "inspections"])
def test_records_read_without_replay_are_the_replayed_records(sample_ledger, table):
    from toolkit.filters import scoped
    from toolkit.metrics.base import view_on

    for day in PAST_DATES:
        view = view_on(sample_ledger, day)
        fixed = scoped(view, table, fixed=True)
        replayed = scoped(view, table).select(*fixed.columns)
        order = ["id"]
        got = fixed.execute().sort_values(order, ignore_index=True)
        want = replayed.execute().sort_values(order, ignore_index=True)
        assert len(got) > 0
        pd.testing.assert_frame_equal(got, want, obj=f"{table} on {day}")


def test_execute_gives_the_frame_ibis_gives(sample_ledger):
    from toolkit.metrics.base import execute
    from toolkit.metrics.overdue import _open_items, resolve_rules

    for day in (*PAST_DATES, UNTIL):
        items = _open_items(sample_ledger, day, None, resolve_rules("jiangjin")).order_by("id")
        want = items.execute()
        assert want["due"].isna().any() and want["days_left"].isna().any()  # the NULL columns
        pd.testing.assert_frame_equal(execute(items), want)
