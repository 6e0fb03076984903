"""A ledger handle keeps the SQL its figures compile to: an equal expression, rebuilt, is found
again; a different one (another date, filter or grouping) is compiled afresh and answers for
itself; a refreshed handle starts a new memo; a compile with parameters is never kept."""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from toolkit import Ledger, metrics
from toolkit.filters import Filters

D = dt.date


def test_an_equal_figure_is_compiled_once_and_gives_the_same_answer(sample_ledger):
    memo = sample_ledger.con._compile_memo
    first = metrics.rectification_rate(sample_ledger, as_of="2021-06-30", by="region")
    before = memo.cache_info()
    again = metrics.rectification_rate(sample_ledger, as_of="2021-06-30", by="region")
    after = memo.cache_info()
    pd.testing.assert_frame_equal(first, again)
    assert after.misses == before.misses
    assert after.hits > before.hits


def test_a_different_figure_is_compiled_afresh(sample_ledger):
    memo = sample_ledger.con._compile_memo
    by_region = metrics.rectification_rate(sample_ledger, as_of="2021-06-30", by="region")
    misses = memo.cache_info().misses
    one_region = by_region["region"].iloc[0]
    filtered = metrics.rectification_rate(
        sample_ledger, as_of="2021-06-30", by="region", filters=Filters(region=(one_region,))
    )
    assert memo.cache_info().misses > misses
    assert list(filtered["region"]) == [one_region]
    assert filtered["problems"].iloc[0] == by_region["problems"].iloc[0]
    earlier = metrics.rectification_rate(sample_ledger, as_of="2019-06-30", by="region")
    assert earlier["problems"].sum() < by_region["problems"].sum()


def test_a_refreshed_handle_compiles_on_a_new_connection(tiny_path):
    with Ledger.open(tiny_path) as ledger:
        old = ledger.con._compile_memo
        assert metrics.rectification_rate(ledger)["problems"].iloc[0] == 1
        with Ledger.write(tiny_path, by="测试") as tx:
            from tests.builders import tiny_problem

            tx.add(tiny_problem("P2"), at=D(2020, 6, 2))
        ledger.refresh()
        assert ledger.con._compile_memo is not old
        assert metrics.rectification_rate(ledger)["problems"].iloc[0] == 2


def test_a_compile_with_parameters_is_not_kept(tiny_path):
    with Ledger.open(tiny_path) as ledger:
        memo = ledger.con._compile_memo
        day = ibis.param("date")
        problems = ledger.table("problems")
        expr = problems.filter(problems.added_at <= day).count()
        kept = memo.cache_info().currsize
        assert ledger.con.execute(expr, params={day: D(2020, 6, 1)}) == 1
        assert ledger.con.execute(expr, params={day: D(2020, 5, 1)}) == 0
        assert memo.cache_info().currsize == kept


def test_the_memos_forget_the_least_recently_used():
    """A kernel lives for hours and an analyst may step through hundreds of dates: what a handle
    keeps is bounded (each kept figure pins an expression graph of about half a megabyte)."""
    from toolkit.sql_memo import KEPT, Recent

    recent = Recent(3)
    for key in "abc":
        recent[key] = key.upper()
    assert recent.get("a") == "A"  # used again: kept
    recent["d"] = "D"
    assert list(recent) == ["c", "a", "d"]
    assert recent.get("b") is None
    assert KEPT <= 64


def test_a_handle_keeps_a_bounded_number_of_past_dates(tiny_path):
    from toolkit.ledger import MEMO_SIZE

    with Ledger.open(tiny_path) as ledger:
        for offset in range(MEMO_SIZE * 2):
            ledger.as_of(D(2020, 6, 1) + dt.timedelta(days=offset)).table("problems")
        assert len(ledger._memo) <= MEMO_SIZE
        assert ledger.con._compile_memo.cache_info().maxsize <= 64
