"""Calibration: the sample ledger reproduces 衢州's published totals exactly, and the figures an
office would sign on it (today and on a past date) are pinned with their numerators and
denominators. The sample is also deterministic and as varied as a real city's.

Where a figure comes from:
* seed 003 (浙江 衢州, 《完善市县巡察联动机制》): 802 党组织 inspected, 10,782 problems, 514 clues,
  163 persons sanctioned, 10 referred to prosecution, 3,842万元 recovered; the sample is
  calibrated to these (``toolkit.sample.TARGETS``);
* every rate below is the sample's own (衢州 publishes no rates): pinned so that a change to the
  metrics or the generator that moves a signed figure is seen and explained.
"""

import hashlib

import duckdb
import pytest

from toolkit import RoundKind, UnitKind, labels
from toolkit.metrics import REGISTRY, clue_yield, headline, outcomes
from toolkit.sample import TARGETS, UNTIL, build_sample
from toolkit.store import table_columns

QUZHOU = "seed 003 (衢州)"
SAMPLE = "the sample's own"


def content_digest(path) -> dict[str, str]:
    """A digest of every stored table's rows (in a stable order), file layout aside."""
    con = duckdb.connect(str(path), read_only=True)
    out = {}
    tables = list(table_columns()) + ["units", "rounds", "inspections", "problems", "clues", "assignments"]
    for table in tables:
        rows = con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        out[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    con.close()
    return out


def test_same_seed_same_content_other_seed_other_content(tmp_path, sample_path):
    again = tmp_path / "again.duckdb"
    other = tmp_path / "other.duckdb"
    build_sample(again, seed=2021)
    build_sample(other, seed=7)
    assert content_digest(again) == content_digest(sample_path)
    assert content_digest(other)["problem_added"] != content_digest(sample_path)["problem_added"]


def test_quzhou_totals_exactly_in_the_tables(sample_ledger):
    """Counted straight from the current-state tables, without the metrics (seed 003)."""
    con = sample_ledger.con
    got = {
        "units_inspected": con.table("inspections").unit_id.nunique().execute(),
        "problems": con.table("problems").count().execute(),
        "clues": con.table("clues").count().execute(),
        "sanctioned": con.table("clues").sanctioned.sum().execute(),
        "prosecuted": con.table("clues").prosecuted.sum().execute(),
        "recovered_yuan": con.table("clues").recovered_yuan.sum().execute(),
    }
    assert {k: int(v) for k, v in got.items()} == TARGETS
    assert TARGETS == {
        "units_inspected": 802,
        "problems": 10_782,
        "clues": 514,
        "sanctioned": 163,
        "prosecuted": 10,
        "recovered_yuan": 38_420_000,  # 3,842万元
    }


def test_quzhou_totals_exactly_through_the_metrics(sample_ledger):
    head = headline(sample_ledger, as_of=UNTIL).iloc[0]
    units = clue_yield(sample_ledger, as_of=UNTIL).iloc[0]
    totals = outcomes(sample_ledger, as_of=UNTIL).iloc[0]
    assert (head.units, units.units_inspected) == (802, 802)
    assert head.problems == 10_782
    assert (head.clues, units.clues, totals.clues) == (514, 514, 514)
    assert (totals.sanctioned, totals.prosecuted) == (163, 10)
    assert totals.recovered_yuan == 38_420_000
    assert labels.yuan(totals.recovered_yuan) == "3,842万元"


PAST = "2022-06-30"  # a past date: the figures come from the replay, not the current tables

SIGNED_FIGURES = [
    # metric, as-of, numerator column, denominator column, numerator, denominator, shown, source
    ("rectification-rate", UNTIL, "rectified", "problems", 9_548, 10_782, "88.6%", SAMPLE),
    ("on-time-rate", UNTIL, "on_time", "due_passed", 7_937, 9_873, "80.4%", SAMPLE),
    ("case-conversion", UNTIL, "cases", "disposed", 147, 398, "36.9%", SAMPLE),
    ("clue-yield", UNTIL, "clues", "units_inspected", 514, 802, "0.64", QUZHOU),
    ("coverage", UNTIL, "inspected", "units", 688, 862, "79.8%", SAMPLE),
    ("overdue-summary", UNTIL, "red", "open", 365, 1_234, "29.6%", SAMPLE),
    ("recurrence", UNTIL, "recurred", "rectified", 2_589, 9_548, "27.1%", SAMPLE),
    ("assignments", UNTIL, "reported_on_time", "due", 47, 62, "75.8%", SAMPLE),
    ("rectification-rate", PAST, "rectified", "problems", 5_138, 6_302, "81.5%", SAMPLE),
    ("on-time-rate", PAST, "on_time", "due_passed", 4_300, 5_323, "80.8%", SAMPLE),
    ("case-conversion", PAST, "cases", "disposed", 77, 211, "36.5%", SAMPLE),
    ("coverage", PAST, "inspected", "units", 81, 862, "9.4%", SAMPLE),
]


@pytest.mark.parametrize(
    ("name", "as_of", "num", "den", "numerator", "denominator", "shown", "source"),
    SIGNED_FIGURES,
    ids=[f"{f[0]}@{f[1]}" for f in SIGNED_FIGURES],
)
def test_signed_figures_exactly(sample_ledger, name, as_of, num, den, numerator, denominator, shown, source):
    metric = REGISTRY[name]
    assert (metric.numerator, metric.denominator) == (num, den)
    row = metric.func(sample_ledger, as_of=as_of).iloc[0]
    assert (int(row[num]), int(row[den])) == (numerator, denominator), source
    assert row[metric.value] == pytest.approx(numerator / denominator)
    value = row[metric.value]
    assert (labels.percent(value) if metric.value == "rate" else f"{value:.2f}") == shown


def test_the_city_is_varied(sample_ledger):
    units = sample_ledger.table("units").execute()
    rounds = sample_ledger.table("rounds").execute()
    problems = sample_ledger.table("problems").execute()
    assert units["region"].nunique() == 12  # 11 counties/districts + 市本级
    assert {"人防", "住建"} <= set(units["sector"])
    assert {k.value for k in UnitKind} == set(units["unit_kind"])
    assert {k.value for k in RoundKind} == set(rounds["round_kind"])
    assert set(rounds["term"]) == {"六届", "七届"}
    assert rounds["name"].str.fullmatch(r"(六届|七届)\S+?委第[一二三四五六七八九十]+轮巡察(（.+）)?").all()
    assert "七届市委第八轮巡察（延伸巡察）" in set(rounds["name"])
    mix = problems["status"].value_counts(normalize=True)
    assert set(mix.index) == {"open", "in_progress", "rectified", "closed", "ongoing"}
    assert 0.80 < mix[["rectified", "closed"]].sum() < 0.95
    assert set(problems["deadline"]) == {"dated", "immediate", "ongoing"}


def test_history_has_extensions_lookbacks_and_recurrences(sample_ledger):
    events = sample_ledger.table("events")
    kinds = set(events.kind.execute())
    assert {
        "deadline_extended",
        "closed_out",
        "case_opened",
        "outcome_recorded",
        "assignment_reported",
    } <= kinds
    problems = sample_ledger.table("problems").execute()
    rounds = sample_ledger.table("rounds").execute().set_index("id")
    problems["start"] = problems["round_id"].map(rounds["start"])
    first = problems.sort_values("start").groupby(["unit_id", "category"])["round_id"].nunique()
    assert (first > 1).sum() > 100  # same category back in the same unit in a later round


def test_person_names_are_obviously_fake(sample_ledger):
    subjects = sample_ledger.table("clues").subject.execute()
    assert subjects.str.fullmatch(r"[\u4e00-\u9fff]某[甲乙丙丁戊己庚辛壬癸]").all()


def test_refuses_to_overwrite_without_force(sample_path):
    with pytest.raises(FileExistsError):
        build_sample(sample_path)
