"""Property: on random small ledgers, every metric equals the independent oracle (tests/oracle.py).

A ledger is drawn as random valid events written through the ledger's own verbs: units and
rounds registered on random dates (often after the records that refer to them), inspections,
problems whose status moves back and forth, deadline extensions and corrections (before and
after rectification), close-outs, clue disposals (including 初步核实 and 暂存待查 that later
become cases), outcomes and assignment reports. Each metric, as a total and by region, on
random as-of dates (before the first event, in the middle, after the last), must equal what
the oracle computes from the raw events table.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import oracle
from toolkit import Assignment, Clue, Inspection, Ledger, Problem, Round, Unit
from toolkit.metrics import REGISTRY

START = dt.date(2019, 1, 1)
SPAN = 4 * 365  # days of history
REGIONS = ("甲区", "乙区", "丙区")
CATEGORIES = ("财务管理和资金使用", "选人用人和干部管理")


def day(n: int) -> dt.date:
    return START + dt.timedelta(days=n)


class Writer:
    """Draws one random valid ledger into ``path`` (every verb's rules respected by construction)."""

    def __init__(self, data, tx) -> None:
        self.draw = data.draw
        self.tx = tx
        self.rounds: list[Round] = []
        self.units: list[Unit] = []

    def after(self, at: dt.date, most: int = 90) -> dt.date:
        return at + dt.timedelta(days=self.draw(st.integers(0, most)))

    def reference(self) -> None:
        for n in range(self.draw(st.integers(1, 4))):
            unit = Unit(
                f"U{n}",
                f"单位{n}党组",
                self.draw(st.sampled_from(REGIONS)),
                "住建",
                "department",
                in_scope=self.draw(st.booleans() | st.just(True)),
            )
            self.tx.add(unit, at=day(self.draw(st.integers(0, SPAN))))  # registered whenever
            self.units.append(unit)
        for n in range(self.draw(st.integers(1, 3))):
            start = day(self.draw(st.integers(0, SPAN - 240)))
            end = self.after(start, 60)
            rnd = Round(
                f"R{n}",
                f"第{n + 1}轮巡察",
                "六届" if start.year < 2021 else "七届",
                n + 1,
                "regular",
                "city",
                "市本级",
                start,
                end,
                self.after(end, 30),
            )
            self.tx.add(rnd, at=day(self.draw(st.integers(0, SPAN))))  # registered whenever
            self.rounds.append(rnd)

    def inspections(self) -> None:
        n = 0
        for rnd in self.rounds:
            for unit in self.units:
                if self.draw(st.booleans()):
                    n += 1
                    self.tx.add(
                        Inspection(f"I{n}", rnd.id, unit.id, "第一巡察组"), at=self.after(rnd.start, 30)
                    )

    def problems(self) -> None:
        for n in range(self.draw(st.integers(0, 8))):
            rnd = self.draw(st.sampled_from(self.rounds))
            found = self.after(rnd.start, 60)
            kind = self.draw(st.sampled_from(("dated", "dated", "immediate", "ongoing")))
            due = {
                "dated": self.after(found, 120),
                "immediate": max(rnd.feedback_on, found),
                "ongoing": None,
            }[kind]
            problem = Problem(
                f"P{n}",
                rnd.id,
                self.draw(st.sampled_from(self.units)).id,
                self.draw(st.sampled_from(CATEGORIES)),
                "问题",
                found,
                due,
                kind,
            )
            at = self.after(found, 60)
            self.tx.add(problem, at=at)
            self.history(problem, at)

    def history(self, p: Problem, at: dt.date) -> None:
        status, rectified_on = "open", None
        for _ in range(self.draw(st.integers(0, 5))):
            at = self.after(at)
            dated = p.deadline.value != "ongoing"
            moves = ["extend", "correct"] if dated else []
            if status in ("rectified", "closed"):
                moves += (["extend"] if dated else []) + (
                    ["close", "reopen"] if status == "rectified" else []
                )
            else:
                moves += ["in_progress", "ongoing", "rectify", "rectify"]
            if not moves:
                return
            move = self.draw(st.sampled_from(moves))
            if move == "extend":  # after a rectification: often approved to cover it, too late
                since = rectified_on if status in ("rectified", "closed") else p.found_on
                self.tx.extend_deadline(p.id, self.after(since, 120), at=at, why="批准延期")
            elif move == "correct":
                self.tx.change(
                    "problem", p.id, "corrected", at=at, why="更正", due=self.after(p.found_on, 240)
                )
            elif move == "rectify":  # on the event's day or back-dated to the sheet's date
                back = self.draw(st.integers(0, (at - p.found_on).days) | st.just(0))
                rectified_on = at - dt.timedelta(days=back)
                self.tx.set_status(p.id, "rectified", at=at, rectified_on=rectified_on)
                status = "rectified"
            elif move == "close":
                self.tx.close_out(p.id, at=at)
                status = "closed"
            elif move == "reopen":
                self.tx.set_status(p.id, "in_progress", at=at)
                status = "in_progress"
            else:
                self.tx.set_status(p.id, move, at=at)
                status = move

    def clues(self) -> None:
        for n in range(self.draw(st.integers(0, 5))):
            rnd = self.draw(st.sampled_from(self.rounds))
            unit = self.draw(st.sampled_from(self.units))
            at = self.after(rnd.start, 90)
            self.tx.add(Clue(f"C{n}", rnd.id, unit.id, "线索", "王某甲", "科长", "巡察发现", at), at=at)
            disposal = None
            for _ in range(self.draw(st.integers(0, 3))):
                if disposal == "case":
                    break
                at = self.after(at)
                disposal = self.draw(st.sampled_from(("talk", "verify", "shelve", "close", "case")))
                if disposal == "case":
                    self.tx.change(
                        "clue",
                        f"C{n}",
                        "case_opened",
                        at=at,
                        disposal="case",
                        disposed_on=at,
                        case_opened_on=at,
                    )
                else:
                    self.tx.change("clue", f"C{n}", "clue_disposed", at=at, disposal=disposal, disposed_on=at)
            if disposal == "case" and self.draw(st.booleans()):
                self.tx.change(
                    "clue",
                    f"C{n}",
                    "outcome_recorded",
                    at=self.after(at),
                    sanctioned=self.draw(st.integers(0, 3)),
                    prosecuted=self.draw(st.integers(0, 1)),
                    recovered_yuan=self.draw(st.integers(0, 100_000)),
                )

    def assignments(self) -> None:
        for n in range(self.draw(st.integers(0, 3))):
            assigned = day(self.draw(st.integers(0, SPAN)))
            self.tx.add(
                Assignment(
                    f"A{n}", "督办", self.draw(st.sampled_from(REGIONS)), assigned, self.after(assigned, 60)
                ),
                at=assigned,
            )
            if self.draw(st.booleans()):
                reported = self.after(assigned)
                self.tx.change(
                    "assignment", f"A{n}", "assignment_reported", at=reported, reported_on=reported
                )


def same(got: pd.DataFrame, expected: pd.DataFrame, label: str) -> None:
    assert list(got.columns) == list(expected.columns), label
    assert len(got) == len(expected), f"{label}\n{got}\n{expected}"
    for column in expected.columns:
        a, b = got[column].to_numpy(), expected[column].to_numpy()
        if column in ("rate", "clues_per_unit"):
            assert np.allclose(a.astype(float), b.astype(float), equal_nan=True), (
                f"{label} {column}\n{got}\n{expected}"
            )
        else:
            assert [v if isinstance(v, str) else int(v) for v in a] == [
                v if isinstance(v, str) else int(v) for v in b
            ], f"{label} {column}\n{got}\n{expected}"


def as_of_days(data, events: pd.DataFrame) -> list[dt.date]:
    """A random day of the period, and one shortly after a random event (where things change)."""
    anywhere = data.draw(st.integers(-30, SPAN + 400).map(day))
    if events.empty:
        return [anywhere]
    moment = pd.Timestamp(data.draw(st.sampled_from(sorted(set(events["at"]))))).date()
    return sorted({anywhere, moment + dt.timedelta(days=data.draw(st.integers(0, 60)))})


@pytest.mark.slow
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_metric_equals_the_oracle_on_random_ledgers(data):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "l.duckdb"
        with Ledger.write(path, by="测试", create=True) as tx:
            writer = Writer(data, tx)
            writer.reference()
            writer.inspections()
            writer.problems()
            writer.clues()
            writer.assignments()
        with Ledger.open(path) as ledger:
            events = ledger.events()
            truth = oracle.Oracle(events)
            for as_of in as_of_days(data, events):
                for name in oracle.METRICS:
                    for by in (None, "region"):
                        got = REGISTRY[name].func(ledger, as_of=as_of, by=by)
                        same(got, oracle.compute(truth, name, as_of, by), f"{name} as_of={as_of} by={by}")


def test_the_oracle_reads_a_ledger_by_hand(tmp_path):
    """The oracle itself, on the hand-computed deadline ledger (tests/ledgers.py)."""
    from tests import ledgers

    with Ledger.open(ledgers.deadline_ledger(tmp_path / "l.duckdb")) as ledger:
        truth = oracle.Oracle(ledger.events())
    late = truth.on_time_rate(dt.date(2020, 10, 20)).iloc[0]
    assert (late.due_passed, late.on_time, late.late, late.not_rectified) == (3, 1, 0, 2)
    summary = truth.overdue_summary(dt.date(2020, 10, 10)).iloc[0]
    assert (summary.open, summary.red, summary.yellow, summary.extended) == (4, 2, 1, 1)
