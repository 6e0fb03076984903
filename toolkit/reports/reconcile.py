"""定期对账: cross-checks that must hold inside a ledger before it is handed in.

Why: the ledger refuses most of these states at write time (``toolkit.models``), yet a ledger
can still hold them: a PostgreSQL ledger another tool writes to, a DuckDB file edited by hand,
rows written before a rule existed. An office reconciling its 三本账 (吉林 定期对账, 昆明) wants
every such row named before the figures go upward, so ``reconcile`` reads the stored tables as
they are and trusts nothing the write path promised.

Checks are an ordered list of small functions ``(ledger) -> list[Mismatch]`` (``CHECKS``); a new
rule is a new function with the ``@check`` decorator. The rules:

* ``case_date`` 立案时间: a clue disposed as 立案审查调查 has a 立案 date on or after its
  transfer (移交); a clue not disposed as a case has no 立案 date.
* ``sanctions`` 处分人数: what a disposal allows. 谈话函询, 初步核实, 暂存待查, 予以了结 and a
  pending clue allow no one sanctioned (党纪政务处分) and no one referred to prosecution
  (移送司法): those disposals end without a case. A case allows any number sanctioned and at
  most that many referred, because a person referred to prosecution is first given a 党纪政务处分
  in the same case (先处分后移送; 双开 then 移送).
* ``closed_out`` 销号: a rectified or closed-out problem has its rectification date, a
  closed-out one its 销号 date, not before the rectification.
* ``assignment_report`` 交办反馈: a report date is on or after the assignment date, and a
  matter the event log says was reported back has a report date.
* ``references`` 关联记录: every round and unit a record names exists.
* ``round_totals`` 轮次合计: for each round, the problems and clues counted raw (rows with the
  round id), by the metrics (``headline`` by round) and summed over the units the round
  inspected (what ``listings.round_units`` lists) are the same three numbers.
* ``hash_chain`` 哈希链: the ledger proves itself (``Ledger.verify``): the event log's hash
  chain and head, the tables figures are read from, the published copy; a ledger that cannot
  be verified counts as a mismatch, since the gate cannot vouch for it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pandas as pd

from toolkit.labels import date
from toolkit.metrics import headline
from toolkit.models import RECTIFIED_STATUSES, Disposal, ProblemStatus

END_OF_TIME = dt.date(9999, 12, 31)


@dataclasses.dataclass(frozen=True)
class Mismatch:
    """One failed cross-check, as a value (errors are values, never exceptions).

    Attributes:
      check: the rule's name (``case_date``, ``round_totals`` ...).
      entity: the kind of record involved (clue, problem, assignment, round, event).
      records: the ids of the records involved, the first one the record at fault.
      message_zh, message_en: what is wrong, with the values that make it wrong.
    """

    check: str
    entity: str
    records: tuple[str, ...]
    message_zh: str
    message_en: str


@dataclasses.dataclass(frozen=True)
class Check:
    """A registered rule: its name, Chinese title and function."""

    name: str
    title_zh: str
    func: Callable[..., list[Mismatch]]


CHECKS: list[Check] = []


def check(name: str, title_zh: str):
    def wrap(func):
        CHECKS.append(Check(name, title_zh, func))
        return func

    return wrap


def reconcile(ledger, *, checks: list[Check] | None = None) -> list[Mismatch]:
    """Run every check in order on the ledger as it stands; an empty list means it reconciles."""
    found: list[Mismatch] = []
    for rule in checks if checks is not None else CHECKS:
        found.extend(rule.func(ledger))
    return found


def _rows(expr) -> list[dict]:
    return expr.execute().to_dict("records")


def _d(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "无"
    return date(pd.Timestamp(value).date())


@check("case_date", "立案时间")
def case_date(ledger) -> list[Mismatch]:
    clues = ledger.table("clues")
    is_case = clues.disposal == Disposal.CASE.value
    bad = clues.filter(
        (is_case & (clues.case_opened_on.isnull() | (clues.case_opened_on < clues.transferred_on)))
        | (~is_case.fill_null(False) & clues.case_opened_on.notnull())
    )
    out = []
    for r in _rows(bad.select("id", "disposal", "transferred_on", "case_opened_on").order_by("id")):
        if r["disposal"] != Disposal.CASE.value:
            zh = f"线索 {r['id']} 未作立案处置，却有立案时间 {_d(r['case_opened_on'])}"
            en = f"clue {r['id']} is not disposed as a case but has a case date"
        elif pd.isna(r["case_opened_on"]):
            zh = f"线索 {r['id']} 已立案审查调查，但没有立案时间"
            en = f"clue {r['id']} is disposed as a case but has no case date"
        else:
            zh = f"线索 {r['id']} 立案时间 {_d(r['case_opened_on'])} 早于移交时间 {_d(r['transferred_on'])}"
            en = f"clue {r['id']}: case opened {r['case_opened_on']:%Y-%m-%d} before its transfer {r['transferred_on']:%Y-%m-%d}"
        out.append(Mismatch("case_date", "clue", (r["id"],), zh, en))
    return out


@check("sanctions", "处分人数")
def sanctions(ledger) -> list[Mismatch]:
    clues = ledger.table("clues")
    is_case = (clues.disposal == Disposal.CASE.value).fill_null(False)
    persons = (clues.sanctioned > 0) | (clues.prosecuted > 0)
    bad = clues.filter((~is_case & persons) | (is_case & (clues.prosecuted > clues.sanctioned)))
    out = []
    for r in _rows(bad.select("id", "disposal", "sanctioned", "prosecuted").order_by("id")):
        if r["disposal"] != Disposal.CASE.value:
            how = Disposal(r["disposal"]).label_zh if r["disposal"] else "尚未处置"
            zh = f"线索 {r['id']} 处置方式为{how}，不应有处分 {r['sanctioned']} 人、移送司法 {r['prosecuted']} 人"
            en = f"clue {r['id']} ({r['disposal'] or 'pending'}) allows no sanctions, has {r['sanctioned']} sanctioned, {r['prosecuted']} prosecuted"
        else:
            zh = f"线索 {r['id']} 移送司法 {r['prosecuted']} 人，多于党纪政务处分 {r['sanctioned']} 人"
            en = f"clue {r['id']}: {r['prosecuted']} referred to prosecution, more than {r['sanctioned']} sanctioned"
        out.append(Mismatch("sanctions", "clue", (r["id"],), zh, en))
    return out


@check("closed_out", "销号")
def closed_out(ledger) -> list[Mismatch]:
    p = ledger.table("problems")
    rectified = p.status.isin([s.value for s in RECTIFIED_STATUSES])
    closed = p.status == ProblemStatus.CLOSED.value
    bad = p.filter(
        (rectified & p.rectified_on.isnull())
        | (closed & p.closed_on.isnull())
        | (closed & (p.closed_on < p.rectified_on)).fill_null(False)
    )
    out = []
    for r in _rows(bad.select("id", "status", "rectified_on", "closed_on").order_by("id")):
        label = ProblemStatus(r["status"]).label_zh
        zh = f"问题 {r['id']} 状态为{label}，整改完成时间 {_d(r['rectified_on'])}、销号时间 {_d(r['closed_on'])} 不符"
        en = f"problem {r['id']} is {r['status']} but rectified_on={_iso(r['rectified_on'])}, closed_on={_iso(r['closed_on'])}"
        out.append(Mismatch("closed_out", "problem", (r["id"],), zh, en))
    return out


def _iso(value) -> str:
    return "none" if value is None or pd.isna(value) else pd.Timestamp(value).date().isoformat()


@check("assignment_report", "交办反馈")
def assignment_report(ledger) -> list[Mismatch]:
    a = ledger.table("assignments")
    early = a.filter(a.reported_on < a.assigned_on).select("id", "assigned_on", "reported_on")
    out = [
        Mismatch(
            "assignment_report",
            "assignment",
            (r["id"],),
            f"交办事项 {r['id']} 报告时间 {_d(r['reported_on'])} 早于交办时间 {_d(r['assigned_on'])}",
            f"assignment {r['id']} reported {_iso(r['reported_on'])} before it was assigned {_iso(r['assigned_on'])}",
        )
        for r in _rows(early.order_by("id"))
    ]
    events = ledger.table("events")
    reported = events.filter(events.kind == "assignment_reported").select(eid=events.record_id).distinct()
    missing = a.inner_join(reported, a.id == reported.eid).filter(a.reported_on.isnull())
    for r in _rows(missing.select("id").order_by("id")):
        out.append(
            Mismatch(
                "assignment_report",
                "assignment",
                (r["id"],),
                f"交办事项 {r['id']} 事件记录显示已报告，但台账中没有报告时间",
                f"assignment {r['id']} has a reported event but no report date",
            )
        )
    return out


@check("references", "关联记录")
def references(ledger) -> list[Mismatch]:
    rounds = ledger.table("rounds").select(rid="id")
    units = ledger.table("units").select(uid="id")
    out = []
    for table, entity in (("inspections", "inspection"), ("problems", "problem"), ("clues", "clue")):
        t = ledger.table(table)
        for column, ref, key, what in (
            ("round_id", rounds, "rid", "轮次"),
            ("unit_id", units, "uid", "单位"),
        ):
            dangling = t.anti_join(ref, t[column] == ref[key]).select("id", column).order_by("id")
            for r in _rows(dangling):
                out.append(
                    Mismatch(
                        "references",
                        entity,
                        (r["id"], r[column]),
                        f"{entity} {r['id']} 所属{what} {r[column]} 不存在",
                        f"{entity} {r['id']} names a missing {column[:-3]} {r[column]}",
                    )
                )
    return out


@check("round_totals", "轮次合计")
def round_totals(ledger) -> list[Mismatch]:
    if int(ledger.table("inspections").count().execute()) == 0:
        return []  # nothing inspected, nothing to total (and headline by round fails on no rows)
    # The metrics replay the event log to a date: the last possible one is the ledger as it stands.
    by_metric = headline(ledger, as_of=END_OF_TIME, by="round")
    by_metric = by_metric.set_index("round")
    insp = ledger.table("inspections").select(i_round="round_id", i_unit="unit_id").distinct()
    out = []
    for table, entity, what in (("problems", "problem", "问题"), ("clues", "clue", "线索")):
        t = ledger.table(table)
        raw = t.group_by("round_id").aggregate(n=t.count()).execute().set_index("round_id")["n"]
        outside = t.anti_join(insp, (t.round_id == insp.i_round) & (t.unit_id == insp.i_unit))
        stray = outside.select("id", "round_id").execute().groupby("round_id")["id"].apply(sorted)
        metric_col = "problems" if table == "problems" else "clues"
        for round_id, n in raw.items():
            counted = int(by_metric[metric_col].get(round_id, 0))
            strays = stray.get(round_id, [])
            summed = int(n) - len(strays)
            if int(n) == counted == summed:
                continue
            out.append(
                Mismatch(
                    "round_totals",
                    entity,
                    (round_id, *strays),
                    f"轮次 {round_id} {what}数不一致：台账 {int(n)} 条，指标统计 {counted} 条，"
                    f"被巡察单位合计 {summed} 条（{len(strays)} 条不属于本轮巡察的单位）",
                    f"round {round_id}: {int(n)} {table} in the ledger, {counted} counted by the metrics, "
                    f"{summed} summed over its inspected units",
                )
            )
    return out


@check("hash_chain", "哈希链")
def hash_chain(ledger) -> list[Mismatch]:
    try:
        result = ledger.verify()
    except Exception as err:  # a master held by a writer, a missing file: cannot vouch for it
        return [
            Mismatch(
                "hash_chain", "event", (), f"无法校验事件链：{err}", f"cannot verify the event log: {err}"
            )
        ]
    return [
        Mismatch(
            "hash_chain",
            "event",
            tuple(x for x in (f.record_id, f"seq {f.seq}" if f.seq is not None else None) if x),
            f"账本被改动：{f.sentence_zh}",
            f"the ledger was altered: {f}",
        )
        for f in result.findings
    ]


def mismatch_frame(found: list[Mismatch]) -> pd.DataFrame:
    """The mismatches as a table (one row each), for the Excel list and the CLI."""
    titles = {c.name: c.title_zh for c in CHECKS}
    return pd.DataFrame(
        {
            "check": [m.check for m in found],
            "title": [titles.get(m.check, m.check) for m in found],
            "entity": [m.entity for m in found],
            "records": ["、".join(m.records) for m in found],
            "message_zh": [m.message_zh for m in found],
            "message_en": [m.message_en for m in found],
        }
    )


def mismatches_workbook(found: list[Mismatch]) -> bytes:
    """The mismatch list as an .xlsx (one row per mismatch) to send back with the ledger."""
    from toolkit.reports.workbook import Column, Sheet, workbook_bytes

    columns = (
        Column("检查项", "title"),
        Column("规则", "check"),
        Column("记录类型", "entity"),
        Column("涉及记录", "records"),
        Column("说明", "message_zh", "wide"),
        Column("Description", "message_en", "wide"),
    )
    return workbook_bytes([Sheet("对账不符", mismatch_frame(found), columns)])
