"""Metrics on the sample ledger: 衢州's published totals, the planted stories, speed."""

from __future__ import annotations

import pandas as pd
import pytest

from toolkit.filters import DIMENSIONS, Filters
from toolkit.metrics import REGISTRY, clue_yield, outcomes, peer_comparison, rectification_rate, scoreboard
from toolkit.sample import UNTIL


def test_quzhou_totals_through_the_metrics(sample_ledger):
    units = clue_yield(sample_ledger, as_of=UNTIL).iloc[0]
    problems = rectification_rate(sample_ledger, as_of=UNTIL).iloc[0]
    totals = outcomes(sample_ledger, as_of=UNTIL).iloc[0]
    assert units.units_inspected == 802
    assert problems.problems == 10_782
    assert totals.clues == units.clues == 514
    assert (totals.sanctioned, totals.prosecuted) == (163, 10)
    assert totals.recovered_yuan == 38_420_000  # 3,842万元


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
def test_every_metric_takes_every_dimension_or_says_why(sample_ledger, name):
    func = REGISTRY[name].func
    filters = Filters(region="西山区")
    for dim in DIMENSIONS:
        try:
            df = func(sample_ledger, as_of=UNTIL, by=dim, filters=filters)
        except ValueError as err:
            assert dim in str(err)
            continue
        assert dim in df.columns


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_current_state_shortcut_equals_the_replay(sample_ledger, monkeypatch, name):
    import toolkit.metrics.base as base

    func = REGISTRY[name].func
    fast = func(sample_ledger, as_of=UNTIL, by="region")
    monkeypatch.setattr(base, "ALWAYS_REPLAY", True)
    replayed = func(sample_ledger, as_of=UNTIL, by="region")
    pd.testing.assert_frame_equal(fast, replayed, check_dtype=False)
