"""What the figures mean on past dates and at the edges, each on a tiny ledger with the answer
worked out by hand (the ledgers are described in tests/ledgers.py)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from tests import ledgers
from toolkit import Ledger
from toolkit.cli import main
from toolkit.metrics import (
    REGISTRY,
    assignments,
    case_conversion,
    clue_yield,
    coverage,
    headline,
    on_time_rate,
    peer_comparison,
    rectification_rate,
    register,
    scoreboard,
)
from toolkit.metrics.peers import flag_low
from toolkit.metrics.scoreboard import points

D = dt.date


@pytest.fixture
def late_registration(tmp_path):
    with Ledger.open(ledgers.late_registration_ledger(tmp_path / "l.duckdb")) as ledger:
        yield ledger


@pytest.fixture
def three_regions(tmp_path):
    with Ledger.open(ledgers.three_region_ledger(tmp_path / "l.duckdb")) as ledger:
        yield ledger


# ---- records keep their unit and round on past dates -------------------------------------------


def test_a_record_keeps_a_unit_registered_after_it(late_registration):
    day = D(2022, 12, 31)
    replayed = late_registration.as_of(day).table("problems").execute()
    assert replayed["id"].tolist() == ["P1"]  # the replay holds P1 ...
    total = rectification_rate(late_registration, as_of=day).iloc[0]
    assert (total.problems, total.rectified) == (1, 0)  # ... and so does the metric
    regions = rectification_rate(late_registration, as_of=day, by="region")
    assert regions[["region", "problems"]].values.tolist() == [["甲区", 1]]
    rounds = rectification_rate(late_registration, as_of=day, by="round")
    assert rounds[["round", "round_name"]].values.tolist() == [["R1", "七届市委第一轮巡察"]]
    head = headline(late_registration, as_of=day).iloc[0]
    assert (head.units, head.rounds, head.problems, head.clues) == (1, 1, 1, 1)
    yield_ = clue_yield(late_registration, as_of=day).iloc[0]
    assert (yield_.clues, yield_.units_inspected) == (1, 1)
    late = on_time_rate(late_registration, as_of=day).iloc[0]
    assert (late.due_passed, late.not_rectified) == (1, 1)
    matters = assignments(late_registration, as_of=day, by="unit_kind")
    assert matters[["unit_kind", "due", "reported_on_time"]].values.tolist() == [["department", 1, 1]]
    everything = rectification_rate(late_registration, as_of=D(2024, 12, 31)).iloc[0]
    assert everything.problems == 2


def test_coverage_counts_the_whole_unit_register_on_past_dates(late_registration):
    """U2 was registered in 2024 and never inspected: on 2022-12-31 it is a unit in scope not
    yet inspected; U1 (registered 2024 too) was inspected in 2022."""
    total = coverage(late_registration, as_of=D(2022, 12, 31)).iloc[0]
    assert (total.term, total.units, total.inspected, total.rate) == ("七届", 2, 1, 0.5)
    regions = coverage(late_registration, as_of=D(2022, 12, 31), by="region").set_index("region")
    assert regions.loc["甲区", ["units", "inspected"]].tolist() == [1, 1]
    assert regions.loc["乙区", ["units", "inspected"]].tolist() == [1, 0]
    before = coverage(late_registration, as_of=D(2022, 2, 1)).iloc[0]  # no round started yet
    assert (before.units, before.inspected) == (2, 0)


# ---- 按期: the deadline in force on the rectification date --------------------------------------


def test_an_extension_approved_after_a_late_rectification_does_not_make_it_on_time(tmp_path):
    with Ledger.open(ledgers.late_extension_ledger(tmp_path / "l.duckdb")) as ledger:
        after = on_time_rate(ledger, as_of=D(2021, 1, 31)).iloc[0]
        before = on_time_rate(ledger, as_of=D(2020, 10, 16)).iloc[0]
        dues = ledger.table("problems").execute().set_index("id")["due"]
    assert pd.Timestamp(dues["P1"]).date() == D(
        2020, 12, 31
    )  # the current due date moved past the rectification
    # P3 was on time against its extension; P1, P2 and P4 were late against the deadline in force
    assert (after.due_passed, after.on_time, after.late, after.not_rectified) == (4, 1, 3, 0)
    assert after.rate == pytest.approx(0.25)
    # on 10-16: P1 (due 09-30), P2 (due 10-10) and P4 (due 09-20) late; P3 not yet rectified
    # and its extended deadline (10-31) not yet passed
    assert (before.due_passed, before.on_time, before.late) == (3, 0, 3)


# ---- 成案率: 初步核实 and 暂存待查 are pending ----------------------------------------------------


def test_verify_and_shelve_are_pending_for_case_conversion(tmp_path):
    with Ledger.open(ledgers.disposal_ledger(tmp_path / "l.duckdb")) as ledger:
        june = case_conversion(ledger, as_of=D(2020, 6, 30)).iloc[0]
        sept = case_conversion(ledger, as_of=D(2020, 9, 30)).iloc[0]
    # final: C1 谈话函询, C4 予以了结, C5 立案; pending: C2 初步核实, C3 暂存待查, C6 none
    assert (june.clues, june.disposed, june.pending, june.cases) == (6, 3, 3, 1)
    assert june.rate == pytest.approx(1 / 3)
    # C2's verification became a case; C3 moved on to 初步核实 and is still pending
    assert (sept.disposed, sept.pending, sept.cases) == (4, 2, 2)
    assert sept.rate == pytest.approx(0.5)


# ---- peer comparison: min_gap is a difference in the indicator's unit ----------------------------


def test_a_rate_is_flagged_only_more_than_five_points_below_its_peers():
    peers = [0.50, 0.50, 0.51, 0.49, 0.50, 0.50]
    # 0.47 is 3 points below 0.50 (6 % relative): robustly low, but not 5 points
    assert not flag_low(pd.Series([*peers, 0.47]), k=2.0, min_gap=0.05)["low_outlier"].iloc[-1]
    # 0.44 is 6 points below
    assert flag_low(pd.Series([*peers, 0.44]), k=2.0, min_gap=0.05)["low_outlier"].iloc[-1]


def test_clue_yield_gap_is_in_clues_per_unit():
    peers = [2.00, 2.01, 1.99, 2.00, 2.00]
    # 1.92 clues per unit is 0.08 below the peers' 2.00: more than 0.05, though only 4 % relative
    flags = flag_low(pd.Series([*peers, 1.92]), k=2.0, min_gap=0.05)
    assert flags["peer_median"].iloc[-1] == pytest.approx(2.0)
    assert flags["low_outlier"].iloc[-1]
    assert not flag_low(pd.Series([*peers, 1.96]), k=2.0, min_gap=0.05)["low_outlier"].iloc[-1]


def test_peer_comparison_rejects_what_is_not_an_indicator(three_regions):
    for bad in ("overdue", "scoreboard", "peer-comparison", "no-such-metric"):
        with pytest.raises(ValueError, match="indicator"):
            peer_comparison(three_regions, as_of=D(2020, 12, 31), indicator=bad)
    with pytest.raises(ValueError, match="min_gap"):
        peer_comparison(three_regions, as_of=D(2020, 12, 31), min_gap=-0.05)


# ---- scoreboard: directions and invalid input --------------------------------------------------


def test_lower_is_better_indicators_score_on_the_complement(three_regions):
    """Red shares on 2020-12-31: 甲区 2/2, 乙区 1/2, 丙区 2/3; 整改率: 0/2, 1/3, 1/4."""
    day = D(2020, 12, 31)
    red = scoreboard(three_regions, as_of=day, weights={"overdue-summary": 1.0}).set_index("region")
    assert red["overdue-summary"].tolist() == pytest.approx([0.5, 2 / 3, 1.0])  # 乙, 丙, 甲
    assert red["score"].tolist() == pytest.approx([100.0, 100 * (1 / 3) / 0.5, 0.0])
    assert red["band"].tolist() == ["blue", "red", "red"]  # the worst district is not blue
    both = scoreboard(three_regions, as_of=day, weights={"rectification-rate": 1, "overdue-summary": 1})
    assert both["region"].tolist() == ["乙区", "丙区", "甲区"]
    assert both["score"].tolist() == pytest.approx([100.0, (75.0 + 200 / 3) / 2, 0.0])
    assert both["rectification-rate_points"].tolist() == pytest.approx([100.0, 75.0, 0.0])


def test_points_in_each_direction():
    values = pd.Series([0.2, 0.5, np.nan])
    assert points(values, "higher").tolist()[:2] == pytest.approx([40.0, 100.0])
    assert points(values, "lower").tolist()[:2] == pytest.approx([100.0, 62.5])
    assert points(pd.Series([1.0, 1.0]), "lower").isna().all()  # nobody has anything to score


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"as_of": "2020-13-45"}, "as_of"),
        ({"as_of": "yesterday"}, "as_of"),
        ({"weights": {"no-such-metric": 1.0}}, "no-such-metric"),
        ({"weights": {"overdue": 1.0}}, "overdue"),
        ({"weights": {"rectification-rate": -0.3, "on-time-rate": 1.0}}, "negative"),
        ({"weights": {"rectification-rate": 0.0, "on-time-rate": 0}}, "all weights are zero"),
        ({"weights": {}}, "weights"),
        ({"weights": {"rectification-rate": float("nan")}}, "number"),
        ({"by": "district"}, "district"),
        ({"by": ["region", "team"]}, "one dimension"),
        ({"bands": (("blue", "high"),)}, "bands"),
    ],
)
def test_scoreboard_says_what_is_wrong(three_regions, kwargs, word):
    with pytest.raises(ValueError, match=word):
        scoreboard(three_regions, **kwargs)


def test_scoreboard_leaves_out_an_indicator_without_the_dimension(three_regions):
    teams = scoreboard(three_regions, as_of=D(2020, 12, 31), by="team")
    assert teams["indicators"].iloc[0] == "rectification-rate,on-time-rate"
    with pytest.raises(ValueError, match="no scoreboard indicator can be grouped by 'team'"):
        scoreboard(three_regions, as_of=D(2020, 12, 31), by="team", weights={"clue-yield": 1.0})


def test_the_command_reports_a_bad_date_as_a_sentence(tmp_path):
    path = ledgers.three_region_ledger(tmp_path / "l.duckdb")
    result = CliRunner().invoke(
        main, ["metrics", "scoreboard", "--ledger", str(path), "--as-of", "2020-02-30"]
    )
    assert result.exit_code == 2
    assert "as_of" in result.output and "Traceback" not in result.output


# ---- the registry: one definition per metric -----------------------------------------------------


def test_every_metric_groups_by_exactly_its_declared_dimensions(three_regions):
    """The scoreboard and the peer comparison group by whatever their indicators can (above)."""
    from toolkit.filters import DIMENSIONS

    for name, metric in REGISTRY.items():
        if name in ("scoreboard", "peer-comparison"):
            assert metric.dimensions == DIMENSIONS
            continue
        accepted = []
        for dim in DIMENSIONS:
            try:
                metric.func(three_regions, as_of=D(2020, 12, 31), by=dim)
            except ValueError as err:
                assert dim in str(err), (name, dim, err)
                continue
            accepted.append(dim)
        assert tuple(accepted) == metric.dimensions, name


def test_directions_are_declared_and_lower_is_better_only_for_rates():
    rankable = {n for n, m in REGISTRY.items() if m.rankable}
    assert {"rectification-rate", "on-time-rate", "case-conversion", "clue-yield", "recurrence"} <= rankable
    assert {"overdue", "peer-comparison", "scoreboard"}.isdisjoint(rankable)
    lower = {n for n, m in REGISTRY.items() if m.direction == "lower"}
    assert lower == {"recurrence", "overdue-summary"}
    assert all(REGISTRY[n].value == "rate" for n in lower)
    with pytest.raises(ValueError, match="direction"):
        register("x", "x", "x", "x", value="clues_per_unit", direction="lower")
    with pytest.raises(ValueError, match="direction"):
        register("x", "x", "x", "x", direction="sideways")
    assert "x" not in REGISTRY


def test_listings_and_the_quarterly_report_keep_a_unit_registered_later(late_registration):
    from toolkit import listings
    from toolkit.filters import Filters
    from toolkit.reports.quarterly import cases_opened, work

    day = D(2022, 12, 31)
    rounds = listings.rounds(late_registration, as_of=day)
    assert rounds[["round", "problems"]].values.tolist() == [["R1", 1]]
    units = listings.round_units(late_registration, "R1", as_of=day)
    assert units[["unit", "region", "problems"]].values.tolist() == [["U1", "甲区", 1]]
    quarter = work(late_registration, "2022Q2", Filters(), Filters())
    this = quarter.set_index("key")["this"]  # R1's feedback, its unit and P1 (found 2022-04-01)
    assert (this["rounds"], this["units"], this["found"], this["clues"]) == (1, 1, 1, 1)
    opened = cases_opened(late_registration, D(2022, 1, 1), day, Filters(), show_names=False)
    assert opened.empty  # C1 never became a case: nothing invented either
