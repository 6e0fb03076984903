"""Small ledgers for the metric tests, written through the ledger's own verbs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tests.builders import tiny_problem, tiny_round, tiny_unit
from toolkit import Ledger
from toolkit.models import Assignment, Clue, Inspection

D = dt.date


def published_rectification(path: Path, problems: int, rectified: int, in_progress: int = 0) -> Path:
    """One round with ``problems`` problems: ``rectified`` of them rectified, ``in_progress``
    only 基本完成 (in progress), the rest open (龙亭区, 昆明 reports)."""
    with Ledger.write(path, by="测试", create=True) as tx:
        tx.add(tiny_unit(), at=D(2020, 1, 1))
        tx.add(tiny_round(), at=D(2020, 2, 20))
        for n in range(problems):
            tx.add(tiny_problem(f"P{n:04d}"), at=D(2020, 6, 1))
        for n in range(rectified):
            tx.set_status(f"P{n:04d}", "rectified", at=D(2020, 9, 1))
        for n in range(rectified, rectified + in_progress):
            tx.set_status(f"P{n:04d}", "in_progress", at=D(2020, 9, 1))
    return path


def deadline_ledger(path: Path) -> Path:
    """P1 due 2020-09-30, extended on 2020-10-10 to 2020-10-18, rectified 2020-10-15;
    P2 立行立改 (due at feedback, 2020-06-01), open; P3 长期坚持 (no due date), open;
    P4 due 2020-09-30, never extended, open."""
    with Ledger.write(path, by="测试", create=True) as tx:
        tx.add(tiny_unit(), at=D(2020, 1, 1))
        tx.add(tiny_round(), at=D(2020, 2, 20))
        tx.add(tiny_problem("P1"), at=D(2020, 6, 1))
        tx.add(tiny_problem("P2", deadline="immediate", due=D(2020, 6, 1)), at=D(2020, 6, 1))
        tx.add(tiny_problem("P3", deadline="ongoing", due=None), at=D(2020, 6, 1))
        tx.add(tiny_problem("P4"), at=D(2020, 6, 1))
        tx.extend_deadline("P1", D(2020, 10, 18), at=D(2020, 10, 10), why="领导小组批准延期")
        tx.set_status("P1", "rectified", at=D(2020, 10, 15))
    return path


def clue_ledger(path: Path) -> Path:
    """Two regions (A: U1, B: U2), one round inspecting both; clues C1 (U1: verified, case
    opened 2020-08-01, outcome 2020-10-01), C2 (U1: 谈话函询), C3 (U2: pending)."""
    with Ledger.write(path, by="测试", create=True) as tx:
        tx.add(tiny_unit("U1", region="甲区"), at=D(2020, 1, 1))
        tx.add(tiny_unit("U2", region="乙区", name="乙区住建局党组"), at=D(2020, 1, 1))
        tx.add(tiny_round(), at=D(2020, 2, 20))
        tx.add(Inspection("I1", "R1", "U1", "市委第一巡察组"), at=D(2020, 3, 1))
        tx.add(Inspection("I2", "R1", "U2", "市委第二巡察组"), at=D(2020, 3, 1))
        for cid, uid in (("C1", "U1"), ("C2", "U1"), ("C3", "U2")):
            tx.add(Clue(cid, "R1", uid, "反映某问题", "王某甲", "科长", "巡察发现", D(2020, 5, 1)))
        tx.change(
            "clue", "C1", "clue_disposed", at=D(2020, 6, 1), disposal="verify", disposed_on=D(2020, 6, 1)
        )
        tx.change("clue", "C2", "clue_disposed", at=D(2020, 6, 1), disposal="talk", disposed_on=D(2020, 6, 1))
        tx.change(
            "clue", "C1", "case_opened", at=D(2020, 8, 1), disposal="case", case_opened_on=D(2020, 8, 1)
        )
        tx.change(
            "clue",
            "C1",
            "outcome_recorded",
            at=D(2020, 10, 1),
            sanctioned=2,
            prosecuted=1,
            recovered_yuan=50_000,
        )
    return path


def coverage_ledger(path: Path) -> Path:
    """Units U1, U2 (甲区), U3 (乙区), U4 (乙区, out of scope). 六届 round R0 inspected U2;
    七届 round R1 inspected U1 and U4. U1 had a 财务 problem rectified in R0 that came back in
    R1, and a 选人用人 problem rectified in R0 that did not."""
    with Ledger.write(path, by="测试", create=True) as tx:
        tx.add(tiny_unit("U1", region="甲区"), at=D(2017, 1, 1))
        tx.add(tiny_unit("U2", region="甲区", name="甲区教育局党组"), at=D(2017, 1, 1))
        tx.add(tiny_unit("U3", region="乙区", name="乙区教育局党组"), at=D(2017, 1, 1))
        tx.add(tiny_unit("U4", region="乙区", name="乙区某协会党组", in_scope=False), at=D(2017, 1, 1))
        r0 = tiny_round(
            id="R0", term="六届", number=1, start=D(2019, 3, 1), end=D(2019, 5, 1), feedback_on=D(2019, 6, 1)
        )
        tx.add(r0, at=D(2019, 2, 20))
        tx.add(tiny_round(), at=D(2020, 2, 20))
        tx.add(Inspection("I0", "R0", "U2", "市委第一巡察组"), at=D(2019, 3, 1))
        tx.add(Inspection("I1", "R1", "U1", "市委第一巡察组"), at=D(2020, 3, 1))
        tx.add(Inspection("I4", "R1", "U4", "市委第一巡察组"), at=D(2020, 3, 1))
        early = dict(round_id="R0", found_on=D(2019, 4, 1), due=D(2019, 9, 30))
        tx.add(tiny_problem("P1", **early), at=D(2019, 6, 1))
        tx.add(tiny_problem("P2", category="选人用人和干部管理", **early), at=D(2019, 6, 1))
        tx.set_status("P1", "rectified", at=D(2019, 9, 1))
        tx.set_status("P2", "rectified", at=D(2019, 9, 1))
        tx.add(tiny_problem("P3"), at=D(2020, 6, 1))
    return path


def assignment_ledger(path: Path) -> Path:
    """Four matters to 甲区 due 2020-07-01 (A1 on time, A2 late, A3 never reported) and one due
    2020-12-01 (A4)."""
    with Ledger.write(path, by="测试", create=True) as tx:
        for aid, due in (
            ("A1", D(2020, 7, 1)),
            ("A2", D(2020, 7, 1)),
            ("A3", D(2020, 7, 1)),
            ("A4", D(2020, 12, 1)),
        ):
            tx.add(Assignment(aid, "督促整改", "甲区", D(2020, 6, 1), due), at=D(2020, 6, 1))
        tx.change("assignment", "A1", "assignment_reported", at=D(2020, 6, 30), reported_on=D(2020, 6, 30))
        tx.change("assignment", "A2", "assignment_reported", at=D(2020, 7, 5), reported_on=D(2020, 7, 5))
    return path
