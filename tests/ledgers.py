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


def late_registration_ledger(path: Path) -> Path:
    """Two imports, the later round's sheet first. Import 1 (2024 round R2) registers unit U1
    (甲区) on R2's start, 2024-03-01, with inspection I2 and problem P2. Import 2 (2022 round R1)
    brings R1, inspection I1 of U1, problem P1 (2022-04-01, open), clue C1 (2022-05-01) and
    assignment A1 to U1 (due 2022-06-01, reported 2022-05-20), and registers U2 (乙区, never
    inspected) on 2024-06-01. On 2022-12-31 every 2022 record must keep its unit and round."""
    r1 = tiny_round(
        id="R1", name="七届市委第一轮巡察", number=1, term="七届",
        start=D(2022, 3, 1), end=D(2022, 5, 1), feedback_on=D(2022, 6, 1),
    )  # fmt: skip
    r2 = tiny_round(
        id="R2", name="七届市委第五轮巡察", number=5, term="七届",
        start=D(2024, 3, 1), end=D(2024, 5, 1), feedback_on=D(2024, 6, 1),
    )  # fmt: skip
    with Ledger.write(path, by="测试", create=True) as tx:
        tx.add(tiny_unit("U1", region="甲区"), at=D(2024, 3, 1))
        tx.add(r2, at=D(2024, 3, 1))
        tx.add(Inspection("I2", "R2", "U1", "市委第一巡察组"), at=D(2024, 3, 1))
        tx.add(
            tiny_problem("P2", round_id="R2", found_on=D(2024, 4, 1), due=D(2024, 9, 30)), at=D(2024, 4, 1)
        )
    with Ledger.write(path, by="测试") as tx:
        tx.add(r1, at=D(2022, 3, 1))
        tx.add(tiny_unit("U2", region="乙区", name="乙区住建局党组"), at=D(2024, 6, 1))
        tx.add(Inspection("I1", "R1", "U1", "市委第一巡察组"), at=D(2022, 3, 1))
        tx.add(
            tiny_problem("P1", round_id="R1", found_on=D(2022, 4, 1), due=D(2022, 9, 30)), at=D(2022, 4, 1)
        )
        tx.add(Clue("C1", "R1", "U1", "反映某问题", "王某甲", "科长", "巡察发现", D(2022, 5, 1)))
        tx.add(
            Assignment(
                "A1", "督促整改", "甲区", D(2022, 5, 1), D(2022, 6, 1), assignee_unit_id="U1", round_id="R1"
            ),
            at=D(2022, 5, 1),
        )
        tx.change("assignment", "A1", "assignment_reported", at=D(2022, 5, 20), reported_on=D(2022, 5, 20))
    return path


def late_extension_ledger(path: Path) -> Path:
    """Four problems due 2020-09-30 (P4: 2020-09-20), each judged against the deadline in force
    when it was rectified:
    P1 rectified 10-15 (late); an extension to 12-31 approved afterwards, on 10-20.
    P2 extended on 09-25 to 10-10, rectified 10-12 (late); extended again on 10-20 to 11-30.
    P3 extended on 09-25 to 10-31, rectified 10-20 (on time).
    P4 rectified on 09-28 (recorded 10-05, late); an extension to 10-31 dated 10-01."""
    with Ledger.write(path, by="测试", create=True) as tx:
        tx.add(tiny_unit(), at=D(2020, 1, 1))
        tx.add(tiny_round(), at=D(2020, 2, 20))
        for pid in ("P1", "P2", "P3"):
            tx.add(tiny_problem(pid), at=D(2020, 6, 1))
        tx.add(tiny_problem("P4", due=D(2020, 9, 20)), at=D(2020, 6, 1))
        approved = "领导小组批准延期"
        tx.set_status("P1", "rectified", at=D(2020, 10, 15))
        tx.extend_deadline("P1", D(2020, 12, 31), at=D(2020, 10, 20), why=approved)
        tx.extend_deadline("P2", D(2020, 10, 10), at=D(2020, 9, 25), why=approved)
        tx.set_status("P2", "rectified", at=D(2020, 10, 12))
        tx.extend_deadline("P2", D(2020, 11, 30), at=D(2020, 10, 20), why=approved)
        tx.extend_deadline("P3", D(2020, 10, 31), at=D(2020, 9, 25), why=approved)
        tx.set_status("P3", "rectified", at=D(2020, 10, 20))
        tx.extend_deadline("P4", D(2020, 10, 31), at=D(2020, 10, 1), why=approved)
        tx.set_status("P4", "rectified", at=D(2020, 10, 5), rectified_on=D(2020, 9, 28))
    return path


def disposal_ledger(path: Path) -> Path:
    """Six clues transferred 2020-05-01, disposed on 2020-06-01: C1 谈话函询, C2 初步核实,
    C3 暂存待查, C4 予以了结, C5 立案审查调查, C6 not yet. On 2020-09-01 C2 becomes a case and C3
    goes to 初步核实."""
    with Ledger.write(path, by="测试", create=True) as tx:
        tx.add(tiny_unit(), at=D(2020, 1, 1))
        tx.add(tiny_round(), at=D(2020, 2, 20))
        for n in range(1, 7):
            tx.add(Clue(f"C{n}", "R1", "U1", "反映某问题", "王某甲", "科长", "巡察发现", D(2020, 5, 1)))
        june = D(2020, 6, 1)
        for cid, disposal in (("C1", "talk"), ("C2", "verify"), ("C3", "shelve"), ("C4", "close")):
            tx.change("clue", cid, "clue_disposed", at=june, disposal=disposal, disposed_on=june)
        tx.change(
            "clue", "C5", "case_opened", at=june, disposal="case", disposed_on=june, case_opened_on=june
        )
        sept = D(2020, 9, 1)
        tx.change("clue", "C2", "case_opened", at=sept, disposal="case", case_opened_on=sept)
        tx.change("clue", "C3", "clue_disposed", at=sept, disposal="verify", disposed_on=sept)
    return path


def three_region_ledger(path: Path) -> Path:
    """One round (feedback 2020-06-01), one unit per region, problems due 2020-09-30 unless said:
    甲区 P1, P2 open; 乙区 P3 open, P4 open due 2021-06-30, P5 rectified 2020-09-01;
    丙区 P6 rectified 2020-09-01, P7, P8 open, P9 open due 2021-06-30."""
    with Ledger.write(path, by="测试", create=True) as tx:
        for uid, region in (("U1", "甲区"), ("U2", "乙区"), ("U3", "丙区")):
            tx.add(tiny_unit(uid, region=region, name=f"{region}住建局党组"), at=D(2020, 1, 1))
        tx.add(tiny_round(), at=D(2020, 2, 20))
        later = D(2021, 6, 30)
        plan = {"U1": ("P1", "P2"), "U2": ("P3", "P4", "P5"), "U3": ("P6", "P7", "P8", "P9")}
        for uid, pids in plan.items():
            for pid in pids:
                due = later if pid in ("P4", "P9") else D(2020, 9, 30)
                tx.add(tiny_problem(pid, unit_id=uid, due=due), at=D(2020, 6, 1))
        tx.set_status("P5", "rectified", at=D(2020, 9, 1))
        tx.set_status("P6", "rectified", at=D(2020, 9, 1))
    return path
