"""Layout detection: find the table inside a sheet the way a person reading it would.

Offices' sheets start with a title (often merged across the columns: ``中共青溪县委第三巡察组
反馈问题整改台账``), then a ``填报单位：……  填报时间：……`` line, then the header row; below the
data come ``合计`` lines and ``注：`` notes. The rules, in order:

1. The header row is the first of the top ``HEADER_SCAN`` rows whose cells name enough known
   columns (``aliases.ledger_kind``); rows above it are the title and the 填报 line (``meta``).
   A second header row directly below (merged group headers such as 整改情况 over 整改状态 /
   销号时间) fills in the columns the first row left unnamed.
2. Below the header, every non-blank line is a data row unless the *whole line* says otherwise
   (never a word at the start of one cell: 共计3笔专项资金未及时入账 is a problem). Skipped, and
   listed with the reason in the report: a totals line (合计/小计 label in one of the first three
   columns, nothing else but numbers); a note (注：/ 说明：/ 备注：… alone on its line, or
   spilling only into columns the table does not use) and the lines that continue it; a filler
   line (以下空白); a lone ``一、……方面`` section heading (remembered as the category of the rows
   below it, used when the sheet has no 问题类别 column); a repeated header or title (printed
   page headers); column numbering (1, 2, 3 ...); a 填表人：/ 审核人：/ 填报时间：line. A note
   does not end the table: rows after it that hold data are data. Every data row must end up
   accepted, rejected or duplicate.
3. A sheet with no header row holds no ledger (an instructions sheet, a chart) and is listed in
   the report as skipped, not silently ignored.
"""

from __future__ import annotations

import dataclasses
import re
from itertools import compress, count, repeat
from operator import not_

from toolkit.ingest import aliases, limits
from toolkit.ingest.readers import Cell, Sheet

HEADER_SCAN = 30
META_LENGTH = 200  # characters of a line above the header that are read (title, 填报 line)


@dataclasses.dataclass(frozen=True)
class Column:
    """A column of the table: position (0-based), header text as written, field and unit."""

    index: int
    header: str
    field: str | None
    unit: str | None

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclasses.dataclass(slots=True)  # one per data row: no __dict__ each, and made fast (not frozen)
class DataRow:
    """One data row: ``excel_row`` is the 1-based row number Excel shows; cells as read (never
    changed: the row the reader made, shared)."""

    excel_row: int
    cells: tuple[Cell, ...]
    section: str = ""  # the heading line above it (一、落实中央八项规定精神方面), if any


@dataclasses.dataclass
class Table:
    """The ledger found in one sheet.

    Attributes:
      kind: ``aliases.PROBLEM`` or ``aliases.CLUE``.
      header_row: Excel row number of the header.
      columns: every column of the header row, known or not (unknown ones are kept for rejects).
      rows: the data rows.
      title: the title line above the header ('' if none); meta: the 填报单位 / 填报时间 values.
      skipped: (excel_row, reason) for every non-blank line below the header that is not data.
    """

    sheet: str
    kind: str
    header_row: int
    columns: list[Column]
    rows: list[DataRow]
    title: str = ""
    meta: dict[str, str] = dataclasses.field(default_factory=dict)
    skipped: list[tuple[int, str]] = dataclasses.field(default_factory=list)

    def column(self, field: str) -> Column | None:
        for col in self.columns:
            if col.field == field:
                return col
        return None


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: the column name Excel shows."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _text(cell: Cell) -> str:
    return "" if cell is None else aliases.to_halfwidth(str(cell)).strip()


def _raw(cell: Cell) -> str:
    """Header text as written (full-width brackets kept): rejects show the analyst's own header."""
    return "" if cell is None else str(cell).strip()


def _match_row(row: list[Cell]) -> list[aliases.HeaderMatch | None]:
    return [aliases.match_header(c) if isinstance(c, str) else None for c in row]


def find_table(sheet: Sheet) -> Table | None:
    """The ledger table in ``sheet``, or None when no row looks like a ledger header."""
    rows = sheet.rows
    for i, row in enumerate(rows[:HEADER_SCAN]):
        matches = _match_row(row)
        fields = {m.field for m in matches if m}
        kind = aliases.ledger_kind(fields)
        if kind is None:
            continue
        first_data = i + 1
        if first_data < len(rows) and _is_subheader(rows[first_data], matches):
            sub = _match_row(rows[first_data])
            matches = [s or m for m, s in zip(matches, sub + [None] * len(matches), strict=False)]
            first_data += 1
        columns = _columns(row, rows[first_data - 1] if first_data > i + 1 else [], matches)
        table = Table(sheet.name, kind, i + 1, columns, [])
        table.title, table.meta = _meta(rows[:i])
        _collect_rows(table, rows, first_data)
        return table
    return None


def _is_subheader(row: list[Cell], above: list[aliases.HeaderMatch | None]) -> bool:
    """A row right under the header that names columns and holds nothing else."""
    texts = [(j, c) for j, c in enumerate(row) if c is not None]
    if not texts:
        return False
    hits = 0
    for j, cell in texts:
        m = aliases.match_header(cell) if isinstance(cell, str) else None
        if m is None:
            return False
        if j >= len(above) or above[j] is None:
            hits += 1
    return hits > 0


def _columns(header: list[Cell], sub: list[Cell], matches) -> list[Column]:
    columns = []
    width = max(len(header), len(sub))
    for j in range(width):
        top = _raw(header[j]) if j < len(header) else ""
        low = _raw(sub[j]) if j < len(sub) else ""
        m = matches[j] if j < len(matches) else None
        columns.append(Column(j, low or top, m.field if m else None, m.unit if m else None))
    # When two columns claim one field (单位 and 被巡察单位), the first wins; the other is kept raw.
    seen: set[str] = set()
    for k, col in enumerate(columns):
        if col.field in seen:
            columns[k] = dataclasses.replace(col, field=None)
        elif col.field:
            seen.add(col.field)
    return columns


_META_RE = re.compile(r"(填报单位|报送单位|填报时间|填报日期|填表人)\s*[:：]\s*(.*?)(?=\s+\S+\s*[:：]|$)")


def _meta(above: list[list[Cell]]) -> tuple[str, dict[str, str]]:
    """Title (first text line) and the 填报单位 / 填报时间 values from the lines above the header."""
    title, meta = "", {}
    for row in above:
        # a title or a 填报 line is short: the cut keeps hostile kilobytes from the regexes
        line = " ".join(_text(c)[:META_LENGTH] for c in row if c is not None).strip()[:META_LENGTH]
        if not line:
            continue
        found = _META_RE.findall(line)
        if found:
            for key, value in found:
                if value.strip():
                    meta[aliases.META_KEYS[key]] = value.strip()
        elif not title:
            title = line
    return title, meta


def _words(words) -> str:
    """A regex alternative of words kept as data in ``aliases``."""
    return "|".join(re.escape(w) for w in words)


_TOTAL_RE = re.compile(rf"^(?:{_words(aliases.TOTAL_WORDS)})\s*[:：]?\s*(?P<rest>.*)$", re.I)
# Unambiguous, so a long non-number fails in linear time (no backtracking blow-up).
_NUMBER_LIKE_RE = re.compile(
    r"^(?:共|计)?[-+]?(?=[,，]*\.?\d)[\d,，]*(?:\.\d+)?(?:万元|亿元|元|万|亿|项|个|件|条|人|户|笔|家|%|％)?$"
)
SHORT = 64  # a total, a count or a label is short: longer text is never one (and is not matched)
_BRACKETED_RE = re.compile(r"^[(（][^()（）]{0,20}[)）]$")
_NOTE_RE = re.compile(rf"^(?:{_words(aliases.NOTE_WORDS)})\s*(?:\d+|[①-⑳])?\s*(?:[:：、.]|$)", re.I)
_SIGNATURE_RE = re.compile(rf"^(?:{_words((*aliases.SIGNATURE_WORDS, *aliases.META_KEYS))})\s*[:：]", re.I)


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _is_total_label(text: str) -> bool:
    """合计, 合计：, 小计（城关镇）, 合计11项: a label and at most a bracket or a number after it."""
    m = _TOTAL_RE.match(_compact(text)[:SHORT])
    if not m:
        return False
    rest = m.group("rest")
    return rest == "" or bool(_BRACKETED_RE.match(rest) or _NUMBER_LIKE_RE.match(rest))


def _filled(cells: list[str]) -> list[tuple[int, str]]:
    return [(j, c) for j, c in enumerate(cells) if c]


def _is_number_like(cell: Cell, text: str) -> bool:
    """A cell a totals line may hold besides its label: a number, 12.5万元, 11项, 90.3%, -, or an
    Excel error (a broken SUM)."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return True
    compact = _compact(text)
    if len(compact) > SHORT:
        return False
    return (
        compact in ("-", "—", "/", "--")
        or bool(_NUMBER_LIKE_RE.match(compact))
        or limits.excel_error(compact) is not None
    )


def is_total_line(row: list[Cell], cells: list[str]) -> bool:
    """合计 / 小计 in one of the first columns, and nothing else on the line but numbers.

    Judged by the whole line: a problem described as 共计3笔专项资金未及时入账 has more text in
    other columns (unit, deadline, status) and its first cell is no bare label, so it is data.
    """
    filled = _filled(cells)
    if not filled:
        return False
    j, label = filled[0]
    if j > 2 or not _is_total_label(label):
        return False
    return all(_is_number_like(row[k], c) or _is_total_label(c) for k, c in filled[1:])


def is_note_line(cells: list[str], columns: list[Column], in_note: bool) -> bool:
    """A note (注：…, 说明：…, 备注：…) alone on its line, or the next lines of a note (2.…).

    Its text may spill into columns the table does not use, never into a data column: a row with
    a 问题描述 and a 整改时限 is a record, whatever its first cell says.
    """
    filled = _filled(cells)
    if not filled:
        return False
    j, first = filled[0]
    starts_note = bool(_NOTE_RE.match(first))
    continues_note = in_note and len(filled) == 1 and not _is_number_like(first, first)
    if not (starts_note or continues_note):
        return False
    known = {c.index for c in columns if c.field is not None}
    return all(k not in known for k, _ in filled[1:])


def is_filler_line(cells: list[str]) -> bool:
    filled = _filled(cells)
    return len(filled) == 1 and _compact(filled[0][1]) in aliases.FILLER_LINES


def is_signature_line(cells: list[str]) -> bool:
    """填表人：张某  审核人：李某  联系电话：…  (or a repeated 填报单位/填报时间 line)."""
    filled = _filled(cells)
    return bool(filled) and all(_SIGNATURE_RE.match(c) for _, c in filled)


def _is_numbering(row: list[Cell]) -> bool:
    values = [c for c in row if c is not None]
    try:
        numbers = [int(float(_text(v))) for v in values]
    except (ValueError, OverflowError):  # text, or "1e999"
        return False
    return len(numbers) >= 3 and numbers == list(range(1, len(numbers) + 1))


_SECTION_RE = re.compile(r"^(?:[一二三四五六七八九十]+[、.．]|[(（][一二三四五六七八九十]+[)）])\s*(\S.*)$")


def section_heading(cells: list[str]) -> str | None:
    """``一、落实中央八项规定精神方面`` alone on its line -> 落实中央八项规定精神 (a category heading)."""
    filled = [c for c in cells if c]
    if len(filled) != 1 or not (m := _SECTION_RE.match(filled[0])):
        return None
    return re.sub(r"(方面(的)?(问题)?|问题)$", "", m.group(1)).strip() or None


def _collect_rows(table: Table, rows: list[list[Cell]], start: int) -> None:
    """Every line below the header: a data row, skipped with its reason, or blank (left out).

    Most lines are plainly data and are told so in one cheap pass (``_plain_rows``); only the
    others are read whole (``_plainly_data``, ``_skip_reason``), in order, since a note's further
    lines and a section's rows depend on the lines above them. A data row keeps the row as read.
    """
    header_texts = [_text(c.header) for c in table.columns]
    data = rows[start:]
    section, in_note = "", False
    texts: dict[tuple, str] = {}  # cells repeat down a column: each distinct one is read once
    done = 0  # data[:done] are placed
    for k in compress(count(), map(not_, _plain_rows(data, header_texts))):
        if done < k:  # a run of plain data rows: they end a note, and belong to the section above
            _add_plain(table, data, start, done, k, section)
            in_note = False
        done = k + 1
        row = data[k]
        cells = []
        for c in row:
            try:
                cells.append(texts[type(c), c])
            except KeyError:
                cells.append(texts.setdefault((type(c), c), _text(c)))
            except TypeError:  # unhashable: never from the readers
                cells.append(_text(c))
        if not any(cells):
            continue
        excel_row = start + k + 1
        reason = (
            ""
            if _plainly_data(row, cells, header_texts)
            else _skip_reason(table, row, cells, header_texts, in_note)
        )
        in_note = reason == NOTE_LINE
        if reason == SECTION_LINE:
            section = section_heading(cells) or section
        if reason:
            table.skipped.append((excel_row, reason))
        else:
            table.rows.append(DataRow(excel_row, tuple(row), section))
    _add_plain(table, data, start, done, len(data), section)


def _add_plain(table: Table, data: list, start: int, first: int, end: int, section: str) -> None:
    """``data[first:end]``, plain data rows, onto ``table.rows`` as read (``data`` starts on the
    sheet's line ``start + 1``)."""
    table.rows += map(
        DataRow, range(start + first + 1, start + end + 1), map(tuple, data[first:end]), repeat(section)
    )


def _plainly_data(row: list[Cell], cells: list[str], header_texts: list[str]) -> bool:
    """True for a line ``_skip_reason`` would find no reason to skip, told by its first filled cell
    alone (most lines of a ledger): every kind of line it skips either has one filled cell or is
    recognised by its first one (a note, a total, a repeated header, numbering, a signature)."""
    filled = [(j, c) for j, c in enumerate(cells) if c]
    if len(filled) < 2 or not header_texts or cells[0] == header_texts[0]:
        return False
    j, first = filled[0]
    if _NOTE_RE.match(first) or _SIGNATURE_RE.match(first) or (j <= 2 and _is_total_label(first)):
        return False
    try:  # numbering starts at 1
        return int(float(_text(next(v for v in row if v is not None)))) != 1
    except (ValueError, OverflowError):
        return True


def _plain_rows(rows: list[list[Cell]], header_texts: list[str]) -> list[bool]:
    """For each line, True when ``_plainly_data`` would say so, told by its first two cells: both
    filled, the first a number other than 1 (numbering starts at 1), or a cell ``_plainly_data``
    finds plain (each distinct one read once). False is no verdict: the line is read whole."""
    if not header_texts:
        return [False] * len(rows)
    first_header = header_texts[0]
    numbers = not _number_text(first_header)  # a number's text is never the first header
    verdicts: dict[tuple, bool] = {}

    def plain_first(cell: Cell) -> bool:
        if numbers and type(cell) is str and cell.isascii() and cell.isdigit():
            return cell.lstrip("0") != "1"  # a number as text (a CSV's 序号): plain unless 1
        try:
            return verdicts[type(cell), cell]
        except KeyError:
            pass
        except TypeError:  # unhashable: never from the readers
            return False
        text = _text(cell)
        verdict = bool(text) and text != first_header and _plain_first_text(text)
        verdicts[type(cell), cell] = verdict
        return verdict

    return [
        len(r) > 1
        and (second := r[1]) is not None
        and (type(second) is not str or second.strip() != "")
        and (first := r[0]) is not None
        and (not 1 <= first < 2 if numbers and type(first) in (float, int) else plain_first(first))
        for r in rows
    ]


def _number_text(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _plain_first_text(first: str) -> bool:
    """The test ``_plainly_data`` puts to a line's first filled cell (the first cell of the line)."""
    if _NOTE_RE.match(first) or _SIGNATURE_RE.match(first) or _is_total_label(first):
        return False
    try:  # numbering starts at 1
        return int(float(first)) != 1
    except (ValueError, OverflowError):
        return True


NOTE_LINE = "注释行 / note line"
SECTION_LINE = "分类标题行 / section heading"


def _skip_reason(table: Table, row: list[Cell], cells: list[str], header_texts, in_note: bool) -> str:
    """Why a line below the header is not a record ('' when it is one). Judged by the whole line."""
    if section_heading(cells):  # before a note's further lines: a new section ends the note
        return SECTION_LINE
    if is_note_line(cells, table.columns, in_note):
        return NOTE_LINE
    if is_filler_line(cells):
        return "填充行 / filler line (以下空白)"
    if is_total_line(row, cells):
        return "合计/小计行 / totals line"
    if cells[: len(header_texts)] == header_texts[: len(cells)]:
        return "重复表头 / repeated header"
    if _is_numbering(row):
        return "列序号行 / column numbering"
    if is_signature_line(cells):
        return "填报/落款行 / filing or signature line"
    filled = [c for c in cells if c]
    if table.title and len(filled) == 1 and filled[0] == _text(table.title):
        return "重复标题 / repeated title"
    return ""
