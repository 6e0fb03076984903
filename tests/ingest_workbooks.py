"""Helpers for the ingest tests: workbooks are built here, in code, never hand-edited binaries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl

ROUND = "十四届青溪县委第三轮巡察"
HEADER = ["序号", "被巡察单位", "问题类别", "问题描述", "整改时限", "整改状态"]


def write_xlsx(path: Path, *sheets: tuple[str, list[list]]) -> Path:
    """A workbook with the given (sheet name, rows) in order; rows start at A1."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def problem_rows(n: int, *, unit: str = "县水务局党组", status: str = "整改中") -> list[list]:
    return [
        [i + 1, unit, "财务管理和资金使用", f"问题{i + 1}：资金管理不规范", dt.date(2021, 9, 30), status]
        for i in range(n)
    ]


def simple_ledger(path: Path, rows: list[list] | None = None) -> Path:
    return write_xlsx(path, ("台账", [HEADER, *(rows if rows is not None else problem_rows(3))]))
