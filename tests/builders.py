"""Small records for tests: one city round, one unit, one problem."""

import datetime as dt

from toolkit import Problem, Round, Unit

D = dt.date


def tiny_round(**kw) -> Round:
    fields = dict(
        id="R1",
        name="七届市委第八轮巡察",
        term="七届",
        number=8,
        round_kind="regular",
        level="city",
        region="市本级",
        start=D(2020, 3, 1),
        end=D(2020, 5, 1),
        feedback_on=D(2020, 6, 1),
    )
    return Round(**{**fields, **kw})


def tiny_unit(uid="U1", **kw) -> Unit:
    fields = dict(
        id=uid, name="市住房和城乡建设局党组", region="市本级", sector="住建", unit_kind="department"
    )
    return Unit(**{**fields, **kw})


def tiny_problem(pid="P1", **kw) -> Problem:
    fields = dict(
        id=pid,
        round_id="R1",
        unit_id="U1",
        category="财务管理和资金使用",
        description="报销审批不规范",
        found_on=D(2020, 4, 1),
        due=D(2020, 9, 30),
    )
    return Problem(**{**fields, **kw})


def find_p1_again(ledger, *, rectify: bool = True) -> None:
    """A later round (R2, started 2021-03-01) finds P1's problem again in its unit and category
    (P9, recorded 2021-06-01) and one of another category (P8); then an earlier round registered
    late (R0, started 2019-03-01) records a problem of that unit and category (P0, 2021-07-01),
    which the later rounds found again. ``rectify``: P1 is put right first (2020-08-01)."""
    from toolkit import Ledger

    if rectify:
        with Ledger.write(ledger, by="测试") as tx:
            tx.set_status("P1", "rectified", at=D(2020, 8, 1))
    later = dict(name="七届市委第九轮巡察", number=9, start=D(2021, 3, 1), end=D(2021, 5, 1))
    with Ledger.write(ledger, by="测试") as tx:
        tx.add(tiny_round(id="R2", **later, feedback_on=D(2021, 6, 1)), at=D(2021, 2, 20))
        found = dict(round_id="R2", found_on=D(2021, 4, 1), due=D(2021, 9, 30))
        tx.add(tiny_problem("P9", **found), at=D(2021, 6, 1))
        tx.add(tiny_problem("P8", **found, category="选人用人和干部管理"), at=D(2021, 6, 1))
    earlier = dict(name="七届市委第七轮巡察", number=7, start=D(2019, 3, 1), end=D(2019, 5, 1))
    with Ledger.write(ledger, by="测试") as tx:
        tx.add(tiny_round(id="R0", **earlier, feedback_on=D(2019, 6, 1)), at=D(2021, 7, 1))
        tx.add(
            tiny_problem("P0", round_id="R0", found_on=D(2019, 4, 1), due=D(2019, 9, 30)), at=D(2021, 7, 1)
        )
