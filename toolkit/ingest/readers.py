"""Readers: turn a file into raw sheets (a grid of cell values, row 1 first), nothing more.

Layout (where the header is, which lines are totals) is decided later by ``layout``; a reader
only has to keep every row in its place so that a rejected row can be reported with the row
number Excel shows. That is why the grid always starts at A1, blank rows included.

Before any engine touches a file, ``preflight.survey`` checks what its bytes really are and that
its size and shape are within ``limits`` (a 2 KB workbook can declare 17 billion cells; a zip
bomb gigabytes): over a limit, or not what its name says, is ``UnreadableFile`` with a sentence.

Engines: ``.xlsx``/``.xlsm``/``.xls`` go through python-calamine (the engine pandas uses for
``engine="calamine"``; we call it directly because pandas drops the leading blank rows we need
for exact row numbers); if calamine fails, ``.xlsx`` falls back to openpyxl and ``.xls`` to
xlrd. Calamine reads a cell holding an Excel error (``#DIV/0!``) as empty: the survey found
them, and they are put back as their text, so they are rejected, never read as blank (0 元).
``.csv`` is streamed as UTF-8 (with or without BOM), then GB18030 (what Excel on a Chinese
Windows writes), row and column limits checked as it goes. ``.ods`` is not read (save as
``.xlsx``). A file none of them can read raises ``UnreadableFile`` with a one-line reason.
``read_files`` reads the files of one import and bounds their cells together.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import os
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from toolkit.ingest import limits
from toolkit.ingest.preflight import Refused, Survey, survey

Cell = Any
Row = tuple[Cell, ...]


class UnreadableFile(Exception):
    """The file cannot be read at all (missing, not a spreadsheet, unknown encoding)."""

    def __init__(self, path: str | os.PathLike, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{Path(path).name}: {reason}")


@dataclasses.dataclass
class Sheet:
    """One sheet as read. Attributes: name; rows: cell values, ``rows[0]`` is Excel row 1.

    A row is a tuple (never changed once read: a data row keeps it as its cells, no copy)."""

    name: str
    rows: list[Row]


EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")
CSV_ENCODINGS = ("utf-8-sig", "gb18030")


def read_sheets(path: str | os.PathLike, *, engine: str = "auto") -> list[Sheet]:
    """All sheets of ``path``. ``engine`` is ``auto``, ``calamine`` or ``openpyxl`` (benchmarks)."""
    path = Path(path)
    if path.is_dir():
        raise UnreadableFile(path, "这是一个文件夹，不是文件 / this is a folder, not a file")
    if not path.is_file():
        raise UnreadableFile(path, "文件不存在 / file not found")
    suffix = path.suffix.lower()
    if suffix == ".ods":
        raise UnreadableFile(
            path, "不支持 .ods，请另存为 .xlsx 再导入 / .ods is not read: save it as .xlsx and import that"
        )
    if suffix != ".csv" and suffix not in EXCEL_SUFFIXES:
        raise UnreadableFile(path, f"不支持的文件类型 / unsupported file type {suffix or '(none)'}")
    try:
        found = survey(path)
    except Refused as refused:
        raise UnreadableFile(path, str(refused)) from None
    except OSError as err:
        raise UnreadableFile(path, f"无法读取 / cannot read: {err.strerror or err}") from None
    if found.kind == "csv":
        return [Sheet(path.stem, _read_csv(path))]
    errors = []
    engines = [engine] if engine != "auto" else ["calamine", "xlrd" if found.kind == "xls" else "openpyxl"]
    for name in engines:
        try:
            sheets = _EXCEL_ENGINES[name](path)
        except Refused as refused:
            raise UnreadableFile(path, str(refused)) from None
        except Exception as err:  # any engine failure: try the next one, report all
            errors.append(f"{name}: {type(err).__name__}: {err}".splitlines()[0][:160])
            continue
        _restore_errors(sheets, found)
        return sheets
    raise UnreadableFile(path, "无法读取 / cannot read: " + "; ".join(errors))


def read_files(paths: Iterable[str | os.PathLike], *, engine: str = "auto") -> list[tuple[Path, list[Sheet]]]:
    """Every file of one import, read before anything is written; their cells are bounded
    together (``limits.MAX_IMPORT_CELLS``), so twenty big files cannot exhaust the memory."""
    read, cells = [], 0
    for p in paths:
        sheets = read_sheets(p, engine=engine)
        cells += sum(sum(map(len, sheet.rows)) for sheet in sheets)
        if cells > limits.MAX_IMPORT_CELLS:
            raise UnreadableFile(
                p,
                f"本次导入的文件合计超过 {limits.MAX_IMPORT_CELLS:,} 个单元格，请分批导入 / the files of this "
                f"import hold more than {limits.MAX_IMPORT_CELLS:,} cells together: import them in batches",
            )
        read.append((Path(p), sheets))
    return read


def _read_calamine(path: Path) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    workbook = CalamineWorkbook.from_path(str(path))
    sheets = []
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        merged = getattr(sheet, "merged_cell_ranges", None) or []
        # iter_rows starts at row 1 but at the first used column: the columns left of it are added
        rows = _cleaned(sheet.iter_rows(), left=(sheet.start or (0, 0))[1])
        del sheet  # the engine's own copy of the sheet, freed before the next sheet is parsed
        _fill_vertical_merges(rows, merged)
        sheets.append(Sheet(name, rows))
    return sheets


def _restore_errors(sheets: list[Sheet], found: Survey) -> None:
    """Put back the Excel error values (``#DIV/0!``) an engine read as empty cells."""
    for sheet in sheets:
        rows = sheet.rows
        changed: dict[int, list[Cell]] = {}  # each row touched is copied once, however many errors
        for (r, c), error in found.errors(sheet.name).items():
            if len(rows) < r:
                rows.extend([()] * (r - len(rows)))
            row = changed.get(r - 1)
            if row is None:
                row = changed[r - 1] = list(rows[r - 1])
            if len(row) < c:
                row.extend([None] * (c - len(row)))
            if row[c - 1] is None:
                row[c - 1] = error
        for i, row in changed.items():
            rows[i] = tuple(row)


def _fill_vertical_merges(rows: list[Row], ranges) -> None:
    """A cell merged down over several rows (one 被巡察单位 for five problems) belongs to each row.

    Only merges spanning rows are filled: a title merged across columns stays one cell. Ranges
    are clipped to the sheet, and the cells filled are bounded (``limits.MAX_CELLS``): a file
    cannot make this loop run for ever with ``A1:XFD1048576`` merged a thousand times.
    (The openpyxl fallback reads in read-only mode, which does not see merges.)
    """
    budget = limits.MAX_CELLS
    changed: dict[int, list[Cell]] = {}  # each row touched is copied once, however many merges

    def cells(r: int) -> list[Cell]:
        row = changed.get(r)
        if row is None:
            row = changed[r] = list(rows[r])
        return row

    for (r0, c0), (r1, c1) in ranges:
        if r1 <= r0 or r0 >= len(rows):
            continue
        last_row = min(r1, len(rows) - 1)
        last_col = min(c1, max((len(rows[r]) for r in range(r0, last_row + 1)), default=0) - 1)
        budget -= (last_row - r0 + 1) * max(last_col - c0 + 1, 0)
        if budget < 0:
            raise Refused(
                "合并单元格过多或范围异常，请取消合并后另存再导入 / too many or too large merged "
                "ranges: unmerge the cells, save and import again"
            )
        if last_col < c0:
            continue
        value = cells(r0)[c0] if c0 < len(rows[r0]) else None
        for r in range(r0, last_row + 1):
            end = min(last_col + 1, len(rows[r]))
            if c0 < end:
                cells(r)[c0:end] = [value] * (end - c0)
    for r, row in changed.items():
        rows[r] = tuple(row)


def _read_openpyxl(path: Path) -> list[Sheet]:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheets = []
        for ws in workbook.worksheets:
            rows = [tuple(map(_clean, row)) for row in ws.iter_rows(min_row=1, min_col=1, values_only=True)]
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
                elif cell.ctype == xlrd.XL_CELL_ERROR:  # an error code, never the number it is stored as
                    row.append(xlrd.error_text_from_code.get(cell.value, "#N/A"))
                else:
                    row.append(_clean(cell.value))
            rows.append(tuple(row))
        sheets.append(Sheet(sh.name, rows))
    return sheets


_EXCEL_ENGINES = {"calamine": _read_calamine, "openpyxl": _read_openpyxl, "xlrd": _read_xlrd}


def _read_csv(path: Path) -> list[Row]:
    """The rows of a CSV, streamed: decoded as UTF-8, else GB18030; limits checked as it goes."""
    for encoding in CSV_ENCODINGS:
        try:
            return _csv_rows(path, encoding)
        except UnicodeDecodeError:
            continue
    raise UnreadableFile(
        path,
        "编码无法识别（支持 UTF-8、GB18030），请在 Excel 中另存为“CSV UTF-8（逗号分隔）” / "
        "unknown encoding (UTF-8 and GB18030 are read): save it as CSV UTF-8 in Excel",
    )


def _csv_rows(path: Path, encoding: str) -> list[Row]:
    with open(path, encoding=encoding, newline="") as fh:
        reader = csv.reader(fh)
        try:
            return _cleaned(_within_limits(path, reader))
        except csv.Error as err:
            raise UnreadableFile(
                path,
                f"第 {reader.line_num} 行无法按 CSV 读取（{err}）；单个单元格过长或引号不配对 / line "
                f"{reader.line_num} is not valid CSV ({err}): a field far too long, or an unclosed quote",
            ) from None


def _within_limits(path: Path, reader) -> Iterator[list[str]]:
    """The rows of a CSV reader, stopped at the first that takes the CSV over a limit."""
    width = 0
    for n, row in enumerate(reader):
        width = max(width, len(row))
        if n >= limits.MAX_ROWS or width > limits.MAX_COLUMNS or width * n > limits.MAX_CELLS:
            raise UnreadableFile(
                path,
                f"CSV 超过上限（{limits.MAX_ROWS:,} 行、{limits.MAX_COLUMNS:,} 列、{limits.MAX_CELLS:,} 个单元格），"
                f"第 {reader.line_num} 行处停止读取；请分批导入 / the CSV is over the limits "
                f"({limits.MAX_ROWS:,} rows, {limits.MAX_COLUMNS:,} columns, {limits.MAX_CELLS:,} cells), "
                f"stopped at line {reader.line_num}: split it",
            )
        yield row


CHUNK_ROWS = 1024  # rows an engine hands over are cleaned this many at a time (cells still cached)
SHARED_TEXT = 64  # texts up to this long that repeat (units, rounds, statuses) are kept once


def _cleaned(rows: Iterable[list[Cell]], left: int = 0) -> list[Row]:
    """An engine's rows cleaned (``_clean``), as tuples, ``left`` empty cells put before each.

    Column by column, a chunk of rows at a time: a column of numbers or dates is kept as it is,
    a column of texts loses its blanks and shares its repeated texts (a big sheet holds each unit
    and status once), and the engine's own rows of a chunk are dropped before the next is read.
    """
    texts = _Texts()
    out: list[Row] = []
    pad = [None] * left
    it = iter(rows)
    while chunk := list(islice(it, CHUNK_ROWS)):
        if len(set(map(len, chunk))) > 1:  # not a rectangle: cell by cell
            out += [(*pad, *[texts[v] if type(v) is str else _clean(v) for v in row]) for row in chunk]
            continue
        height = len(chunk)
        columns = [_clean_column(col, texts) for col in zip(*chunk, strict=True)]
        del chunk
        if not columns:  # rows without cells
            out += [tuple(pad)] * height
            continue
        out += zip(*[(None,) * height] * left, *columns, strict=True)
    return out


_KEPT = frozenset({float, int, bool, dt.date, dt.time, dt.timedelta, type(None)})


def _clean_column(col: tuple[Cell, ...], texts: _Texts):
    """One column of a chunk, cleaned: the tuple itself when nothing in it changes."""
    kinds = set(map(type, col))
    if kinds <= _KEPT:
        return col
    if len(kinds) == 1 and str in kinds:
        distinct = set(col)
        if len(distinct) * 2 > len(col) and "" not in distinct and not any(map(str.isspace, distinct)):
            return col  # mostly distinct texts (descriptions), none blank: nothing to share
        return list(map(texts.__getitem__, col))
    if dt.datetime in kinds:
        return [texts[v] if type(v) is str else _clean(v) for v in col]
    return [texts[v] if type(v) is str else v for v in col]


class _Texts(dict):
    """A text cell -> the text (None when blank); each short text is kept once (the first seen)."""

    def __missing__(self, text: str) -> str | None:
        value = text if text.strip() else None  # _clean's rule for a text, inline: met once per distinct text
        if len(text) <= SHARED_TEXT:
            self[text] = value
        return value


def _clean(value: Cell) -> Cell:
    """Blank is None; a midnight datetime is a date; floats that are whole stay floats (amounts)."""
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, dt.datetime):
        return value.date() if value.time() == dt.time(0) else value
    return value
