"""一报一单 (昆明): a unit's 廉情画像 report and its 回头看 checklist, as one Word file.

Why: before a look-back (回头看) the office hands the team one report per unit, the integrity
portrait (its modules side by side over five years), and one list, every problem the unit
reported as rectified, to be checked again on site. The report is built from the metrics
and listings, filtered to the unit and the window, so each figure in it is the figure the apps
show for the same unit and rounds.

Definitions:
  window: the five years up to ``as_of``: rounds that inspected the unit and started after
    ``as_of`` minus five years and on or before ``as_of`` (a term, 届, is five years).
  figures: metrics with ``Filters(unit=unit_id, round=<the window's rounds>)`` as of ``as_of``;
    assignments are counted for the unit's region (交办事项 go to regions, not units).
  checklist (一单): every problem of the window rectified or closed out on ``as_of``, oldest
    first, with a blank 复查结果 column for the team; recurrences are the unit's categories
    found again in a later round after a problem of that category was rectified
    (``listings.unit_recurrences``), over the unit's whole history: a category put right in the
    previous term and back in this one is exactly what a look-back should re-check.
  names: persons' names are masked (王**) unless ``show_names=True``: a clue's 被反映人, and
    every name in clue titles and problem descriptions (``toolkit.masking``); with the names
    shown, the document says so in red under its title.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from toolkit import labels, metrics
from toolkit.filters import PORTRAIT_YEARS, Filters, resolve_as_of, scoped
from toolkit.listings import unit_clues, unit_info, unit_problems, unit_recurrences
from toolkit.masking import NAMES_SHOWN_ZH, NameMasker
from toolkit.models import Disposal, RoundKind, UnitKind
from toolkit.reports import figures
from toolkit.reports.session import reporting
from toolkit.reports.word import add_picture, add_table, heading, new_document, paragraph, to_bytes
from toolkit.reports.workbook import Column, Sheet

WINDOW_YEARS = PORTRAIT_YEARS
NO_ROUND = ("—",)  # a round id no ledger has: an empty window must filter to nothing, not to all


def window_rounds(ledger, unit_id: str, day: dt.date) -> pd.DataFrame:
    """The rounds that inspected the unit in the five years up to ``day``, oldest first."""
    since = day.replace(year=day.year - WINDOW_YEARS)
    inspections = scoped(ledger.as_of(day), "inspections", Filters(unit=unit_id))
    df = inspections.select(
        "round", "round_name", "round_kind", "team", "round_start", "feedback_on"
    ).execute()
    start = pd.to_datetime(df["round_start"]).dt.date
    df = df[(start > since) & (start <= day)]
    return df.sort_values(["round_start", "round"]).reset_index(drop=True)


@reporting
def portrait_figures(ledger, unit_id: str, *, as_of=None) -> dict:
    """Every figure the portrait prints, as the metrics return them (the tests compare these)."""
    day = resolve_as_of(as_of)
    info = unit_info(ledger, unit_id)
    rounds = window_rounds(ledger, unit_id, day)
    scope = Filters(unit=unit_id, round=tuple(rounds["round"]) or NO_ROUND)
    counts = metrics.headline(ledger, as_of=day, filters=scope, by="round")
    return {
        "day": day,
        "info": info,
        "rounds": rounds.merge(counts[["round", "problems", "clues"]], on="round", how="left").fillna(
            {"problems": 0, "clues": 0}
        ),
        "scope": scope,
        "headline": metrics.headline(ledger, as_of=day, filters=scope).iloc[0],
        "on_time": metrics.on_time_rate(ledger, as_of=day, filters=scope).iloc[0],
        "by_category": metrics.rectification_rate(ledger, as_of=day, filters=scope, by="category"),
        "outcomes": metrics.outcomes(ledger, as_of=day, filters=scope).iloc[0],
        "conversion": metrics.case_conversion(ledger, as_of=day, filters=scope).iloc[0],
        "assignments": metrics.assignments(ledger, as_of=day, filters=Filters(region=info["region"])).iloc[0],
        "recurrence": metrics.recurrence(ledger, as_of=day, filters=scope).iloc[0],
    }


@reporting
def portrait(ledger, unit_id: str, *, as_of: dt.date | str | None = None, show_names: bool = False) -> bytes:
    """The 一报一单 of ``unit_id`` as .docx bytes; ``KeyError`` when the unit does not exist."""
    f = portrait_figures(ledger, unit_id, as_of=as_of)
    day, info, rounds = f["day"], f["info"], f["rounds"]
    window = set(rounds["round"])
    masker = None if show_names else NameMasker.for_ledger(ledger)
    masking = dict(show_names=show_names, masker=masker)
    problems = unit_problems(ledger, unit_id, as_of=day, **masking)
    problems = problems[problems["round"].isin(window)]
    clues = unit_clues(ledger, unit_id, as_of=day, **masking)
    clues = clues[clues["round"].isin(window)].copy()
    clues["disposal_zh"] = clues["disposal"].map(
        lambda d: Disposal(d).label_zh if isinstance(d, str) else "待处置"
    )

    doc = new_document(
        f"{info['name']}廉情画像及巡察整改“回头看”问题清单",
        f"（一报一单）　截至{labels.date(day)}　时间范围：近{WINDOW_YEARS}年",
        notice=NAMES_SHOWN_ZH if show_names else "",
    )
    heading(doc, "一、基本情况")
    paragraph(
        doc,
        f"单位：{info['name']}；所在地区：{info['region']}；行业领域：{info['sector']}；"
        f"单位类型：{UnitKind(info['unit_kind']).label_zh}。近{WINDOW_YEARS}年接受巡察 {len(rounds)} 轮次。",
    )
    rounds = rounds.assign(kind_zh=rounds["round_kind"].map(lambda k: RoundKind(k).label_zh))
    add_table(doc, Sheet("历次巡察", rounds, ROUND_COLUMNS))

    h, on_time = f["headline"], f["on_time"]
    heading(doc, "二、发现问题及整改")
    paragraph(
        doc,
        f"近{WINDOW_YEARS}年巡察发现问题 {int(h['problems'])} 个，已整改 {int(h['rectified'])} 个，"
        f"整改率 {labels.percent(h['rate'])}；已到整改时限的问题 {int(on_time['due_passed'])} 个，"
        f"按期整改 {int(on_time['on_time'])} 个，按期整改率 {labels.percent(on_time['rate'])}。",
    )
    add_table(doc, Sheet("分类别整改情况", f["by_category"], CATEGORY_COLUMNS))
    if not problems.empty:
        add_picture(
            doc, figures.png(figures.problems_by_year(problems), height=240), "图1 历次巡察发现问题及整改情况"
        )

    o, c = f["outcomes"], f["conversion"]
    heading(doc, "三、问题线索及处置")
    paragraph(
        doc,
        f"移交问题线索 {int(o['clues'])} 件，已处置 {int(c['disposed'])} 件，立案 {int(o['cases'])} 件，"
        f"成案率 {labels.percent(c['rate'])}；给予党纪政务处分 {int(o['sanctioned'])} 人，"
        f"移送司法机关 {int(o['prosecuted'])} 人，挽回经济损失 {labels.yuan(int(o['recovered_yuan']))}。",
    )
    add_table(doc, Sheet("问题线索台账", clues, CLUE_COLUMNS))

    a = f["assignments"]
    heading(doc, f"四、{info['region']}交办事项办理情况")
    paragraph(
        doc,
        f"截至{labels.date(day)}，交办{info['region']}且已到报告时限的事项 {int(a['due'])} 件，"
        f"按期报告 {int(a['reported_on_time'])} 件，逾期报告 {int(a['reported_late'])} 件，"
        f"尚未报告 {int(a['outstanding'])} 件，按期反馈率 {labels.percent(a['rate'])}。",
    )

    r = f["recurrence"]
    look_backs = rounds[rounds["round_kind"] == RoundKind.LOOK_BACK.value]
    heading(doc, "五、“回头看”及问题复发情况")
    paragraph(
        doc,
        f"近{WINDOW_YEARS}年接受巡察“回头看” {len(look_backs)} 次。已整改问题 {int(r['rectified'])} 个，"
        f"其中同类问题在后续巡察中再次发现的 {int(r['recurred'])} 个，复发率 {labels.percent(r['rate'])}。",
    )
    recurrences = unit_recurrences(ledger, unit_id, as_of=day)
    add_table(doc, Sheet("屡改屡犯问题", recurrences, RECURRENCE_COLUMNS))

    doc.add_page_break()
    heading(doc, "附：巡察整改“回头看”问题清单（一单）")
    fixed = problems[problems["rectified"]].copy()
    recurred = set(recurrences["category"])
    fixed["no"] = range(1, len(fixed) + 1)
    fixed["recurs"] = fixed["category"].map(lambda cat: "是" if cat in recurred else "")
    fixed["recheck"] = ""
    add_table(
        doc,
        Sheet(
            "已整改问题复查清单",
            fixed,
            CHECKLIST_COLUMNS,
            note=f"共 {len(fixed)} 个已整改问题，逐项复查整改是否到位、是否反弹回潮。",
        ),
        heading_level=None,
    )
    return to_bytes(doc)


ROUND_COLUMNS = (
    Column("巡察轮次", "round_name"),
    Column("巡察方式", "kind_zh"),
    Column("巡察组", "team"),
    Column("进驻时间", "round_start", "date"),
    Column("反馈时间", "feedback_on", "date"),
    Column("发现问题", "problems", "int"),
    Column("移交线索", "clues", "int"),
)
CATEGORY_COLUMNS = (
    Column("问题类别", "category"),
    Column("发现问题", "problems", "int"),
    Column("已整改", "rectified", "int"),
    Column("整改率", "rate", "rate"),
)
CLUE_COLUMNS = (
    Column("移交时间", "transferred_on", "date"),
    Column("线索名称", "title"),
    Column("被反映人", "subject"),
    Column("职务", "subject_post"),
    Column("处置方式", "disposal_zh"),
    Column("立案时间", "case_opened_on", "date"),
    Column("处分（人）", "sanctioned", "int"),
)
RECURRENCE_COLUMNS = (
    Column("问题类别", "category"),
    Column("首次整改轮次", "first_round"),
    Column("整改完成时间", "rectified_on", "date"),
    Column("再次发现轮次", "again_round"),
    Column("再次发现（个）", "again_found", "int"),
)
CHECKLIST_COLUMNS = (
    Column("序号", "no", "int"),
    Column("巡察轮次", "round_name"),
    Column("问题类别", "category"),
    Column("问题描述", "description"),
    Column("整改完成时间", "rectified_on", "date"),
    Column("销号时间", "closed_on", "date"),
    Column("同类复发", "recurs"),
    Column("复查结果", "recheck"),
)
