"""The sample ledger: deterministic, calibrated to 衢州, and as varied as a real city's."""

import hashlib

import duckdb
import pytest

from toolkit import RoundKind, UnitKind
from toolkit.sample import TARGETS, build_sample
from toolkit.store import table_columns


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


def test_default_scale_is_within_ten_percent_of_quzhou(sample_ledger):
    con = sample_ledger.con
    got = {
        "units_inspected": con.table("inspections").unit_id.nunique().execute(),
        "problems": con.table("problems").count().execute(),
        "clues": con.table("clues").count().execute(),
        "sanctioned": con.table("clues").sanctioned.sum().execute(),
        "prosecuted": con.table("clues").prosecuted.sum().execute(),
        "recovered_yuan": con.table("clues").recovered_yuan.sum().execute(),
    }
    for key, target in TARGETS.items():
        assert abs(int(got[key]) - target) <= 0.10 * target, (key, got[key], target)


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
