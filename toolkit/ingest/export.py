"""Export the ledger (now, or as it stood on a date) to a formatted Excel workbook.

Sheets: 整改台账 (problems), 问题线索台账 (clues), then the reference sheets 巡察轮次, 被巡察单位,
巡察记录 and 交办事项 (assignments). Chinese headers the importer knows, a frozen header row, column widths, dates as date
cells, amounts in 万元 shown with two decimals. The cell keeps the exact value (元 / 10000), so
nothing is lost when the workbook is imported again: ``import_files`` on an export into an empty
ledger gives the same records (the ids travel in 记录编号 / 轮次编号 / 单位编号).

A 立行立改 deadline is written ``立行立改（2021-06-30）`` to keep its date.

Names of persons are masked unless ``show_names=True``: an export is a file that travels. The
被反映人 column keeps the surname only (王某甲 -> 王**), and every name in the free text (clue
titles, problem descriptions, assignment titles) is masked the same way (``toolkit.masking``:
every subject the ledger records, names after a post word). A first sheet 说明 says which it is;
a masked export cannot restore the names it hides, so only an export with the names shown is a
copy of the ledger.

Every cell is written through ``toolkit.safe_xlsx``: a description ``=HYPERLINK(...)`` stays that
text, never a formula, and imports back as the same text.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from toolkit.masking import NAMES_MASKED_ZH, NAMES_SHOWN_ZH, NameMasker, mask_columns
from toolkit.models import DeadlineKind, Disposal, ProblemStatus, RoundKind, RoundLevel, UnitKind
from toolkit.safe_xlsx import text_cell

DATE_FORMAT = "yyyy-mm-dd"
WAN_FORMAT = "#,##0.00"
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")

# (header, source column, kind): kind says how the value is written.
PROBLEM_COLUMNS = [
    ("记录编号", "id", "text"),
    ("轮次编号", "round_id", "text"),
    ("巡察轮次", "round_name", "text"),
    ("单位编号", "unit_id", "text"),
    ("被巡察单位", "unit_name", "text"),
    ("区县", "unit_region", "text"),
    ("巡察组", "team", "text"),
    ("问题类别", "category", "text"),
    ("问题描述", "description", "wide"),
    ("共性问题", "common", "bool"),
    ("责任部门", "responsible", "text"),
    ("发现时间", "found_on", "date"),
    ("整改时限", "due", "deadline"),
    ("整改状态", "status", "status"),
    ("整改完成时间", "rectified_on", "date"),
    ("销号时间", "closed_on", "date"),
    ("涉及金额（万元）", "amount_yuan", "wan"),
    ("登记日期", "added_at", "date"),
]
CLUE_COLUMNS = [
    ("记录编号", "id", "text"),
    ("轮次编号", "round_id", "text"),
    ("巡察轮次", "round_name", "text"),
    ("单位编号", "unit_id", "text"),
    ("被巡察单位", "unit_name", "text"),
    ("区县", "unit_region", "text"),
    ("线索名称", "title", "wide"),
    ("被反映人", "subject", "text"),
    ("职务", "subject_post", "text"),
    ("线索来源", "source", "text"),
    ("移交时间", "transferred_on", "date"),
    ("处置方式", "disposal", "disposal"),
    ("办结时间", "disposed_on", "date"),
    ("立案时间", "case_opened_on", "date"),
    ("党纪政务处分（人）", "sanctioned", "int"),
    ("移送司法（人）", "prosecuted", "int"),
    ("挽回经济损失（万元）", "recovered_yuan", "wan"),
    ("登记日期", "added_at", "date"),
]
ROUND_COLUMNS = [
    ("轮次编号", "id", "text"),
    ("巡察轮次", "name", "wide"),
    ("届次", "term", "text"),
    ("轮次序号", "number", "int"),
    ("巡察方式", "round_kind", "round_kind"),
    ("巡察层级", "level", "level"),
    ("区县", "region", "text"),
    ("进驻时间", "start", "date"),
    ("撤离时间", "end", "date"),
    ("反馈时间", "feedback_on", "date"),
    ("回头看对象轮次", "looks_back_at", "text"),
    ("登记日期", "added_at", "date"),
]
UNIT_COLUMNS = [
    ("单位编号", "id", "text"),
    ("被巡察单位", "name", "wide"),
    ("区县", "region", "text"),
    ("行业", "sector", "text"),
    ("单位类型", "unit_kind", "unit_kind"),
    ("纳入全覆盖", "in_scope", "bool"),
    ("登记日期", "added_at", "date"),
]
INSPECTION_COLUMNS = [
    ("记录编号", "id", "text"),
    ("轮次编号", "round_id", "text"),
    ("巡察轮次", "round_name", "text"),
    ("单位编号", "unit_id", "text"),
    ("被巡察单位", "unit_name", "text"),
    ("区县", "unit_region", "text"),
    ("巡察组", "team", "text"),
    ("群众反映", "public_reports", "int"),
    ("登记日期", "added_at", "date"),
]
ASSIGNMENT_COLUMNS = [
    ("记录编号", "id", "text"),
    ("交办事项", "title", "wide"),
    ("区县", "assignee_region", "text"),
    ("单位编号", "assignee_unit_id", "text"),
    ("轮次编号", "round_id", "text"),
    ("交办时间", "assigned_on", "date"),
    ("报告时限", "due", "date"),
    ("报告时间", "reported_on", "date"),
    ("登记日期", "added_at", "date"),
]
VOCABS = {
    "status": ProblemStatus,
    "disposal": Disposal,
    "round_kind": RoundKind,
    "level": RoundLevel,
    "unit_kind": UnitKind,
}


# The free text masked in an export without the names: (sheet's frame, columns, its subject column).
MASKED_TEXT = {
    "problems": (["description"], None),
    "clues": (["title"], "subject"),
    "assignments": (["title"], None),
}
NOTICE_SHEET = "说明"
MASKED_NOTICE = (
    NAMES_MASKED_ZH,
    "此文件不含被遮盖的姓名，导入它不能恢复台账中的姓名；备份或迁移台账请由有权限的人员使用 --with-names 导出。",
)


def export_ledger(
    ledger: str | os.PathLike,
    out: str | os.PathLike,
    *,
    as_of: dt.date | None = None,
    show_names: bool = False,
) -> dict[str, int]:
    """Write the workbook; returns the number of rows per sheet (the 说明 sheet not counted)."""
    from toolkit.ledger import Ledger

    with Ledger.open(ledger) as led:
        view = led.as_of(as_of)
        frames = {
            name: view.table(name).execute()
            for name in ("units", "rounds", "inspections", "problems", "clues", "assignments")
        }
        masker = None if show_names else NameMasker.for_ledger(led)
    if masker is not None:
        for name, (columns, subject) in MASKED_TEXT.items():
            frames[name] = mask_columns(frames[name], masker, columns, subject)
    units = frames["units"].set_index("id")
    rounds = frames["rounds"].set_index("id")
    for name in ("inspections", "problems", "clues"):
        frame = frames[name]
        frame["round_name"] = frame["round_id"].map(rounds["name"])
        frame["unit_name"] = frame["unit_id"].map(units["name"])
        frame["unit_region"] = frame["unit_id"].map(units["region"])
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    _notice(wb.create_sheet(NOTICE_SHEET), as_of, show_names)
    counts = {}
    for title, frame, columns in (
        ("整改台账", frames["problems"], PROBLEM_COLUMNS),
        ("问题线索台账", frames["clues"], CLUE_COLUMNS),
        ("巡察轮次", frames["rounds"], ROUND_COLUMNS),
        ("被巡察单位", frames["units"], UNIT_COLUMNS),
        ("巡察记录", frames["inspections"], INSPECTION_COLUMNS),
        ("交办事项", frames["assignments"], ASSIGNMENT_COLUMNS),
    ):
        counts[title] = _sheet(wb.create_sheet(title), frame.sort_values("id"), columns)
    _save_whole(wb, Path(out))
    return counts


def _save_whole(wb, out: Path) -> None:
    """Save beside ``out`` and rename: a failed save (disk full, Ctrl+C) leaves no half a workbook."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.{os.getpid()}.partial")
    try:
        wb.save(partial)
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def _notice(ws, as_of: dt.date | None, show_names: bool) -> None:
    """The 说明 sheet: what the file holds and whether persons' names are in it."""
    day = as_of.isoformat() if as_of else dt.date.today().isoformat()
    lines = [f"巡察台账导出，截至 {day}。", *((NAMES_SHOWN_ZH,) if show_names else MASKED_NOTICE)]
    for i, line in enumerate(lines):
        cell = text_cell(ws, line)
        if i == 1:
            cell.font = Font(bold=True, color="C00000")
        ws.append([cell])
    ws.column_dimensions["A"].width = 100


def _sheet(ws, frame: pd.DataFrame, columns) -> int:
    header = [text_cell(ws, header) for header, _, _ in columns]
    for cell in header:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.append(header)
    formats = {"date": DATE_FORMAT, "wan": WAN_FORMAT}
    wrap = Alignment(wrap_text=True, vertical="top")
    # Cells are styled as they are made: ws.max_row walks every cell, too slow for 100k rows.
    for record in frame.to_dict("records"):
        row = []
        for _, source, kind in columns:
            cell = text_cell(ws, _value(record, source, kind))
            if kind in formats:
                cell.number_format = formats[kind]
            elif kind == "wide":
                cell.alignment = wrap
            row.append(cell)
        ws.append(row)
    for j, (header, _, kind) in enumerate(columns, start=1):
        width = (
            40
            if kind == "wide"
            else 14
            if kind in ("date", "deadline", "wan")
            else max(10, len(header) * 2 + 2)
        )
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    return len(frame)


def _value(record: dict[str, Any], source: str, kind: str) -> Any:
    value = _plain(record.get(source))
    if kind == "deadline":
        deadline = DeadlineKind(record["deadline"])
        if deadline is DeadlineKind.ONGOING:
            return DeadlineKind.ONGOING.label_zh
        if deadline is DeadlineKind.IMMEDIATE:
            return (
                f"{DeadlineKind.IMMEDIATE.label_zh}（{value.isoformat()}）"
                if value
                else DeadlineKind.IMMEDIATE.label_zh
            )
        return value
    if value is None:
        return None
    if kind in VOCABS:
        return VOCABS[kind](value).label_zh
    if kind == "wan":
        return int(value) / 10_000
    if kind == "bool":
        return "是" if value else "否"
    if kind == "int":
        return int(value)
    return value


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value
