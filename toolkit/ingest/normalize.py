"""Value normalisation: one cell as written -> one Python value, or a reason it cannot be.

Every parser raises ``CellError`` with a Chinese and an English reason; ``normalize_row`` turns
those into ``FieldError`` values, so a bad cell rejects its row (with the column named) instead of
stopping the import.

Rules:
- Dates: Excel date cells; ``2021年6月30日``, ``2021.6.30``, ``2021/06/30``, ``2021-06-30``,
  ``20210630``; a trailing 前/之前/底 is ignored; full-width digits are read as digits.
  Month precision (``2020年8月``, ``2020.8``, ``2020年8月底``) means the last day of that month:
  "by August" is met on 31 August, and an import never claims a thing happened earlier than the
  sheet says.
- Deadlines: ``长期坚持`` (ongoing, no date) and ``立行立改`` (immediate, due on the round's
  feedback date) are flags, not dates; anything else must be a date.
- Amounts are integer 元: a bare number is in the column's unit (``涉及金额（万元）`` -> 万元,
  no unit -> 元); a unit written in the cell (``3200元``, ``1.05亿元``, ``5,810.292万元``) wins.
  Rounded half up to the 元. Negative amounts are rejected.
- Statuses and disposals go through the synonym tables in ``aliases`` (基本完成 is in progress).
- Never a value: an Excel error (``#DIV/0!``, ``#N/A`` … a broken formula, not 0 元), a number
  that is not finite or has more than ``limits.MAX_NUMBER_DIGITS`` digits, an amount or a count
  over its limit (``limits.MAX_YUAN``, ``limits.MAX_COUNTS``), text holding a control character
  (other than tab/LF/CR) or longer than its field allows (``limits.MAX_TEXT_LENGTH``).
- A reason quotes the cell as ``shown`` does: cut short, control characters made visible, so a
  hostile cell cannot reach the analyst's terminal.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import math
import re
from collections import deque
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import compress, count, repeat
from operator import attrgetter, is_not, itemgetter, not_, setitem
from typing import Any

from toolkit.ingest import aliases, limits
from toolkit.ingest.layout import DataRow, Table
from toolkit.models import FORBIDDEN_TEXT, DeadlineKind, Disposal, ProblemStatus, forbidden_character


class CellError(ValueError):
    """A cell that cannot be read as what its column holds."""

    def __init__(self, zh: str, en: str) -> None:
        self.zh, self.en = zh, en
        super().__init__(f"{zh} / {en}")


@dataclasses.dataclass(frozen=True)
class FieldError:
    """Why a row is rejected: the field (and so the column) at fault, in Chinese and English."""

    field: str
    zh: str
    en: str


def text(value: Any) -> str:
    """A cell as clean text: half-width, trimmed, whole floats without '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return aliases.to_halfwidth(str(value)).strip()


def shown(value: Any, width: int = 40) -> str:
    """A cell as quoted in a reason: control characters as ``<U+0007>``, at most ``width`` long."""
    if isinstance(value, float) and not (math.isfinite(value) and abs(value) < 1e15):
        return repr(value)
    s = FORBIDDEN_TEXT.sub(lambda m: f"<U+{ord(m.group()):04X}>", text(value))
    s = re.sub(r"[\t\r\n]+", " ", s)
    return s if len(s) <= width else s[: width - 1] + "…"


def plain_text(value: Any) -> str:
    """A cell as text for a name or description: trimmed, whole floats without '.0', nothing else."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


# ---- dates ------------------------------------------------------------------------------------

_DAY_RE = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})\s*日?$")
_MONTH_RE = re.compile(r"^(\d{4})\s*[年./-]\s*(\d{1,2})\s*月?(?:份)?$")
_COMPACT_RE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SUFFIXES = ("之前", "以前", "前", "底", "末")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: Any) -> dt.date:
    """A date from a cell (see the module docstring for the accepted forms)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 20000 <= value <= 80000:
        # an Excel serial day number that lost its date format
        return EXCEL_EPOCH + dt.timedelta(days=int(value))
    s = re.sub(r"(\d)\s*[Tt ]\s*\d{1,2}:\d{2}(:\d{2})?$", r"\1", text(value))
    s = s.replace(" ", "")
    for suffix in _SUFFIXES:
        if s.endswith(suffix):
            s = s[: -len(suffix)]
            break
    try:
        if m := _DAY_RE.match(s) or _COMPACT_RE.match(s):
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if m := _MONTH_RE.match(s):
            year, month = int(m[1]), int(m[2])
            return dt.date(year, month, calendar.monthrange(year, month)[1])
    except ValueError:
        raise CellError(f"日期不存在：{shown(value)}", f"no such date: {shown(value)}") from None
    raise CellError(f"无法识别的日期：{shown(value)}", f"not a date: {shown(value)}")


def parse_deadline(value: Any) -> tuple[DeadlineKind, dt.date | None]:
    """(kind, due): 长期坚持 -> (ONGOING, None); 立行立改 -> (IMMEDIATE, None, filled in later)."""
    s = text(value).replace(" ", "").lower()
    if any(word in s for word in aliases.DEADLINE_ONGOING):
        return DeadlineKind.ONGOING, None
    if any(word in s for word in aliases.DEADLINE_IMMEDIATE):
        # "立行立改（2021年6月30日）" (how ``toolkit export`` writes it) keeps its date
        inner = re.search(r"[(（]([^()（）]+)[)）]", text(value))
        return DeadlineKind.IMMEDIATE, parse_date(inner.group(1)) if inner else None
    return DeadlineKind.DATED, parse_date(value)


# ---- amounts and counts -----------------------------------------------------------------------

_AMOUNT_RE = re.compile(r"^(\d+(?:\.\d+)?)(万元|亿元|元|万|亿)?$")
BLANKS = ("", "-", "—", "/", "无")


def _number(value: Any) -> Decimal:
    """A number cell as a Decimal: finite and of a sane length, else ``CellError``."""
    if isinstance(value, float) and not math.isfinite(value):
        raise CellError(f"不是有效数值：{shown(value)}", f"not a finite number: {shown(value)}")
    number = Decimal(str(value))
    if number.adjusted() >= limits.MAX_NUMBER_DIGITS:  # more digits before the point than allowed
        raise CellError(
            f"数值位数过多（超过 {limits.MAX_NUMBER_DIGITS} 位）：{shown(value)}",
            f"number has more than {limits.MAX_NUMBER_DIGITS} digits: {shown(value)}",
        )
    return number


def parse_amount(value: Any, unit: str | None = None) -> int:
    """Integer 元 from a cell; a bare number is in ``unit`` (the column's unit, default 元)."""
    if value is None or text(value) in BLANKS:
        return 0
    if isinstance(value, int | float) and not isinstance(value, bool):
        number, cell_unit = _number(value), None
        if number < 0:
            raise CellError(f"金额不能为负：{shown(value)}", f"negative amount: {shown(value)}")
    else:
        s = text(value).replace(",", "").replace(" ", "")
        if s.startswith("-"):
            raise CellError(f"金额不能为负：{shown(s)}", f"negative amount: {shown(s)}")
        m = _AMOUNT_RE.match(s)
        if not m:
            raise CellError(f"无法识别的金额：{shown(value)}", f"not an amount: {shown(value)}")
        try:
            number = _number(m[1])
        except InvalidOperation:  # pragma: no cover - the regex admits only decimals
            raise CellError(f"无法识别的金额：{shown(s)}", f"not an amount: {shown(s)}") from None
        cell_unit = {"万": "万元", "亿": "亿元"}.get(m[2], m[2])
    yuan = number * aliases.UNIT_FACTORS[cell_unit or unit or "元"]
    if yuan > limits.MAX_YUAN:
        raise CellError(
            f"金额超过上限（{limits.MAX_YUAN // 100_000_000:,} 亿元）：{shown(value)}",
            f"amount over the limit of {limits.MAX_YUAN:,} yuan: {shown(value)}",
        )
    return int(yuan.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def parse_count(value: Any, field: str = "") -> int:
    """A number of persons: ``3``, ``3.0``, ``3人``; blank is 0; at most ``limits.MAX_COUNTS``."""
    if isinstance(value, float) and not math.isfinite(value):
        raise CellError(f"不是有效数值：{shown(value)}", f"not a finite number: {shown(value)}")
    s = text(value).replace(" ", "")
    if s in BLANKS:
        return 0
    s = s.removesuffix("人").removesuffix("名")
    if not re.fullmatch(r"\d+", s):
        raise CellError(f"人数应为非负整数：{shown(value)}", f"not a number of persons: {shown(value)}")
    limit = limits.MAX_COUNTS.get(field, 10**limits.MAX_NUMBER_DIGITS - 1)
    if len(s) > limits.MAX_NUMBER_DIGITS or int(s) > limit:
        raise CellError(
            f"数值超过上限 {limit:,}：{shown(value)}", f"over the limit of {limit:,}: {shown(value)}"
        )
    return int(s)


def parse_status(value: Any) -> ProblemStatus:
    found = aliases.lookup_status(text(value))
    if found is None:
        raise CellError(f"无法识别的整改状态：{shown(value)}", f"unknown status: {shown(value)}")
    return found


def parse_disposal(value: Any) -> Disposal:
    found = aliases.lookup_disposal(text(value))
    if found is None:
        raise CellError(f"无法识别的处置方式：{shown(value)}", f"unknown disposal: {shown(value)}")
    return found


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    s = text(value)
    return s in ("是", "共性", "共性问题", "Y", "y", "yes", "true", "True", "TRUE", "1", "√")


# ---- a whole row ------------------------------------------------------------------------------

DATE_FIELDS = (
    "closed_on",
    "rectified_on",
    "found_on",
    "transferred_on",
    "disposed_on",
    "case_opened_on",
    "start",
    "end",
    "feedback_on",
    "added_at",
    "assigned_on",
    "report_due",
    "reported_on",
    "report_date",
)
COUNT_FIELDS = ("sanctioned", "prosecuted", "public_reports", "number")
AMOUNT_FIELDS = {"amount": "amount_yuan", "recovered": "recovered_yuan"}


def normalize_row(table: Table, row: DataRow) -> tuple[dict[str, Any], list[FieldError]]:
    """The row's known columns as typed values, and one ``FieldError`` per unreadable cell.

    Values keep their field names from ``aliases`` (``unit``, ``due``...), plus ``deadline`` for
    the deadline kind and ``*_yuan`` for amounts. Blank cells are left out.
    """
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    cells = row.cells
    for col in table.columns:
        if col.field is None or col.index >= len(cells):
            continue
        raw = cells[col.index]
        if raw is None:
            continue
        outcome = _cell(col.field, col.unit, raw)
        if outcome is None:
            continue
        if isinstance(outcome, CellError):
            errors.append(FieldError(col.field, outcome.zh, outcome.en))
        else:
            values.update(outcome)
    if row.section and not values.get("category"):
        values["category"] = row.section
    return values, errors


def normalize_rows(table: Table) -> Iterator[tuple[dict[str, Any], list[FieldError]]]:
    """``normalize_row`` for every row of ``table``, in order (``normalize_table``, pair by pair)."""
    values, errors = normalize_table(table)
    for i, v in enumerate(values):
        yield v, errors.pop(i, [])


def normalize_table(table: Table) -> tuple[list[dict[str, Any]], dict[int, list[FieldError]]]:
    """``normalize_row`` for every row of ``table``, worked out column by column: every row's
    values in order, and {row index: its errors} for the rows with any.

    Each column is read as a whole (``_column_outcomes``), then its values are put into every
    row's dict in one pass, column after column: a row's values and errors come in the same
    order as ``normalize_row`` gives them.
    """
    rows = table.rows
    cells = [r.cells for r in rows]
    narrowest = min(map(len, cells), default=0)
    values: list[dict[str, Any]] = [{} for _ in rows]
    errors: dict[int, list[FieldError]] = {}
    for col in table.columns:
        if col.field is None:
            continue
        j = col.index
        if j < narrowest:
            column = list(map(itemgetter(j), cells))
        else:
            column = [c[j] if j < len(c) else None for c in cells]
        outcomes = _column_outcomes(col.field, col.unit, column)
        del column
        kinds = set(map(type, outcomes))
        if CellError in kinds:
            for i in compress(count(), map(isinstance, outcomes, repeat(CellError))):
                errors.setdefault(i, []).append(FieldError(col.field, outcomes[i].zh, outcomes[i].en))
            outcomes = [None if type(o) is CellError else o for o in outcomes]
        targets = values
        if CellError in kinds or type(None) in kinds:  # only the rows with a value get one
            filled = list(map(is_not, outcomes, repeat(None)))
            targets, outcomes = list(compress(values, filled)), list(compress(outcomes, filled))
        if col.field == "due":  # two values: the deadline's kind and its date
            for key, part in (("deadline", itemgetter(0)), ("due", itemgetter(1))):
                deque(map(setitem, targets, repeat(key), map(part, outcomes)), 0)
        else:
            deque(map(setitem, targets, repeat(_KEYS.get(col.field, col.field)), outcomes), 0)
    del cells
    sections = list(map(attrgetter("section"), rows))
    if any(sections):
        for v, section in zip(values, sections, strict=True):
            if section and not v.get("category"):
                v["category"] = section
    return values, errors


_KEYS = AMOUNT_FIELDS  # the key a field's value is put under, when not the field's own name


def _column_outcomes(field: str, unit: str | None, column: list[Any]) -> list[Any]:
    """Every cell of one column read as ``field``: its value (for ``due`` the pair deadline,
    due), None when blank, or the ``CellError`` why not. Each distinct cell is read once, and
    the texts kept as they are (most descriptions and names) and whole numbers (序号) of a
    free-text column are told in a few passes over the column, not one by one."""
    if _is_free_text(field):
        limit = limits.text_length(field)

        def read(raw: Any) -> Any:
            return _free_text(field, limit, raw) if type(raw) is str else _value(field, unit, raw)

        kinds = set(map(type, column))
        if kinds <= {str, type(None)} and (outcomes := _text_column(column, limit, read)) is not None:
            return outcomes
        if kinds == {float} and all(map(float.is_integer, column)):
            numbers = list(map(str, map(int, column)))  # whole numbers (序号 1.0) as plain_text: "1"
            if max(map(len, numbers)) <= limit:
                return numbers
    else:
        kinds = set(map(type, column))

        def read(raw: Any) -> Any:
            return _value(field, unit, raw)

    try:
        if len(kinds & {bool, int, float}) > 1:  # 1, 1.0 and True are equal keys: keep them apart
            keys = list(zip(map(type, column), column, strict=True))
            outcome = {key: read(key[1]) for key in dict.fromkeys(keys)}
        else:
            keys = column
            outcome = {raw: read(raw) for raw in dict.fromkeys(column)}
    except TypeError:  # an unhashable cell: never from the readers
        return list(map(read, column))
    return list(map(outcome.__getitem__, keys))


def _is_free_text(field: str) -> bool:
    """True for a field ``_put`` keeps as text (a name, a description), not a date, number or flag."""
    return not (
        field == "due"
        or field in DATE_FIELDS
        or field in AMOUNT_FIELDS
        or field in COUNT_FIELDS
        or field in ("status", "disposal", "common", "in_scope")
    )


_CONTROL_PICTURE = re.compile("[\u2400-\u2421]")
_SAMPLE = 1000  # rows that tell a column of repeated texts from one of distinct texts


def _text_column(column: list[str | None], limit: int, read) -> list[Any] | None:
    """The outcomes of a free-text column of texts and blanks, most of them texts ``_put`` keeps
    exactly as they are (``_kept``); ``read`` reads the others. None for a column of repeated
    texts that are not all kept: reading each distinct one is quicker."""
    # a column of mostly distinct texts (descriptions) is read in its own order, without a set (a
    # set of 100,000 texts is slow to make and to walk): judged by its first rows
    sample = column[:_SAMPLE]
    repeated = len(set(sample)) * 2 <= len(sample) and len(distinct := set(column)) * 2 <= len(column)
    if repeated:
        distinct.discard(None)
        texts = distinct
    else:
        texts = list(filter(None, column))
    if "" not in (distinct if repeated else column) and _kept(
        "".join(texts), max(map(len, texts), default=0), limit
    ):
        return column
    if repeated:
        return None
    strings = list(map(str, column))  # None as "None": not kept, since it is falsy
    kept = list(
        map(
            all,
            zip(
                map(bool, column),
                map(str.isprintable, strings),
                map(not_, map(str.__contains__, strings, repeat(" "))),
                map(not_, map(str.__contains__, strings, repeat("#"))),
                map(not_, map(_CONTROL_PICTURE.search, strings)),
                map(limit.__ge__, map(len, strings)),
                strict=True,
            ),
        )
    )
    del strings
    odd = {raw: read(raw) for raw in dict.fromkeys(compress(column, map(not_, kept)))}
    return [raw if k else odd[raw] for raw, k in zip(column, kept, strict=True)]


def _kept(text: str, longest: int, limit: int) -> bool:
    """True when ``_put`` keeps ``text`` (one cell, or cells joined) exactly as it is: no
    whitespace (nothing to trim or fold), nothing ``text_problem`` objects to, no ``#`` (an Excel
    error starts with it), and no cell of it longer than ``limit``."""
    return (
        text.isprintable()  # no control or format character, no whitespace but the space
        and " " not in text
        and "#" not in text
        and not _CONTROL_PICTURE.search(text)
        and longest <= limit
    )


def _free_text(field: str, limit: int, raw: str) -> str | CellError | None:
    """``_read_cell`` for a text cell of a free-text field, without its general dispatch."""
    s = raw.strip()
    if not s:
        return None
    if s[0] == "#" and (error := limits.excel_error(s)):
        return _excel_error(error)
    if (SUSPECT_TEXT.search(s) or len(s) > limit) and (problem := text_problem(field, s)):
        return CellError(*problem)
    return _SPACES.sub(" ", s)


_SPACES = re.compile(r"\s+")


def _value(field: str, unit: str | None, raw: Any) -> Any:
    """``_cell`` with its dict of values made the value alone (for ``due`` the pair)."""
    outcome = _cell(field, unit, raw)
    if outcome is None or isinstance(outcome, CellError):
        return outcome
    if field == "due":
        return outcome["deadline"], outcome["due"]
    return outcome[_KEYS.get(field, field)]


# A ledger repeats most of its cells (units, rounds, categories, statuses, deadlines): each
# distinct (field, unit, cell) is read once per import (``forget_cells`` starts each import
# afresh, so limits changed between imports apply). Long free text is not kept (it rarely
# repeats), and the cache is emptied when it grows past its bound.
_CACHE: dict[tuple, Any] = {}
_CACHE_MAX = 200_000
_CACHE_TEXT_MAX = 40


def forget_cells() -> None:
    """Empty the cache of cells read (``import_files`` calls it first)."""
    _CACHE.clear()


def _cell(field: str, unit: str | None, raw: Any) -> dict[str, Any] | CellError | None:
    """One cell read as ``field``: the values it gives, the ``CellError`` why not, or None if blank."""
    key = (field, unit, type(raw), raw)
    try:
        return _CACHE[key]
    except KeyError:
        pass
    except TypeError:  # an unhashable cell (never from the readers, but be safe)
        return _read_cell(field, unit, raw)
    outcome = _read_cell(field, unit, raw)
    if not (isinstance(raw, str) and len(raw) > _CACHE_TEXT_MAX):
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        _CACHE[key] = outcome
    return outcome


def _read_cell(field: str, unit: str | None, raw: Any) -> dict[str, Any] | CellError | None:
    if text(raw) == "":
        return None
    try:
        if error := limits.excel_error(raw):
            return _excel_error(error)
        return _put(field, unit, raw)
    except CellError as err:
        return err


def _excel_error(error: str) -> CellError:
    return CellError(
        f"单元格为 Excel 错误值 {error}（公式出错），不能当作数值或文字",
        f"the cell holds the Excel error {error} (a broken formula), not a value",
    )


def _put(field: str, unit: str | None, raw: Any) -> dict[str, Any]:
    if field == "due":
        deadline, due = parse_deadline(raw)
        return {"deadline": deadline, "due": due}
    if field in DATE_FIELDS:
        return {field: parse_date(raw)}
    if field in AMOUNT_FIELDS:
        return {AMOUNT_FIELDS[field]: parse_amount(raw, unit)}
    if field in COUNT_FIELDS:
        return {field: parse_count(raw, field)}
    if field == "status":
        return {"status": parse_status(raw)}
    if field == "disposal":
        return {"disposal": parse_disposal(raw)}
    if field in ("common", "in_scope"):
        return {field: parse_bool(raw)}
    # free text keeps its full-width punctuation: （回头看） is how the name is written
    raw_text = plain_text(raw)
    if problem := text_problem(field, raw_text):
        raise CellError(*problem)
    return {field: _SPACES.sub(" ", raw_text)}


SUSPECT_TEXT = re.compile(f"{_CONTROL_PICTURE.pattern}|{FORBIDDEN_TEXT.pattern}")


def text_problem(field: str, value: str) -> tuple[str, str] | None:
    """Why ``value`` cannot be the text of ``field`` (zh, en), or None: a control character other
    than tab/LF/CR, or more characters than ``limits.MAX_TEXT_LENGTH`` allows."""
    if not SUSPECT_TEXT.search(value):  # the usual clean text: one search, then its length
        limit = limits.text_length(field)
        if len(value) <= limit:
            return None
    if picture := _CONTROL_PICTURE.search(value):
        return (
            f"文字中含有控制字符的占位符 {picture.group()}（拒收行工作簿显示被删除的控制字符之处），请改正后重新导入："
            f"{shown(value)}",
            f"the text holds {picture.group()}, where the rejects workbook showed a control character: "
            f"correct it and import again: {shown(value)}",
        )
    if bad := forbidden_character(value):
        return (
            f"文字中含有控制字符 {bad}（可能是复制粘贴带入），请删除后重新导入：{shown(value)}",
            f"the text holds the control character {bad}; remove it and import again: {shown(value)}",
        )
    limit = limits.text_length(field)
    if len(value) > limit:
        return (
            f"文字过长（{len(value):,} 字，上限 {limit:,} 字）：{shown(value)}",
            f"text too long ({len(value):,} characters, at most {limit:,}): {shown(value)}",
        )
    return None
