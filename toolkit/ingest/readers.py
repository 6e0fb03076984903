"""Readers: turn a file into raw sheets (a grid of cell values, row 1 first), nothing more.

Layout (where the header is, which lines are totals) is decided later by ``layout``; a reader
only has to keep every row in its place so that a rejected row can be reported with the row
number Excel shows. That is why the grid always starts at A1, blank rows included.

Engines: ``.xlsx``/``.xlsm``/``.xls`` go through python-calamine (the engine pandas uses for
``engine="calamine"``; we call it directly because pandas drops the leading blank rows we need
for exact row numbers); if calamine fails, ``.xlsx`` falls back to openpyxl and ``.xls`` to
xlrd. ``.csv`` is tried as UTF-8 (with or without BOM), then GB18030 (what Excel on a Chinese
Windows writes). A file none of them can read raises ``UnreadableFile`` with a one-line reason.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

Cell = Any


class UnreadableFile(Exception):
    """The file cannot be read at all (missing, not a spreadsheet, unknown encoding)."""

    def __init__(self, path: str | os.PathLike, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{Path(path).name}: {reason}")


@dataclasses.dataclass
class Sheet:
    """One sheet as read. Attributes: name; rows: cell values, ``rows[0]`` is Excel row 1."""

    name: str
    rows: list[list[Cell]]


EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def read_sheets(path: str | os.PathLike, *, engine: str = "auto") -> list[Sheet]:
    """All sheets of ``path``. ``engine`` is ``auto``, ``calamine`` or ``openpyxl`` (benchmarks)."""
    path = Path(path)
    if not path.is_file():
        raise UnreadableFile(path, "文件不存在 / file not found")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [Sheet(path.stem, _read_csv(path))]
    if suffix not in EXCEL_SUFFIXES:
        raise UnreadableFile(path, f"不支持的文件类型 / unsupported file type {suffix or '(none)'}")
    errors = []
    engines = [engine] if engine != "auto" else ["calamine", "xlrd" if suffix == ".xls" else "openpyxl"]
    for name in engines:
        try:
            return _EXCEL_ENGINES[name](path)
        except Exception as err:  # any engine failure: try the next one, report all
            errors.append(f"{name}: {type(err).__name__}: {err}".splitlines()[0][:160])
    raise UnreadableFile(path, "无法读取 / cannot read: " + "; ".join(errors))


def _read_calamine(path: Path) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    sheets = []
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        rows = [[_clean(v) for v in row] for row in sheet.to_python(skip_empty_area=False)]
        _fill_vertical_merges(rows, getattr(sheet, "merged_cell_ranges", None) or [])
        sheets.append(Sheet(name, rows))
    return sheets


def _fill_vertical_merges(rows: list[list[Cell]], ranges) -> None:
    """A cell merged down over several rows (one 被巡察单位 for five problems) belongs to each row.

    Only merges spanning rows are filled: a title merged across columns stays one cell.
    (The openpyxl fallback reads in read-only mode, which does not see merges.)
    """
    for (r0, c0), (r1, c1) in ranges:
        if r1 <= r0 or r0 >= len(rows):
            continue
        for c in range(c0, c1 + 1):
            value = rows[r0][c0] if c0 < len(rows[r0]) else None
            for r in range(r0, min(r1, len(rows) - 1) + 1):
                if c < len(rows[r]):
                    rows[r][c] = value


def _read_openpyxl(path: Path) -> list[Sheet]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = []
        for ws in workbook.worksheets:
            rows = [[_clean(v) for v in row] for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
            sheets.append(Sheet(ws.title, rows))
        return sheets
    finally:
        workbook.close()


def _read_xlrd(path: Path) -> list[Sheet]:
    import xlrd

    book = xlrd.open_workbook(str(path))
    sheets = []
    for sh in book.sheets():
        rows = []
        for r in range(sh.nrows):
            row = []
            for c in range(sh.ncols):
                cell = sh.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(_clean(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)))
                else:
                    row.append(_clean(cell.value))
            rows.append(row)
        sheets.append(Sheet(sh.name, rows))
    return sheets


_EXCEL_ENGINES = {"calamine": _read_calamine, "openpyxl": _read_openpyxl, "xlrd": _read_xlrd}


def _read_csv(path: Path) -> list[list[Cell]]:
    data = path.read_bytes()
    for encoding in CSV_ENCODINGS:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return [[_clean(v) for v in row] for row in csv.reader(io.StringIO(text, newline=""))]
    raise UnreadableFile(
        path, "编码无法识别（支持 UTF-8、GB18030）/ unknown encoding (UTF-8, GB18030 supported)"
    )


def _clean(value: Cell) -> Cell:
    """Blank is None; a midnight datetime is a date; floats that are whole stay floats (amounts)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    return value
