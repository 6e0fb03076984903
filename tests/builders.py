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
