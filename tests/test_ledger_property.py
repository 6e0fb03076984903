"""Property: however writers are killed and restarted, the ledger ends intact and its
current-state tables are exactly the replay of its event log.

Hypothesis draws small ledgers as runs of writes of random events (records added, statuses,
extensions, close-outs, clue disposals, outcomes, reports; the ledger refuses some, as it
would refuse an analyst). Each write runs in its own process, and some are killed with
SIGKILL at a random step of the write or the publish; some are followed by a reader opening
the ledger. At the end ``verify`` must pass, a write killed before its commit must have left
no event, and every current-state table must equal a replay of the ``events`` table written
here in pandas (independent of ``toolkit.replay``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import multiprocessing as mp
import os
import signal

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit import Ledger, LedgerMissing, models
from toolkit.store import CRASH_ENV, CRASH_STEPS

D = dt.date
BASE = D(2020, 6, 1)

units = st.tuples(st.just("unit"), st.integers(0, 2))
rounds = st.tuples(st.just("round"), st.integers(0, 1))
problems = st.tuples(st.just("problem"), st.integers(0, 5), st.integers(0, 2), st.integers(0, 1))
statuses = st.tuples(
    st.just("status"),
    st.integers(0, 5),
    st.sampled_from(["in_progress", "rectified", "open"]),
    st.integers(0, 300),
)
extensions = st.tuples(st.just("extend"), st.integers(0, 5), st.integers(0, 300))
closes = st.tuples(st.just("close"), st.integers(0, 5), st.integers(0, 300))
clues = st.tuples(st.just("clue"), st.integers(0, 2), st.integers(0, 2), st.integers(0, 1))
disposals = st.tuples(
    st.just("dispose"), st.integers(0, 2), st.sampled_from(["verify", "talk"]), st.integers(0, 300)
)
outcomes = st.tuples(st.just("outcome"), st.integers(0, 2), st.integers(0, 3), st.integers(0, 300))
assignments = st.tuples(st.just("assignment"), st.integers(0, 1))
reports = st.tuples(st.just("report"), st.integers(0, 1), st.integers(0, 300))
operations = st.one_of(
    units, rounds, problems, statuses, extensions, closes, clues, disposals, outcomes, assignments, reports
)
writes = st.lists(
    st.tuples(
        st.lists(operations, min_size=1, max_size=12),
        st.sampled_from([None, None, *CRASH_STEPS]),  # where the writer is killed, if at all
        st.booleans(),  # a reader opens the ledger afterwards
    ),
    min_size=1,
    max_size=4,
)


def apply(tx, op) -> None:
    """One operation, through the ledger's own verbs; the ledger may refuse it (ValueError)."""
    from tests.builders import tiny_problem, tiny_round, tiny_unit

    kind, n, *rest = op
    day = BASE + dt.timedelta(days=rest[-1]) if rest else None
    if kind == "unit":
        tx.add(tiny_unit(f"U{n}", name=f"单位{n}"), at=D(2020, 1, 1))
    elif kind == "round":
        tx.add(tiny_round(id=f"R{n}", number=n + 1), at=D(2020, 2, 20))
    elif kind == "problem":
        tx.add(tiny_problem(f"P{n}", unit_id=f"U{rest[0]}", round_id=f"R{rest[1]}"), at=BASE)
    elif kind == "status":
        tx.set_status(f"P{n}", rest[0], at=day)
    elif kind == "extend":
        tx.extend_deadline(f"P{n}", day + dt.timedelta(days=30), at=day, why="批准延期")
    elif kind == "close":
        tx.close_out(f"P{n}", at=day, why="验收合格")
    elif kind == "clue":
        tx.add(
            models.Clue(f"C{n}", f"R{rest[1]}", f"U{rest[0]}", "反映问题", "王某甲", "科长", "巡察发现", BASE)
        )
    elif kind == "dispose":
        tx.change("clue", f"C{n}", "clue_disposed", at=day, disposal=rest[0], disposed_on=day)
    elif kind == "outcome":
        tx.change("clue", f"C{n}", "outcome_recorded", at=day, sanctioned=rest[0], prosecuted=0)
    elif kind == "assignment":
        tx.add(models.Assignment(f"A{n}", "督促整改", "市本级", BASE, BASE + dt.timedelta(days=30)), at=BASE)
    elif kind == "report":
        tx.change("assignment", f"A{n}", "assignment_reported", at=day, reported_on=day)


def write(path: str, ops: list, step: str | None) -> None:
    """The writer process: one transaction of ``ops``, killed at ``step`` if one is given."""
    if step:
        os.environ[CRASH_ENV] = step
    with Ledger.write(path, by="测试", create=True) as tx:
        for op in ops:
            with contextlib.suppress(ValueError):  # refused by the ledger's rules, as in real life
                apply(tx, op)


@pytest.fixture(scope="module")
def context():
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["toolkit.ledger", "toolkit.verify", "tests.builders"])
    return ctx


def event_count(path) -> int | None:
    """Events a reader sees (None: no ledger yet, its first write killed before committing)."""
    try:
        with Ledger.open(path) as ledger:  # a reader that repairs what a kill left
            return ledger.counts()["events"]
    except LedgerMissing:
        return None


def replay(events: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The state each record reached: its first form, then each later field value by seq."""
    fields = [
        (row.entity, row.record_id, name, value, row.seq, row.at)
        for row in events.itertuples(index=False)
        for name, value in json.loads(row.payload).items()
    ]
    frame = pd.DataFrame(fields, columns=["entity", "record_id", "field", "value", "seq", "at"])
    latest = frame.sort_values("seq").groupby(["entity", "record_id", "field"], as_index=False).last()
    added = events[events.kind == "added"].set_index(["entity", "record_id"])["at"]
    out = {}
    for entity, group in latest.groupby("entity"):
        wide = group.pivot(index="record_id", columns="field", values="value")
        wide["added_at"] = [normal(added[(entity, rid)]) for rid in wide.index]
        out[entity + "s"] = wide.sort_index()
    return out


def normal(value):
    """One spelling for a value from JSON or from the database: dates ISO, no NaN."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp | dt.date):
        return value.strftime("%Y-%m-%d")
    if hasattr(value, "item"):
        return value.item()
    return value


@pytest.mark.slow
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(runs=writes)
def test_killed_and_restarted_writers_leave_an_intact_replayable_ledger(context, tmp_path_factory, runs):
    path = str(tmp_path_factory.mktemp("prop") / "l.duckdb")
    for ops, step, reader_after in runs:
        before = event_count(path) if step == "before-commit" else None
        proc = context.Process(target=write, args=(path, ops, step))
        proc.start()
        proc.join(120)
        # a write with nothing to commit never reaches the steps after its commit
        assert proc.exitcode in ((0, -signal.SIGKILL) if step else (0,))
        if before is not None:
            assert event_count(path) == before  # killed before its commit: nothing of it stored
        if reader_after:
            event_count(path)
    if event_count(path) is None:
        assert not os.path.exists(path)  # nothing committed yet: no half-made ledger file either
        return
    with Ledger.open(path) as ledger:
        result = ledger.verify()
        assert result.ok, [str(f) for f in result.findings]
        expected = replay(ledger.events())
        for table in ("units", "rounds", "problems", "clues", "assignments"):
            stored = ledger.table(table).execute().set_index("id").sort_index()
            want = expected.get(table)
            if want is None:
                assert stored.empty
                continue
            assert list(stored.index) == list(want.index), table
            for column in want.columns.drop("id"):
                got = [normal(v) for v in stored[column]]
                assert got == [normal(v) for v in want[column]], (table, column)
