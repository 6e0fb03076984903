"""季度报告 (昆明 两报告): a quarter's inspection work and indicators, as Word or Excel.

Why: offices report upward every quarter in a fixed shape: what was done, where the indicators
stand against the last quarter and the same quarter a year before, what is overdue, what the
clues led to, how the districts compare. Every figure comes from the metrics library with the
report's ``Filters`` and a date, so the report and the apps cannot disagree.

Definitions (a quarter is ``YYYYQn``: 2020Q4 runs 2020-10-01 to 2020-12-31):
  the quarter's work (本季度工作): records dated in the quarter, counted on the ledger as it
    stands at the end of the report quarter (so an entry recorded late still counts in its own
    quarter, for the earlier periods too): rounds fed back (反馈) in the quarter and the units
    they inspected, problems found (``found_on``), problems rectified (``rectified_on``), clues
    transferred (``transferred_on``), cases opened (``case_opened_on``).
  indicators (主要指标): the metrics as of the last day of the quarter, of the previous quarter
    and of the same quarter a year before; changes are in counts or percentage points.
  overdue (三色预警): ``overdue_summary`` and ``overdue`` with the ``jiangjin`` rules as of the
    quarter's last day; clues and outcomes: ``outcomes`` and ``case_conversion`` by region.
  districts compared (地区比较): ``peer_comparison`` of the rectification rate over all regions
    (a region or team report still shows every district, so the subject is seen among its peers).
  scope: ``region`` or ``team`` becomes a ``Filters``. Clues, outcomes and assignments have no
    team; a team report counts the clues of the rounds and units the team inspected and leaves
    assignments and coverage out.
  names: in the list of cases opened, 被反映人 and every name in the clue titles are masked
    unless ``show_names=True`` (``toolkit.masking``); with the names shown, the document says so
    in red under its title and the workbook on a first sheet 说明.
"""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd

from toolkit import charts, labels, metrics
from toolkit.filters import Filters, scoped
from toolkit.masking import NAMES_SHOWN_ZH, NameMasker, mask_columns
from toolkit.metrics.base import view_on
from toolkit.models import Disposal
from toolkit.reports import figures
from toolkit.reports.session import reporting
from toolkit.reports.word import add_picture, add_table, heading, new_document, paragraph, to_bytes
from toolkit.reports.workbook import Column, Sheet, workbook_bytes

QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """'2020Q4' -> (2020-10-01, 2020-12-31); anything else is a ValueError naming the format."""
    m = QUARTER.match(quarter.strip())
    if not m:
        raise ValueError(f"quarter: expected YYYYQn such as 2020Q4, got {quarter!r}")
    year, q = int(m.group(1)), int(m.group(2))
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


def shift(quarter: str, quarters: int) -> str:
    start, _ = quarter_bounds(quarter)
    n = start.year * 4 + (start.month - 1) // 3 + quarters
    return f"{n // 4}Q{n % 4 + 1}"


def periods(quarter: str) -> dict[str, str]:
    """The three periods compared: this quarter, the previous one, the same quarter last year."""
    return {"this": quarter.upper(), "previous": shift(quarter, -1), "last_year": shift(quarter, -4)}


def scope_filters(ledger, region: str | None, team: str | None) -> tuple[Filters, Filters]:
    """(filters for problems and inspections, filters for clues): a team has no clues of its own,
    so for clues it becomes the rounds and units it inspected."""
    if region and team:
        raise ValueError("region, team: give one or the other")
    if region:
        return Filters(region=region), Filters(region=region)
    if team:
        insp = scoped(ledger, "inspections", Filters(team=team)).select("round", "unit").execute()
        if insp.empty:
            raise ValueError(f"team: no inspections by {team!r}")
        return Filters(team=team), Filters(
            round=tuple(insp["round"].unique()), unit=tuple(insp["unit"].unique())
        )
    return Filters(), Filters()


def _between(column, start: dt.date, end: dt.date):
    return (column >= start) & (column <= end)


def work(ledger, quarter: str, filters: Filters, clue_filters: Filters) -> pd.DataFrame:
    """本季度工作: one row per item, one column per period (see the module docstring)."""
    _, end = quarter_bounds(quarter)
    view = view_on(ledger, end)  # records keep their unit and round on past dates
    insp = scoped(view, "inspections", filters).select("round", "unit", "feedback_on").execute()
    problems = scoped(view, "problems", filters).select("found_on", "rectified_on").execute()
    clues = scoped(view, "clues", clue_filters).select("transferred_on", "case_opened_on").execute()
    rows = {
        "rounds": ("反馈巡察轮次", insp, "feedback_on", "round"),
        "units": ("反馈被巡察单位", insp, "feedback_on", "unit"),
        "found": ("发现问题", problems, "found_on", None),
        "rectified": ("完成整改问题", problems, "rectified_on", None),
        "clues": ("移交问题线索", clues, "transferred_on", None),
        "cases": ("立案", clues, "case_opened_on", None),
    }
    out = []
    for key, (title, frame, column, distinct) in rows.items():
        row = {"key": key, "item": title}
        dates = pd.to_datetime(frame[column])
        for period, q in periods(quarter).items():
            s, e = quarter_bounds(q)
            inside = frame[(dates >= pd.Timestamp(s)) & (dates <= pd.Timestamp(e))]
            row[period] = inside[distinct].nunique() if distinct else len(inside)
        out.append(row)
    return pd.DataFrame(out)


INDICATORS = (
    # key, title, metric, column, kind, needs region-capable dimensions (not for a team)
    ("problems", "累计发现问题", "headline", "problems", "int", False),
    ("rectified", "已整改问题", "headline", "rectified", "int", False),
    ("rectification_rate", "整改率", "headline", "rate", "rate", False),
    ("on_time_rate", "按期整改率", "on-time-rate", "rate", "rate", False),
    ("open", "未整改问题", "overdue-summary", "open", "int", False),
    ("red", "红色预警问题", "overdue-summary", "red", "int", False),
    ("case_conversion", "成案率", "case-conversion", "rate", "rate", True),
    ("sanctioned", "党纪政务处分（人）", "outcomes", "sanctioned", "int", True),
    ("assignments", "交办事项按期反馈率", "assignments", "rate", "rate", None),
    ("coverage", "巡察全覆盖率", "coverage", "rate", "rate", None),
)


def indicators(ledger, quarter: str, filters: Filters, clue_filters: Filters, team: bool) -> pd.DataFrame:
    """主要指标 at the end of each period, with changes (counts, or rates in percentage points)."""
    results: dict[tuple[str, str], pd.DataFrame] = {}
    rows = []
    for key, title, name, column, kind, clue_like in INDICATORS:
        if clue_like is None and team:
            continue  # assignments and coverage have no team dimension
        row = {"key": key, "item": title, "kind": kind, "change_kind": "pp" if kind == "rate" else "delta"}
        for period, q in periods(quarter).items():
            day = quarter_bounds(q)[1]
            if (name, period) not in results:
                f = clue_filters if clue_like else filters
                results[(name, period)] = metrics.REGISTRY[name].func(ledger, as_of=day, filters=f)
            row[period] = results[(name, period)][column].iloc[0]
        row["vs_previous"] = row["this"] - row["previous"]
        row["vs_last_year"] = row["this"] - row["last_year"]
        rows.append(row)
    return pd.DataFrame(rows)


@reporting
def quarterly_sheets(
    ledger, quarter: str = "2020Q4", *, region=None, team=None, show_names=False
) -> dict[str, Sheet]:
    """Every table of the report, keyed by section (the tests compare these with the metrics)."""
    start, end = quarter_bounds(quarter)
    filters, clue_filters = scope_filters(ledger, region, team)
    p = periods(quarter)
    prev, last = p["previous"], p["last_year"]
    cmp_columns = (
        Column("项目", "item"),
        Column(f"本季度（{quarter}）", "this", "int"),
        Column(f"上季度（{prev}）", "previous", "int"),
        Column(f"去年同期（{last}）", "last_year", "int"),
    )
    overdue_by_region = metrics.overdue_summary(ledger, as_of=end, filters=filters, by="region")
    red = metrics.overdue(ledger, as_of=end, filters=filters)
    red = red[red["colour"] == "red"].assign(days_overdue=lambda df: -df["days_left"])
    outcomes = metrics.outcomes(ledger, as_of=end, filters=clue_filters, by="region")
    conversion = metrics.case_conversion(ledger, as_of=end, filters=clue_filters, by="region")
    clues = outcomes.merge(conversion[["region", "disposed", "rate"]], on="region", how="left")
    overdue_by_region, clues = _by_region_order(overdue_by_region), _by_region_order(clues)
    peers = metrics.peer_comparison(ledger, as_of=end, by="region", indicator="rectification-rate")
    peers["outlier"] = peers["low_outlier"].map({True: "偏低", False: ""})
    peers["subject"] = (peers["region"] == region).map({True: "◀ 本地区", False: ""}) if region else ""
    return {
        "work": Sheet("本季度工作", work(ledger, quarter, filters, clue_filters), cmp_columns),
        "indicators": Sheet(
            "主要指标",
            indicators(ledger, quarter, filters, clue_filters, team=bool(team)),
            (
                Column("指标", "item"),
                Column(f"本季度末（{labels.date(end)}）", "this", "row:kind"),
                Column(f"上季度末（{prev}）", "previous", "row:kind"),
                Column("环比", "vs_previous", "row:change_kind"),
                Column(f"去年同期（{last}）", "last_year", "row:kind"),
                Column("同比", "vs_last_year", "row:change_kind"),
            ),
        ),
        "overdue": Sheet(
            "三色预警", overdue_by_region, OVERDUE_COLUMNS, note=f"截至{labels.date(end)}，江津预警规则"
        ),
        "red": Sheet("红色预警问题", red, RED_COLUMNS),
        "clues": Sheet("线索处置与问责", clues, CLUE_COLUMNS),
        "cases": Sheet(
            "本季度立案线索", cases_opened(ledger, start, end, clue_filters, show_names), CASE_COLUMNS
        ),
        "districts": Sheet("地区比较", peers, PEER_COLUMNS, note="各地区整改率与其他地区中位数比较"),
    }


def _by_region_order(df: pd.DataFrame) -> pd.DataFrame:
    """市本级 first, then districts, county-level cities and counties, as offices list them."""
    order = {r: i for i, r in enumerate(labels.region_order(df["region"]))}
    return df.sort_values("region", key=lambda s: s.map(order)).reset_index(drop=True)


def cases_opened(ledger, start, end, clue_filters: Filters, show_names: bool) -> pd.DataFrame:
    clues = scoped(view_on(ledger, end), "clues", clue_filters)
    clues = clues.filter(_between(clues.case_opened_on, start, end))
    df = clues.select(
        "id", "region", "unit_name", "title", "subject", "subject_post", "case_opened_on", "sanctioned"
    ).execute()
    if not show_names:
        df = mask_columns(df, NameMasker.for_ledger(ledger), ["title"], "subject")
    df["disposal"] = Disposal.CASE.label_zh
    return df.sort_values(["case_opened_on", "id"]).reset_index(drop=True)


@reporting
def quarterly(
    ledger,
    quarter: str = "2020Q4",
    *,
    region: str | None = None,
    team: str | None = None,
    fmt: str = "docx",
    show_names: bool = False,
) -> bytes:
    """The quarterly report as .docx (text, tables, two charts) or .xlsx (the tables) bytes."""
    if fmt not in ("docx", "xlsx"):
        raise ValueError(f"fmt: docx or xlsx, got {fmt!r}")
    sheets = quarterly_sheets(ledger, quarter, region=region, team=team, show_names=show_names)
    notice = NAMES_SHOWN_ZH if show_names else ""
    if fmt == "xlsx":
        return workbook_bytes(list(sheets.values()), notice=notice)
    start, end = quarter_bounds(quarter)
    subject = region or team or "全市"
    doc = new_document(
        f"{subject}巡察工作季度报告（{quarter}）", f"{labels.date(start)}至{labels.date(end)}", notice=notice
    )
    w = sheets["work"].frame.set_index("key")["this"]
    heading(doc, "一、本季度巡察工作")
    paragraph(
        doc,
        f"本季度完成巡察反馈 {w['rounds']} 轮次，涉及被巡察单位 {w['units']} 个；发现问题 {w['found']} 个，"
        f"完成整改 {w['rectified']} 个；移交问题线索 {w['clues']} 件，立案 {w['cases']} 件。",
    )
    add_table(doc, sheets["work"])
    heading(doc, "二、主要指标")
    add_table(doc, sheets["indicators"])
    heading(doc, "三、整改三色预警")
    add_table(doc, sheets["overdue"])
    add_picture(
        doc, figures.png(figures.overdue_by_region(sheets["overdue"].frame)), "图1 各地区整改三色预警"
    )
    add_table(doc, sheets["red"], limit=15)
    heading(doc, "四、问题线索处置及问责")
    add_table(doc, sheets["clues"])
    add_table(doc, sheets["cases"], limit=15)
    heading(doc, "五、地区比较")
    peers = sheets["districts"].frame.rename(columns={"value": "rate"})
    add_picture(doc, figures.png(charts.problems_by_region(peers)), "图2 各地区发现问题与整改情况")
    add_table(doc, sheets["districts"])
    return to_bytes(doc)


OVERDUE_COLUMNS = (
    Column("地区", "region"),
    Column("未整改", "open", "int"),
    Column("红色", "red", "int"),
    Column("黄色", "yellow", "int"),
    Column("绿色", "green", "int"),
    Column("未预警", "none", "int"),
    Column("红色占比", "rate", "rate"),
)
RED_COLUMNS = (
    Column("问题编号", "id"),
    Column("被巡察单位", "unit_name"),
    Column("问题类别", "category"),
    Column("整改时限", "due", "date"),
    Column("逾期天数", "days_overdue", "int"),
    Column("延期次数", "extensions", "int"),
)
CLUE_COLUMNS = (
    Column("地区", "region"),
    Column("移交线索", "clues", "int"),
    Column("已处置", "disposed", "int"),
    Column("立案", "cases", "int"),
    Column("成案率", "rate", "rate"),
    Column("党纪政务处分（人）", "sanctioned", "int"),
    Column("移送司法（人）", "prosecuted", "int"),
    Column("挽回经济损失（万元）", "recovered_yuan", "wan"),
)
CASE_COLUMNS = (
    Column("线索编号", "id"),
    Column("地区", "region"),
    Column("被巡察单位", "unit_name"),
    Column("线索名称", "title", "wide"),
    Column("被反映人", "subject"),
    Column("职务", "subject_post"),
    Column("立案时间", "case_opened_on", "date"),
)
PEER_COLUMNS = (
    Column("地区", "region"),
    Column("发现问题", "problems", "int"),
    Column("已整改", "rectified", "int"),
    Column("整改率", "value", "rate"),
    Column("其他地区中位数", "peer_median", "rate"),
    Column("差距", "gap", "pp"),
    Column("偏低", "outlier"),
    Column("", "subject"),
)
