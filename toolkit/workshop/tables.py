"""Small views the course shows that no metric or listing gives directly.

Why here and not in the notebooks: a workshop cell has one to three lines and no logic, so a
grouping or a choice ("the problem with the richest history", "the unit to portray") is a named
function that a trainee can read in the package. Each is computed from the ledger, so it fits
another seed or a real ledger as well as the sample.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit import labels, listings, metrics
from toolkit.models import RECTIFIED_STATUSES, Disposal, ProblemStatus
from toolkit.workshop.context import language

# Column names of the metrics and listings, as the course shows them in Chinese.
COLUMNS_ZH = {
    "term": "届次",
    "round": "轮次编号",
    "round_name": "巡察轮次",
    "region": "地区",
    "unit": "单位编号",
    "unit_name": "被巡察单位",
    "category": "问题类别",
    "status": "整改状态",
    "units": "被巡察单位数",
    "rounds": "轮次数",
    "problems": "发现问题",
    "rectified": "已整改",
    "clues": "移交线索",
    "rate": "比率",
    "due_passed": "已到期问题",
    "on_time": "按期整改",
    "late": "逾期整改",
    "not_rectified": "到期未整改",
    "open": "未完成整改",
    "red": "红色预警",
    "yellow": "黄色预警",
    "green": "绿色预警",
    "none": "未预警",
    "escalated": "移交纪委",
    "extended": "延期",
    "disposed": "已处置线索",
    "cases": "立案",
    "decided": "已有处理结果",
    "sanctioned": "党纪政务处分（人次）",
    "prosecuted": "移送司法（人）",
    "recovered_yuan": "挽回经济损失（元）",
    "units_inspected": "被巡察单位数",
    "clues_per_unit": "每单位移交线索",
    "value": "指标值",
    "peer_median": "同级中位数",
    "gap": "差距",
    "ratio": "相当于中位数",
    "low_outlier": "明显偏低",
    "recurred": "复发",
    "disposal": "处置方式",
    "label": "名称",
    "first_round": "首次发现轮次",
    "rectified_on": "整改日期",
    "again_round": "再次发现轮次",
    "again_found": "再次发现问题数",
}
RATE_COLUMNS = ("rate", "value", "peer_median", "ratio")


def show(df: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """A metric result as trainees read it: Chinese headers, rates as percent (90.3%).

    For reading only; answers come from the raw result (``metrics.headline(...)["rate"][0]``).
    """
    lang = lang or language()
    out = df.copy()
    for column in RATE_COLUMNS:
        if column in out and out[column].dtype.kind == "f":
            out[column] = out[column].map(labels.percent)
    return out.rename(columns=COLUMNS_ZH) if lang == "zh" else out


def status_counts(ledger, *, as_of: dt.date | str | None = None) -> pd.DataFrame:
    """Problems by 整改状态 on ``as_of``, with the Chinese label and whether the status counts as
    rectified (only 已整改 and 已销号 do; 基本完成 is 整改中)."""
    problems = ledger.as_of(as_of).table("problems")
    df = problems.group_by("status").aggregate(problems=problems.count()).execute()
    df["label"] = [ProblemStatus(s).label_zh for s in df["status"]]
    df["rectified"] = df["status"].isin([s.value for s in RECTIFIED_STATUSES])
    order = {s.value: i for i, s in enumerate(ProblemStatus)}
    df = df.sort_values("status", key=lambda c: c.map(order)).reset_index(drop=True)
    df = df[["status", "label", "problems", "rectified"]]
    if language() == "zh":
        df = df.rename(columns={"status": "代码", "label": "整改状态", "rectified": "计入已整改"})
    return show(df)


def disposal_counts(ledger, *, as_of: dt.date | str | None = None) -> pd.DataFrame:
    """Clues by disposal on ``as_of``, indexed by the Chinese name (谈话函询 ...; 待处置 if none).

    ``df.loc["谈话函询", "clues"]`` is the number of clues disposed by talk or letter."""
    view = ledger.as_of(as_of)
    clues = view.table("clues")
    df = clues.group_by("disposal").aggregate(clues=clues.count()).execute()
    names = {d.value: d.label_zh for d in Disposal}
    df["label"] = df["disposal"].map(names).fillna("待处置")
    order = [d.label_zh for d in Disposal] + ["待处置"]
    df = df.set_index("label").reindex(order).dropna(subset=["clues"])
    df["clues"] = df["clues"].astype("int64")
    return df[["disposal", "clues"]]


def example_problem(ledger) -> str:
    """The id of a problem whose history shows the most (its deadline extended, then rectified):
    the problem with the most events, the smallest id among equals."""
    events = ledger.table("events")
    problems = events.filter(events.entity == "problem")
    top = problems.group_by("record_id").aggregate(n=problems.count())
    df = top.execute().sort_values(["n", "record_id"], ascending=[False, True])
    return str(df["record_id"].iloc[0])


def portrait_unit(ledger, *, as_of: dt.date | str | None = None) -> str:
    """The unit the 一报一单 exercise portrays: the most recurred problems, smallest id among equals."""
    df = metrics.recurrence(ledger, as_of=as_of, by="unit")
    df = df.sort_values(["recurred", "unit"], ascending=[False, True])
    return str(df["unit"].iloc[0])


def unit_name(ledger, unit_id: str) -> str:
    return str(listings.unit_info(ledger, unit_id)["name"])


def portrait(ledger, unit_id: str, *, as_of: dt.date | str | None = None) -> pd.DataFrame:
    """一报一单 (昆明): one unit's modules side by side per round: problems found, rectified,
    recurred categories and clues, the integrity portrait a look-back round starts from."""
    problems = listings.unit_problems(ledger, unit_id, as_of=as_of)
    clues = listings.unit_clues(ledger, unit_id, as_of=as_of)
    per_round = problems.groupby("round_name", sort=False).agg(
        problems=("id", "size"), rectified=("rectified", "sum"), categories=("category", "nunique")
    )
    per_round["clues"] = clues.groupby("round_name").size().reindex(per_round.index).fillna(0).astype(int)
    if language() == "zh":
        per_round = per_round.rename(columns={"categories": "问题类别数"})
    return show(per_round.reset_index())
