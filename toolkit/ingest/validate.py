"""Validation: ordered lists of small rules, then the records themselves.

A rule is a function ``(values, ctx) -> list[FieldError]`` over one normalised row; the rules of
a ledger kind run in order and all of them run, so an analyst sees every fault of a row at once.
A new rule is a new function appended to ``PROBLEM_RULES`` or ``CLUE_RULES``.

After the rules pass, ``build_problem`` / ``build_clue`` make the record; the record's own checks
(``toolkit.models``) and the ledger's cross-record ones (nothing before its round started) are
turned into ``FieldError`` values too, so a rejected row always names a field and so a column.

Defaults (documented because they are choices):
- no 问题类别: ``未分类``; no 整改状态: read from 整改进展 (``已完成整改……``) or else 未整改;
  a 销号时间 with no status means 已销号; no 线索来源: ``巡察发现``.
- found_on: the 发现时间 cell, else the round's feedback date, but never later than the row's
  own due / rectification / close-out dates, and never before the round's start.
- 立行立改: due is the round's feedback date (or found_on when that is later).
- rectified_on (整改完成时间) for a rectified/closed item without one: the 销号时间, else the
  填报时间 the file states (the row's column or the sheet's 填报 line): the file says it was done
  by then, so the date is an upper bound, never earlier than the truth; the report lists every
  row dated so (``findings``). With neither, the row is rejected naming 整改完成时间: the import
  date would be a guess that makes the problem look late. closed_on without a 销号时间: the same.

Plausibility (``plausible_dates``, ``clean_text``; limits in ``limits``): no date before 1990;
nothing that has happened (found, rectified, closed out, transferred, filed …) after the import
date; a deadline at most 10 years ahead; no control characters and no over-long text, including
in what the row takes from the title, the 填报单位 line or the command line.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import operator
from collections.abc import Callable
from itertools import chain, compress, repeat
from operator import attrgetter
from typing import Any

from toolkit.ingest import aliases, limits
from toolkit.ingest.normalize import SUSPECT_TEXT, FieldError, shown, text_problem
from toolkit.ingest.resolve import _unspaced, guess_unit_kind, hash_prefix, hash_with_prefix, short_hash
from toolkit.models import (
    PROBLEM_BLOCK,
    RECTIFIED_STATUSES,
    Assignment,
    Clue,
    DeadlineKind,
    Disposal,
    Inspection,
    Problem,
    ProblemStatus,
    Round,
    RoundKind,
    RoundLevel,
    Unit,
    UnitKind,
    make_problem_columns,
    make_problems,
)

UNCATEGORISED = "未分类"
DEFAULT_SOURCE = "巡察发现"


@dataclasses.dataclass(frozen=True, slots=True)
class RowContext:
    """What a row is resolved against: its round and unit, its team, the sheet's report date."""

    round: Round
    unit: Unit
    team: str
    report_date: dt.date  # the 填报时间 the file states, else the import date
    filed_on: dt.date | None = None  # the 填报时间 the file states, None when it states none


Rule = Callable[[dict[str, Any]], list[FieldError]]


def screened(screen: Callable[[list[dict[str, Any]]], bool]):
    """Give a rule its screen: ``screen(rows)`` is True only when the rule finds no fault in any of
    ``rows``. ``check_rows`` passes a block of rows whole on its screens and runs the rule row by
    row only on a block a screen does not clear; a rule without a screen always runs per row."""

    def attach(rule: Rule) -> Rule:
        rule.screen = screen  # type: ignore[attr-defined]
        return rule

    return attach


def _required(field: str, zh: str, en: str, key: str | None = None) -> Rule:
    get = operator.methodcaller("get", key or field)

    @screened(lambda rows: all(column_of(rows, key or field)))
    def rule(values: dict[str, Any]) -> list[FieldError]:
        return [] if get(values) else [FieldError(field, f"{zh}为空", f"{en} is empty")]

    rule.__name__ = f"require_{field}"
    return rule


@screened(lambda rows: all(column_of(rows, "unit")) or all([v.get("unit") or v.get("unit_id") for v in rows]))
def has_unit(values: dict[str, Any]) -> list[FieldError]:
    if values.get("unit") or values.get("unit_id"):
        return []
    return [FieldError("unit", "被巡察单位为空（可用 --unit 指定）", "inspected unit is empty (use --unit)")]


@screened(
    lambda rows: all(column_of(rows, "round")) or all([v.get("round") or v.get("round_id") for v in rows])
)
def has_round(values: dict[str, Any]) -> list[FieldError]:
    if values.get("round") or values.get("round_id"):
        return []
    return [FieldError("round", "巡察轮次为空（可用 --round 指定）", "round is empty (use --round)")]


def _ongoing_closed(values: dict[str, Any]) -> bool:
    return values.get("deadline") is DeadlineKind.ONGOING and values.get("status") is ProblemStatus.CLOSED


def _none_ongoing_closed(rows: list[dict[str, Any]]) -> bool:
    """``not any(map(_ongoing_closed, rows))``, a column at a time."""
    ongoing = map(operator.is_, column_of(rows, "deadline"), repeat(DeadlineKind.ONGOING))
    closed = map(operator.is_, column_of(rows, "status"), repeat(ProblemStatus.CLOSED))
    return not any(map(operator.and_, ongoing, closed))


@screened(_none_ongoing_closed)
def deadline_matches_status(values: dict[str, Any]) -> list[FieldError]:
    """A 长期坚持 deadline with a 已销号 status is a contradiction the analyst must settle."""
    if _ongoing_closed(values):
        return [
            FieldError("status", "长期坚持事项不能销号", "an ongoing (长期坚持) item cannot be closed out")
        ]
    return []


PROBLEM_RULES: list[Rule] = [
    has_unit,
    has_round,
    _required("description", "问题描述", "problem description"),
    _required("due", "整改时限", "deadline", key="deadline"),
    deadline_matches_status,
]

CLUE_RULES: list[Rule] = [
    has_unit,
    has_round,
    _required("title", "线索名称", "clue title"),
    _required("transferred_on", "移交时间", "transfer date"),
]

ROUND_RULES: list[Rule] = [
    _required("round", "巡察轮次", "round name"),
    _required("start", "进驻时间", "start date"),
    _required("feedback_on", "反馈时间", "feedback date"),
]
UNIT_RULES: list[Rule] = [has_unit, _required("region", "区县", "region")]
INSPECTION_RULES: list[Rule] = [has_unit, has_round]
ASSIGNMENT_RULES: list[Rule] = [
    _required("matter", "交办事项", "assigned matter"),
    _required("region", "区县", "assignee region"),
    _required("assigned_on", "交办时间", "assignment date"),
    _required("report_due", "报告时限", "report-back due date"),
]

RULES = {
    aliases.PROBLEM: PROBLEM_RULES,
    aliases.CLUE: CLUE_RULES,
    aliases.ROUND: ROUND_RULES,
    aliases.UNIT: UNIT_RULES,
    aliases.INSPECTION: INSPECTION_RULES,
    aliases.ASSIGNMENT: ASSIGNMENT_RULES,
}


def plausible_dates(values: dict[str, Any], today: dt.date) -> list[FieldError]:
    """Dates a real ledger cannot hold: before 1990, happened after today, due in 50 years."""
    errors = []
    for field, day in values.items():
        if isinstance(day, dt.date):
            errors += _date_faults(field, day, today)
    return errors


def forget_dates() -> None:
    """Empty the cache of dates judged (``import_files`` calls it first: limits may have changed)."""
    _date_faults.cache_clear()


@functools.lru_cache(maxsize=65536)  # a ledger's dates repeat: each (field, day) is judged once
def _date_faults(field: str, day: dt.date, today: dt.date) -> tuple[FieldError, ...]:
    errors = []
    if day < limits.EARLIEST_DATE:
        errors.append(
            FieldError(
                field,
                f"日期 {day} 早于 {limits.EARLIEST_DATE}，疑为笔误",
                f"date {day} is before {limits.EARLIEST_DATE}: a typo?",
            )
        )
    elif field in limits.PAST_FIELDS and day > today:
        errors.append(
            FieldError(
                field,
                f"日期 {day} 晚于导入日期 {today}：尚未发生的事不能记入台账",
                f"date {day} is after the import date {today}: it has not happened yet",
            )
        )
    elif field in limits.DEADLINE_FIELDS and day > _years_after(today, limits.MAX_DEADLINE_YEARS):
        errors.append(
            FieldError(
                field,
                f"时限 {day} 超过导入日期后 {limits.MAX_DEADLINE_YEARS} 年，疑为笔误",
                f"deadline {day} is more than {limits.MAX_DEADLINE_YEARS} years ahead: a typo?",
            )
        )
    elif field in limits.ROUND_FIELDS and day > _years_after(today, limits.MAX_ROUND_AHEAD_YEARS):
        errors.append(
            FieldError(
                field,
                f"日期 {day} 超过导入日期后 {limits.MAX_ROUND_AHEAD_YEARS} 年，疑为笔误",
                f"date {day} is more than {limits.MAX_ROUND_AHEAD_YEARS} years ahead: a typo?",
            )
        )
    return tuple(errors)


def _years_after(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years, day=28 if (day.month, day.day) == (2, 29) else day.day)


def clean_text(values: dict[str, Any]) -> list[FieldError]:
    """Every text value, whether from a cell, the title, the 填报单位 line or an option, is text a
    ledger can hold and a workbook can store."""
    texts = [(field, value) for field, value in values.items() if isinstance(value, str)]
    # the usual row: one search over all its text and the lengths (what text_problem checks)
    if not SUSPECT_TEXT.search("\n".join([v for _, v in texts])) and all(
        len(v) <= limits.text_length(f) for f, v in texts
    ):
        return []
    return [FieldError(field, *problem) for field, value in texts if (problem := text_problem(field, value))]


def check_row(kind: str, values: dict[str, Any], today: dt.date | None = None) -> list[FieldError]:
    """Every fault of one row: the rules of its kind, its text, and (given ``today``) its dates."""
    errors = [error for rule in RULES[kind] for error in rule(values)]
    errors += clean_text(values)
    if today is not None:
        errors += plausible_dates(values, today)
    return errors


SCREEN_BLOCK = 512  # rows screened together: one hostile cell sends only its block row by row


def check_rows(kind: str, rows: list[dict[str, Any]], today: dt.date) -> dict[int, list[FieldError]]:
    """``check_row`` for every row of a table, as {row index: its faults} for the rows with any.

    A 100,000-row table is mostly clean rows: they are cleared a block at a time, by the rules'
    screens and by one search of the block's text and one look at its distinct dates. A block that
    is not cleared whole is checked row by row, so each fault is found and worded by ``check_row``
    exactly as for a single row."""
    rules = RULES[kind]
    if _table_clear(rules, rows, today):
        return {}
    shortest = min(limits.DEFAULT_TEXT_LENGTH, *limits.MAX_TEXT_LENGTH.values())  # limits may be changed
    faults: dict[int, list[FieldError]] = {}
    for start in range(0, len(rows), SCREEN_BLOCK):
        block = rows[start : start + SCREEN_BLOCK]
        if _block_clear(rules, block, today, shortest):
            continue
        for i, values in enumerate(block, start):
            if errors := check_row(kind, values, today):
                faults[i] = errors
    return faults


def _table_clear(rules: list[Rule], rows: list[dict[str, Any]], today: dt.date) -> bool:
    """True only when ``check_row`` would find no fault in any of ``rows``: the rules' screens on
    the whole table, then each field's values as one column, its texts searched at once and
    measured against the field's own limit, its distinct dates judged once."""
    if not _screens_clear(rules, rows):
        return False
    for field in sorted(set().union(*rows)):  # every field any row holds
        column = column_of(rows, field)
        kinds = set(map(type, column))
        kinds.discard(type(None))
        if any(issubclass(k, str) for k in kinds):
            texts = _of_type(column, kinds, str)
            if kinds == {str} and len(set(texts[:100])) < 50:  # names, rounds repeat: each once
                texts = set(texts)
            if SUSPECT_TEXT.search("\n".join(texts)) or max(map(len, texts)) > limits.text_length(field):
                return False
        dated = any(issubclass(k, dt.date) for k in kinds)
        if dated and any(_date_faults(field, day, today) for day in set(_of_type(column, kinds, dt.date))):
            return False
    return True


def _screens_clear(rules: list[Rule], rows: list[dict[str, Any]]) -> bool:
    """Whether every rule finds nothing in ``rows``: its screen when it has one, else row by row."""
    for rule in rules:
        screen = getattr(rule, "screen", None)
        if not (screen(rows) if screen else not any(map(rule, rows))):
            return False
    return True


def _of_type(column: list[Any], kinds: set[type], cls: type) -> list[Any]:
    """The values of ``column`` that are instances of ``cls`` (``kinds``: its types but None)."""
    if all(issubclass(k, cls) for k in kinds):
        return [x for x in column if x is not None]
    return list(compress(column, map(isinstance, column, repeat(cls))))


def _block_clear(rules: list[Rule], block: list[dict[str, Any]], today: dt.date, shortest: int) -> bool:
    """True only when ``check_row`` would find no fault in any row of ``block``."""
    if not _screens_clear(rules, block):
        return False
    # the block's values in one list, and its texts and dates picked out of it without a loop
    cells = list(chain.from_iterable(map(dict.values, block)))
    texts = list(compress(cells, map(isinstance, cells, repeat(str))))
    if SUSPECT_TEXT.search("\n".join(texts)):
        return False
    if texts and max(map(len, texts)) > shortest:
        long = [(f, x) for values in block for f, x in values.items() if isinstance(x, str)]
        if any(len(x) > limits.text_length(f) for f, x in long):
            return False
    days = set(compress(chain.from_iterable(map(dict.items, block)), map(isinstance, cells, repeat(dt.date))))
    return not any(_date_faults(f, x, today) for f, x in days)


# ---- building records -------------------------------------------------------------------------

# model field -> the sheet field (and so column) to blame when the model refuses it.
MODEL_TO_SHEET = {
    "found_on": "found_on",
    "due": "due",
    "deadline": "due",
    "status": "status",
    "rectified_on": "rectified_on",
    "closed_on": "closed_on",
    "amount_yuan": "amount",
    "category": "category",
    "description": "description",
    "title": "title",
    "transferred_on": "transferred_on",
    "disposed_on": "disposed_on",
    "disposal": "disposal",
    "case_opened_on": "case_opened_on",
    "recovered_yuan": "recovered",
    "subject": "subject",
    "name": "round",
    "number": "number",
    "round_kind": "round_kind",
    "level": "level",
    "start": "start",
    "end": "end",
    "feedback_on": "feedback_on",
    "sector": "sector",
    "unit_kind": "unit_kind",
    "public_reports": "public_reports",
    "region": "region",
    "term": "term",
    "assigned_on": "assigned_on",
    "assignee_region": "region",
    "reported_on": "reported_on",
}


def problem_id(round_id: str, unit_id: str, category: str, description: str) -> str:
    """Content-derived id: re-importing the same problem gives the same id, hence a duplicate.
    ``short_hash`` of the four, with the hash input up to the description made once per round,
    unit and category (an import has many rows of each)."""
    return f"P-{hash_with_prefix(hash_prefix(round_id, unit_id, category), description)}"


def clue_id(round_id: str, unit_id: str, clue_no: str, subject: str, title: str) -> str:
    return f"C-{short_hash(round_id, unit_id, clue_no, subject, title)}"


def problem_status(values: dict[str, Any]) -> ProblemStatus:
    if "status" in values:
        return values["status"]
    if values.get("closed_on"):
        return ProblemStatus.CLOSED
    progress = aliases.lookup_status(values.get("progress", ""))
    return progress or ProblemStatus.OPEN


def build_problem(values: dict[str, Any], ctx: RowContext) -> Problem:
    """The problem a row describes, or ``RecordError`` naming the field at fault."""
    return _construct(Problem, problem_fields(values, ctx))


def build_problems(rows: list[tuple[dict[str, Any], RowContext]]) -> list[Problem | RecordError]:
    """``build_problem`` for many rows at once; each item is the problem or the ``RecordError``
    naming the field at fault.

    A block of rows is built column by column (``_problem_block``); a block holding a row that
    path does not take (a missing field, a date refused, odd types) is built row by row, by
    ``problem_fields`` and ``make_problems``, so every fault is found and worded as for one row."""
    out: list[Problem | RecordError] = []
    # shared by the blocks (their keys hold ids of objects ``rows`` keeps): dates, id prefixes
    dates: dict[tuple, dict] = {}
    prefixes: dict[tuple, str] = {}
    for start in range(0, len(rows), PROBLEM_BLOCK):
        block = rows[start : start + PROBLEM_BLOCK]
        built = _problem_block(block, dates, prefixes)
        out += _problems_row_by_row(block) if built is None else built
    return out


def _problems_row_by_row(rows: list[tuple[dict[str, Any], RowContext]]) -> list[Problem | RecordError]:
    """``build_problem`` for each row, its field dicts checked together by ``make_problems``."""
    made: list[dict[str, Any]] = []
    errors: dict[int, RecordError] = {}
    for i, (values, ctx) in enumerate(rows):
        try:
            made.append(problem_fields(values, ctx))
        except RecordError as err:
            errors[i] = err
    built = iter(make_problems(made))
    out: list[Problem | RecordError] = []
    for i in range(len(rows)):
        if i in errors:
            out.append(errors[i])
            continue
        item = next(built)
        out.append(_record_error(item) if isinstance(item, ValueError) else item)
    return out


_DATE_TYPES = frozenset({dt.date, type(None)})
_STATED_DATES = ("due", "closed_on", "rectified_on", "found_on")  # problem_dates takes them in this order


def _problem_block(
    rows: list[tuple[dict[str, Any], RowContext]], dates: dict[tuple, dict], prefixes: dict[tuple, str]
) -> list[Problem | RecordError] | None:
    """``problem_fields`` and the model's checks for a block of rows, a column at a time, or None
    when a row is one this path does not take (left to ``_problems_row_by_row``).

    Rows share a few rounds, statuses and dates: each distinct combination gets its dates from
    ``problem_dates`` once (kept in ``dates``, by the dates the rows of a block state at all), and
    each distinct context and category its id prefix once (kept in ``prefixes``)."""
    values = [v for v, _ in rows]
    contexts = [c for _, c in rows]
    if not all(map(operator.contains, values, repeat("deadline"))):
        return None  # problem_fields raises KeyError: let it, row by row
    descriptions = column_of(values, "description")
    if set(map(type, descriptions)) != {str} or not all(descriptions):
        return None
    statuses = column_of(values, "status")
    if None in statuses:
        statuses = [s if s is not None else problem_status(v) for s, v in zip(statuses, values, strict=True)]
    deadlines = list(map(operator.itemgetter("deadline"), values))
    rounds = list(map(attrgetter("round"), contexts))
    filed = list(map(attrgetter("filed_on"), contexts))
    stated = {f: column_of(values, f) for f in _STATED_DATES}
    if not all(set(map(type, column)) <= _DATE_TYPES for column in (filed, *stated.values())):
        return None  # only dates, so that equal keys below are dates alike in every way
    given = tuple(f for f, column in stated.items() if any(column))  # the dates some row states
    keys = list(
        zip(
            map(id, statuses),
            map(id, deadlines),
            map(id, rounds),
            filed,
            *map(stated.get, given),
            strict=True,
        )
    )
    known = dates.setdefault(given, {})
    for key, i in dict(zip(keys, range(len(keys)), strict=True)).items():  # each distinct key, a row of it
        if key not in known:
            status, deadline, rnd = statuses[i], deadlines[i], rounds[i]
            day = dict(zip(given, key[4:], strict=True))
            try:
                known[key] = problem_dates(status, deadline, *map(day.get, _STATED_DATES), rnd, key[3])
            except RecordError:  # a row refused: row by row, so it is refused as on its own
                return None
    derived = list(map(known.__getitem__, keys))
    categories = [c or UNCATEGORISED for c in column_of(values, "category")]
    round_ids = list(map(attrgetter("id"), rounds))
    unit_ids = list(map(attrgetter("unit.id"), contexts))
    named = list(zip(map(id, contexts), categories, strict=True))  # a context names a round and unit
    for key, i in dict(zip(named, range(len(named)), strict=True)).items():
        if key not in prefixes:
            prefixes[key] = hash_prefix(round_ids[i], unit_ids[i], categories[i])
    ids = _problem_ids(list(map(prefixes.__getitem__, named)), descriptions)
    record_ids = column_of(values, "record_id")
    if any(record_ids):
        ids = [r or i for r, i in zip(record_ids, ids, strict=True)]
    columns = {
        "id": ids,
        "round_id": round_ids,
        "unit_id": unit_ids,
        "category": categories,
        "description": descriptions,
        "found_on": list(map(operator.itemgetter(0), derived)),
        "due": list(map(operator.itemgetter(1), derived)),
        "deadline": deadlines,
        "status": statuses,
        "common": list(map(bool, column_of(values, "common", False))),
        "team": list(map(attrgetter("team"), contexts)),
        "responsible": column_of(values, "responsible", ""),
        "amount_yuan": column_of(values, "amount_yuan", 0),
        "rectified_on": list(map(operator.itemgetter(2), derived)),
        "closed_on": list(map(operator.itemgetter(3), derived)),
    }
    return [_record_error(x) if isinstance(x, ValueError) else x for x in make_problem_columns(columns)]


def column_of(values: list[dict[str, Any]], field: str, default: Any = None) -> list[Any]:
    """``values.get(field, default)`` of every row."""
    return list(map(dict.get, values, repeat(field), repeat(default)))


def _problem_ids(prefixes: list[str], descriptions: list[str]) -> list[str]:
    """``problem_id`` for rows whose prefixes (``hash_prefix``) are known, one hash per row."""
    joined = "".join(descriptions)
    if not (joined.isprintable() and " " not in joined):  # else some have spaces to drop
        descriptions = list(map(_unspaced, descriptions))
    digests = map(
        operator.methodcaller("hexdigest"),
        map(hashlib.sha1, map(str.encode, map(str.__add__, prefixes, descriptions))),
    )
    return ["P-" + d[:12] for d in digests]


def problem_fields(values: dict[str, Any], ctx: RowContext) -> dict[str, Any]:
    """The fields of the problem a row describes (``build_problem`` without the model's own checks),
    or ``RecordError`` for a fault found on the way (an undated rectification, a date before the
    round)."""
    rnd = ctx.round
    status = problem_status(values)
    deadline = values["deadline"]
    found_on, due, rectified_on, closed_on = problem_dates(
        status,
        deadline,
        values.get("due"),
        values.get("closed_on"),
        values.get("rectified_on"),
        values.get("found_on"),
        rnd,
        ctx.filed_on,
    )
    category = values.get("category") or UNCATEGORISED
    return dict(
        id=values.get("record_id") or problem_id(rnd.id, ctx.unit.id, category, values["description"]),
        round_id=rnd.id,
        unit_id=ctx.unit.id,
        category=category,
        description=values["description"],
        found_on=found_on,
        due=due,
        deadline=deadline,
        status=status,
        common=bool(values.get("common", False)),
        team=ctx.team,
        responsible=values.get("responsible", ""),
        amount_yuan=values.get("amount_yuan", 0),
        rectified_on=rectified_on,
        closed_on=closed_on,
    )


def problem_dates(
    status: ProblemStatus,
    deadline: DeadlineKind,
    due: dt.date | None,
    closed_on: dt.date | None,
    rectified_on: dt.date | None,
    found_on: dt.date | None,
    rnd: Round,
    filed_on: dt.date | None,
) -> tuple[dt.date, dt.date | None, dt.date | None, dt.date | None]:
    """(found_on, due, rectified_on, closed_on) of a problem from the dates its row gives (see the
    module docstring), or ``RecordError`` for an undated rectification or a date before the round."""
    stated_closed, closed_on = closed_on, closed_on if status is ProblemStatus.CLOSED else None
    rectified = None
    if status in RECTIFIED_STATUSES:
        rectified = rectified_on or stated_closed or filed_on
        if rectified is None:
            raise RecordError(
                FieldError(
                    "rectified_on",
                    f"整改状态为“{status.label_zh}”，但整改完成时间为空，表中也没有填报时间可作依据；"
                    "请填写整改完成时间（不会按导入当天记）",
                    f"status is {status.value} but the completion date is empty and the sheet states no "
                    "filing date to go by; fill in 整改完成时间 (the import date is never assumed)",
                )
            )
        if status is ProblemStatus.CLOSED and closed_on is None:
            if filed_on is None:
                raise RecordError(
                    FieldError(
                        "closed_on",
                        "整改状态为“已销号”，但销号时间为空，表中也没有填报时间可作依据；请填写销号时间",
                        "status is closed but the close-out date is empty and the sheet states no filing "
                        "date to go by; fill in 销号时间",
                    )
                )
            closed_on = max(rectified, filed_on)
    if found_on is None:
        own = [d for d in (due, rectified, closed_on) if d is not None]
        found_on = min([rnd.feedback_on, *own])
        found_on = max(found_on, rnd.start)
    if deadline is DeadlineKind.IMMEDIATE and due is None:
        due = max(rnd.feedback_on, found_on)
    if found_on < rnd.start or (due is not None and due < rnd.start):
        _not_before_round(rnd, found_on=found_on, due=due)
    return found_on, due, rectified, closed_on


def build_clue(values: dict[str, Any], ctx: RowContext) -> Clue:
    rnd = ctx.round
    disposal = values.get("disposal")
    if values.get("case_opened_on") and disposal is None:
        disposal = Disposal.CASE
    _not_before_round(rnd, transferred_on=values["transferred_on"])
    subject = values.get("subject", "")
    fields = dict(
        id=values.get("record_id")
        or clue_id(rnd.id, ctx.unit.id, values.get("clue_no", ""), subject, values["title"]),
        round_id=rnd.id,
        unit_id=ctx.unit.id,
        title=values["title"],
        subject=subject,
        subject_post=values.get("subject_post", ""),
        source=values.get("source") or DEFAULT_SOURCE,
        transferred_on=values["transferred_on"],
        disposal=disposal,
        disposed_on=values.get("disposed_on"),
        case_opened_on=values.get("case_opened_on"),
        sanctioned=values.get("sanctioned", 0),
        prosecuted=values.get("prosecuted", 0),
        recovered_yuan=values.get("recovered_yuan", 0),
    )
    return _construct(Clue, fields)


def build_round(values: dict[str, Any]) -> Round:
    """A round from a 巡察轮次 reference sheet (as ``toolkit export`` writes it)."""
    name = values["round"]
    start = values["start"]
    fields = dict(
        id=values.get("round_id") or f"R-{short_hash(name, length=10)}",
        name=name,
        term=values.get("term") or "未注明",
        number=values.get("number") or 1,
        round_kind=_vocab(RoundKind, values.get("round_kind", "regular"), "round_kind"),
        level=_vocab(RoundLevel, values.get("level", "county"), "level"),
        region=values.get("region") or "未注明",
        start=start,
        end=values.get("end") or start,
        feedback_on=values["feedback_on"],
        looks_back_at=values.get("looks_back_at") or None,
    )
    return _construct(Round, fields)


def build_unit(values: dict[str, Any]) -> Unit:
    name, region = values["unit"], values["region"]
    fields = dict(
        id=values.get("unit_id") or f"U-{short_hash(region, name, length=10)}",
        name=name,
        region=region,
        sector=values.get("sector") or "未注明",
        unit_kind=_vocab(UnitKind, values.get("unit_kind") or guess_unit_kind(name), "unit_kind"),
        in_scope=values.get("in_scope", True),
    )
    return _construct(Unit, fields)


def build_inspection(values: dict[str, Any], ctx: RowContext) -> Inspection:
    fields = dict(
        id=values.get("record_id") or f"I-{short_hash(ctx.round.id, ctx.unit.id, length=10)}",
        round_id=ctx.round.id,
        unit_id=ctx.unit.id,
        team=ctx.team or "未注明",
        public_reports=values.get("public_reports", 0),
    )
    return _construct(Inspection, fields)


def build_assignment(values: dict[str, Any], rounds: set[str], units: set[str]) -> Assignment:
    """A 交办事项 row; its round and unit ids, when given, must be known to the ledger or import."""
    for field, known in (("round_id", rounds), ("unit_id", units)):
        ref = values.get(field)
        if ref and ref not in known:
            raise RecordError(
                FieldError(field, f"账本中没有编号 {shown(ref)}", f"no {field} {shown(ref)} in the ledger")
            )
    fields = dict(
        id=values.get("record_id")
        or f"A-{short_hash(values['matter'], values['region'], values['assigned_on'])}",
        title=values["matter"],
        assignee_region=values["region"],
        assigned_on=values["assigned_on"],
        due=values["report_due"],
        assignee_unit_id=values.get("unit_id") or None,
        round_id=values.get("round_id") or None,
        reported_on=values.get("reported_on"),
    )
    return _construct(Assignment, fields, blame={"title": "matter", "due": "report_due"})


def _vocab(vocab, value, field: str):
    """Code, Chinese label, or a label with its suffix dropped (常规 for 常规巡察)."""
    try:
        return vocab.parse(value, field)
    except ValueError:
        for member in vocab:  # cells are read half-width: 乡镇(街道)党委 is 乡镇（街道）党委
            label = aliases.to_halfwidth(member.label_zh)
            if str(value) and (label == str(value) or label.startswith(str(value))):
                return member
        raise RecordError(
            FieldError(field, f"无法识别的取值：{shown(value)}", f"unknown {field}: {shown(value)}")
        ) from None


class RecordError(ValueError):
    def __init__(self, error: FieldError) -> None:
        self.error = error
        super().__init__(error.en)


def _not_before_round(rnd: Round, **dates: dt.date | None) -> None:
    for name, day in dates.items():
        if day is not None and day < rnd.start:
            raise RecordError(
                FieldError(
                    MODEL_TO_SHEET[name],
                    f"日期 {day} 早于本轮巡察开始日期 {rnd.start}（{rnd.name}）",
                    f"{name} {day} is before round {rnd.name} started ({rnd.start})",
                )
            )


def _construct(cls, fields: dict[str, Any], blame: dict[str, str] | None = None):
    """The record, or its own ValueError as a ``RecordError`` naming the sheet column."""
    try:
        return cls(**fields)
    except ValueError as err:
        raise _record_error(err, blame) from None


def _record_error(err: ValueError, blame: dict[str, str] | None = None) -> RecordError:
    """A record's own ValueError (``field: reason``) as a ``RecordError`` naming the sheet column."""
    field, _, reason = str(err).partition(": ")
    sheet_field = (blame or {}).get(field) or MODEL_TO_SHEET.get(field, field)
    return RecordError(FieldError(sheet_field, f"记录不符合规则（{field}）：{reason}", str(err)))
