"""Small views the course shows that no metric or listing gives directly.

Why here and not in the notebooks: a workshop cell has one to three lines and no logic, so a
grouping or a choice ("the problem with the richest history", "the unit to portray") is a named
function that a trainee can read in the package. Each is computed from the ledger, so it fits
another seed or a real ledger as well as the sample.
"""

from __future__ import annotations

import datetime as dt

import ibis
import pandas as pd

from toolkit import labels, listings, metrics
from toolkit.models import RECTIFIED_STATUSES, Disposal, ProblemStatus
from toolkit.readable import chinese
from toolkit.workshop.context import language


def show(df: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """A metric result as trainees read it: Chinese headers and words, rates as percent (90.3%)
    (``toolkit.readable.chinese``); in English, the raw frame with rates as percent.

    For reading only; answers come from the raw result (``metrics.headline(...)["rate"][0]``).
    """
    lang = lang or language()
    if lang == "zh":
        return chinese(df)
    out = df.copy()
    for column in ("rate", "ratio"):
        if column in out and out[column].dtype.kind == "f":
            out[column] = out[column].map(labels.percent)
    return out


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


def example_problem(ledger, *, around: dt.date | str | None = None) -> str:
    """The id of a problem whose history shows the most: the problem with the most events
    (smallest id among equals). With ``around`` (the replay day), only a problem recorded by then
    whose history goes on after it, so replaying to that day shows a shorter history."""
    events = ledger.table("events")
    problems = events.filter(events.entity == "problem")
    top = problems.group_by("record_id").aggregate(
        n=problems.count(), first=problems.at.min(), last=problems.at.max()
    )
    if around is not None:
        day = dt.date.fromisoformat(around) if isinstance(around, str) else around
        straddling = top.filter((top.first <= day) & (top.last > day))
        if straddling.count().execute():
            top = straddling
    df = top.order_by([ibis.desc("n"), "record_id"]).limit(1).execute()
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
