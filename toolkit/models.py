"""Ledger records: one frozen dataclass per thing an inspection office keeps a ledger of.

This module is the vocabulary of the whole toolkit and imports nothing else of ours. Every
record validates itself at construction and raises ``ValueError`` naming the field, so a bad
value is stopped where it enters, not three layers later in a chart. Rules that need another
record (a problem's round must have started before the problem was found) are checked by the
ledger when the record is added, see ``toolkit.ledger``.

Amounts are integers in 元 (yuan): 万元 and 亿元 are display units only (``toolkit.labels``).

Attributes shared by the records:
  id: a stable string id chosen by whoever creates the record (importer, generator, analyst).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import functools
import re
from collections.abc import Callable
from itertools import chain
from typing import Any, ClassVar

RecordId = str
RoundId = str
UnitId = str
ProblemId = str
ClueId = str
AssignmentId = str
InspectionId = str


class Vocabulary(enum.StrEnum):
    """A closed list of codes, each with a Chinese label (the users' working language)."""

    @property
    def label_zh(self) -> str:
        return LABELS_ZH[type(self).__name__][self.value]

    @classmethod
    def parse(cls, value: Any, field: str) -> Vocabulary:
        """Accept a member, its code or its Chinese label; anything else names the field."""
        if isinstance(value, cls):
            return value
        for member in cls:
            if value == member.value or value == member.label_zh:
                return member
        allowed = ", ".join(m.value for m in cls)
        raise ValueError(f"{field}: unknown value {value!r} (allowed: {allowed})")


class RoundKind(Vocabulary):
    """巡察方式: how a round is organised."""

    REGULAR = "regular"
    SPECIAL = "special"
    MOBILE = "mobile"
    ELEVATED = "elevated"
    CROSS = "cross"
    EXTENSION = "extension"
    LINKED = "linked"
    INTEGRATED = "integrated"
    LOOK_BACK = "look_back"


class RoundLevel(Vocabulary):
    """Who sends the round: the city party committee (市委) or a county/district one (县/区委)."""

    CITY = "city"
    COUNTY = "county"


class UnitKind(Vocabulary):
    """被巡察党组织的类型."""

    DEPARTMENT = "department"
    TOWNSHIP = "township"
    VILLAGE = "village"
    SOE = "soe"
    SCHOOL = "school"
    HOSPITAL = "hospital"


class ProblemStatus(Vocabulary):
    """整改状态. Only RECTIFIED and CLOSED count as rectified: 基本完成 is IN_PROGRESS (昆明 counts so)."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    RECTIFIED = "rectified"
    CLOSED = "closed"
    ONGOING = "ongoing"


class DeadlineKind(Vocabulary):
    """整改时限的种类: a date, 立行立改 (immediate, due on the feedback date), 长期坚持 (no date)."""

    DATED = "dated"
    IMMEDIATE = "immediate"
    ONGOING = "ongoing"


class Disposal(Vocabulary):
    """问题线索处置方式 (the four ways of disposing of a clue, plus opening a case)."""

    TALK = "talk"
    VERIFY = "verify"
    SHELVE = "shelve"
    CLOSE = "close"
    CASE = "case"


LABELS_ZH: dict[str, dict[str, str]] = {
    "RoundKind": {
        "regular": "常规巡察",
        "special": "专项巡察",
        "mobile": "机动巡察",
        "elevated": "提级巡察",
        "cross": "交叉巡察",
        "extension": "延伸巡察",
        "linked": "联动巡察",
        "integrated": "市县统合巡察",
        "look_back": "巡察“回头看”",
    },
    "RoundLevel": {"city": "市委巡察", "county": "县（区）委巡察"},
    "UnitKind": {
        "department": "部门党组",
        "township": "乡镇（街道）党委",
        "village": "村（社区）党组织",
        "soe": "国有企业",
        "school": "学校",
        "hospital": "医院",
    },
    "ProblemStatus": {
        "open": "未整改",
        "in_progress": "整改中",
        "rectified": "已整改",
        "closed": "已销号",
        "ongoing": "长期坚持",
    },
    "DeadlineKind": {"dated": "限期整改", "immediate": "立行立改", "ongoing": "长期坚持"},
    "Disposal": {
        "talk": "谈话函询",
        "verify": "初步核实",
        "shelve": "暂存待查",
        "close": "予以了结",
        "case": "立案审查调查",
    },
}

RECTIFIED_STATUSES = (ProblemStatus.RECTIFIED, ProblemStatus.CLOSED)

# The standard problem categories the sample uses; imported ledgers may bring their own.
PROBLEM_CATEGORIES = (
    "贯彻落实党的路线方针政策",
    "全面从严治党主体责任",
    "落实中央八项规定精神",
    "选人用人和干部管理",
    "基层党组织建设",
    "财务管理和资金使用",
    "工程项目和招投标",
    "人防易地建设费收缴",
    "集体“三资”管理",
    "群众身边腐败和作风问题",
    "意识形态工作",
    "巡察整改落实",
)


# Characters no record's text may hold: C0/C1 controls other than tab, LF and CR (a workbook
# cannot store most of them, so an export would fail for good), direction overrides that make
# text read otherwise than it is stored, and code points that are not characters.
FORBIDDEN_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)


def forbidden_character(text: str) -> str | None:
    """The first character of ``text`` no record may hold, as ``U+0007``; None when clean."""
    found = FORBIDDEN_TEXT.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


@functools.cache
def field_names(cls: type) -> tuple[str, ...]:
    """A record class's field names, in order (``dataclasses.fields`` is slow for every record
    of a 100,000-row import)."""
    return tuple(f.name for f in dataclasses.fields(cls))


def _require_clean_text(obj: Any) -> None:
    """Every text field of a record is free of ``FORBIDDEN_TEXT``, whoever made the record."""
    texts = [(name, v) for name in field_names(type(obj)) if isinstance(v := getattr(obj, name), str)]
    if not FORBIDDEN_TEXT.search("\n".join([v for _, v in texts])):  # one search: the usual clean record
        return
    for name, value in texts:
        if bad := forbidden_character(value):
            raise ValueError(f"{name}: holds the character {bad}, which no ledger text may hold")


def _require_text(obj: Any, *fields: str) -> None:
    for name in fields:
        value = getattr(obj, name)
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"{name}: must be a non-empty string, got {value!r}")


def _require_date(obj: Any, name: str, *, optional: bool = False) -> None:
    value = getattr(obj, name)
    if value is None and optional:
        return
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValueError(f"{name}: must be a date, got {value!r}")


def _require_order(obj: Any, earlier: str, later: str) -> None:
    a, b = getattr(obj, earlier), getattr(obj, later)
    if a is not None and b is not None and b < a:
        raise ValueError(f"{later}: {b} is before {earlier} {a}")


def _require_count(obj: Any, *fields: str) -> None:
    for name in fields:
        value = getattr(obj, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{name}: must be a non-negative integer, got {value!r}")


def _coerce_vocab(obj: Any, name: str, vocab: type[Vocabulary], *, optional=False) -> None:
    value = getattr(obj, name)
    if value is None and optional:
        return
    object.__setattr__(obj, name, vocab.parse(value, name))


class Record:
    """Mixin: the ledger stores a record by its ``kind`` and knows which fields may change."""

    kind: ClassVar[str]
    mutable: ClassVar[frozenset[str]] = frozenset()

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in field_names(type(self))}


@dataclasses.dataclass(frozen=True)
class Unit(Record):
    """被巡察单位 / 党组织.

    Attributes:
      id: stable id.
      name: full name, e.g. 市住房和城乡建设局党组.
      region: the county/district it belongs to (市本级 for city departments).
      sector: the field it works in (住建, 人防, 教育, 卫生, ...).
      unit_kind: a ``UnitKind``.
      in_scope: counted in the coverage (全覆盖) denominator.
    """

    kind: ClassVar[str] = "unit"
    id: UnitId
    name: str
    region: str
    sector: str
    unit_kind: UnitKind
    in_scope: bool = True

    def __post_init__(self) -> None:
        _require_text(self, "id", "name", "region", "sector")
        _require_clean_text(self)
        _coerce_vocab(self, "unit_kind", UnitKind)
        if not isinstance(self.in_scope, bool):
            raise ValueError(f"in_scope: must be true or false, got {self.in_scope!r}")


@dataclasses.dataclass(frozen=True)
class Round(Record):
    """轮: one inspection round, e.g. 七届市委第八轮巡察.

    Attributes:
      term: the 届 it belongs to (七届); coverage is counted per term.
      number: the round's number within the term.
      round_kind: a ``RoundKind``.
      level: a ``RoundLevel``; county rounds carry their ``region``.
      start, end: on-site period (进驻 to 撤离); feedback_on: 反馈 date.
      looks_back_at: for a 回头看 round, the round it looks back at.
    """

    kind: ClassVar[str] = "round"
    id: RoundId
    name: str
    term: str
    number: int
    round_kind: RoundKind
    level: RoundLevel
    region: str
    start: dt.date
    end: dt.date
    feedback_on: dt.date
    looks_back_at: RoundId | None = None

    def __post_init__(self) -> None:
        _require_text(self, "id", "name", "term", "region")
        _require_clean_text(self)
        _coerce_vocab(self, "round_kind", RoundKind)
        _coerce_vocab(self, "level", RoundLevel)
        if not isinstance(self.number, int) or self.number < 1:
            raise ValueError(f"number: must be a positive integer, got {self.number!r}")
        for name in ("start", "end", "feedback_on"):
            _require_date(self, name)
        _require_order(self, "start", "end")
        _require_order(self, "end", "feedback_on")


@dataclasses.dataclass(frozen=True)
class Inspection(Record):
    """One unit inspected in one round by one team (巡察组): the fact coverage counts.

    Attributes:
      team: the team's name, e.g. 市委第三巡察组.
      public_reports: 群众反映 received during the round (直通车, letters, calls).
    """

    kind: ClassVar[str] = "inspection"
    id: InspectionId
    round_id: RoundId
    unit_id: UnitId
    team: str
    public_reports: int = 0

    def __post_init__(self) -> None:
        _require_text(self, "id", "round_id", "unit_id", "team")
        _require_clean_text(self)
        _require_count(self, "public_reports")


@dataclasses.dataclass(frozen=True)
class Problem(Record):
    """问题: one problem found in a unit in a round, and its rectification (整改).

    Attributes:
      category: 问题类别; common: 共性问题 (true) or 个性问题.
      found_on: the day it was recorded (on or after the round's start).
      deadline: a ``DeadlineKind``; ``due`` is required when DATED, the feedback date when
        IMMEDIATE, and absent when ONGOING (长期坚持 items are never overdue).
      status: a ``ProblemStatus``; rectified_on / closed_on (销号) are set when it gets there.
      amount_yuan: 涉及金额 in 元.
      responsible: 责任部门 (a department, never a person's name).
    """

    kind: ClassVar[str] = "problem"
    mutable: ClassVar[frozenset[str]] = frozenset({"status", "due", "rectified_on", "closed_on", "deadline"})
    id: ProblemId
    round_id: RoundId
    unit_id: UnitId
    category: str
    description: str
    found_on: dt.date
    due: dt.date | None
    deadline: DeadlineKind = DeadlineKind.DATED
    status: ProblemStatus = ProblemStatus.OPEN
    common: bool = False
    team: str = ""
    responsible: str = ""
    amount_yuan: int = 0
    rectified_on: dt.date | None = None
    closed_on: dt.date | None = None

    def __post_init__(self) -> None:
        _require_text(self, "id", "round_id", "unit_id", "category", "description")
        _require_clean_text(self)
        _coerce_vocab(self, "deadline", DeadlineKind)
        _coerce_vocab(self, "status", ProblemStatus)
        _require_date(self, "found_on")
        _require_date(self, "due", optional=True)
        _require_date(self, "rectified_on", optional=True)
        _require_date(self, "closed_on", optional=True)
        _require_count(self, "amount_yuan")
        if self.deadline is DeadlineKind.DATED and self.due is None:
            raise ValueError("due: required when the deadline is a date (限期整改)")
        if self.deadline is DeadlineKind.ONGOING and self.due is not None:
            raise ValueError("due: must be empty for a 长期坚持 (ongoing) item")
        _require_order(self, "found_on", "due")
        _require_order(self, "found_on", "rectified_on")
        _require_order(self, "rectified_on", "closed_on")
        check_problem_state(self.status, self.rectified_on, self.closed_on)


PROBLEM_BLOCK = 512  # problems cleared together by ``make_problems``: a bad one sends its block one by one
_PROBLEM_TEXTS = ("id", "round_id", "unit_id", "category", "description")
_SHARED_TEXTS = frozenset({"round_id", "unit_id", "category", "team", "responsible"})


def make_problems(rows: list[dict[str, Any]]) -> list[Problem | ValueError]:
    """``Problem(**fields)`` for each of ``rows`` (each holding every field), or the ValueError it
    raises (``make_problem_columns`` on the rows' fields, a block at a time)."""
    out: list[Problem | ValueError] = []
    for start in range(0, len(rows), PROBLEM_BLOCK):
        block = rows[start : start + PROBLEM_BLOCK]
        if any(fields.keys() != _PROBLEM_FIELD_SET for fields in block):
            out += _one_by_one(block)
        else:
            out += make_problem_columns(
                {name: [fields[name] for fields in block] for name in _PROBLEM_FIELDS}
            )
    return out


def make_problem_columns(columns: dict[str, list[Any]]) -> list[Problem | ValueError]:
    """``Problem`` for each row of ``columns`` (field name -> one value per row, every field), or
    the ValueError it raises.

    An import builds 100,000 problems; their checks run a column at a time. Columns every check
    clears are built without ``__post_init__`` running them again row by row
    (``_columns_are_valid`` is at least as strict as ``__post_init__``, and the rows already hold
    vocabulary members). Any other rows are built row by row by ``Problem`` itself, so a bad row
    is refused with the very error it always was."""
    ordered = [columns[name] for name in _PROBLEM_FIELDS]
    if _columns_are_valid(columns):
        return list(map(_unchecked_problem(), *ordered))
    return _one_by_one([dict(zip(_PROBLEM_FIELDS, row, strict=True)) for row in zip(*ordered, strict=True)])


def _one_by_one(rows: list[dict[str, Any]]) -> list[Problem | ValueError]:
    out: list[Problem | ValueError] = []
    for fields in rows:
        try:
            out.append(Problem(**fields))
        except ValueError as err:
            out.append(err)
    return out


@functools.cache
def _unchecked_problem() -> Callable[..., Problem]:
    """``Problem``'s own ``__init__`` without ``__post_init__``: a function storing each field by
    name, as the dataclass's generated ``__init__`` does (made the same way, with ``exec``), so
    the record is laid out as compactly as one ``Problem`` makes (about 220 bytes; filling
    ``__dict__`` instead takes 530). Its arguments are the fields in order, so a block is built
    by one ``map`` over its columns. Only for fields ``_columns_are_valid`` has cleared."""
    source = (
        f"def unchecked({', '.join(_PROBLEM_FIELDS)}):\n    self = new(Problem)\n"
        + "".join(f"    store(self, {name!r}, {name})\n" for name in _PROBLEM_FIELDS)
        + "    return self\n"
    )
    namespace = {"new": object.__new__, "store": object.__setattr__, "Problem": Problem}
    exec(source, namespace)  # names are the dataclass's own field names, nothing from a file
    return namespace["unchecked"]


_NO_DATE, _A_DATE = frozenset({dt.date}), frozenset({dt.date, type(None)})


def _columns_are_valid(column: dict[str, list[Any]]) -> bool:
    """True only when ``Problem.__post_init__`` would accept every row of ``column`` unchanged."""
    names = (*_PROBLEM_TEXTS, "team", "responsible")
    if not all(set(map(type, column[name])) == {str} for name in names):
        return False
    # rows share a few rounds, units, categories, teams: each distinct text is looked at once
    texts = {name: set(column[name]) if name in _SHARED_TEXTS else column[name] for name in names}
    if not all(all(map(str.strip, texts[name])) for name in _PROBLEM_TEXTS):
        return False
    # (deadline and status are members: their values are plain words.) No character FORBIDDEN_TEXT
    # names is printable, so printable text needs no search.
    if not "".join(chain.from_iterable(texts.values())).isprintable() and FORBIDDEN_TEXT.search(
        "\n".join(["\n".join(col) for col in texts.values()])
    ):
        return False
    if set(map(type, column["deadline"])) != {DeadlineKind} or set(map(type, column["status"])) != {
        ProblemStatus
    }:
        return False
    if set(map(type, column["found_on"])) != _NO_DATE or not all(
        set(map(type, column[name])) <= _A_DATE for name in ("due", "rectified_on", "closed_on")
    ):
        return False
    amounts = column["amount_yuan"]
    if set(map(type, amounts)) != {int} or min(amounts) < 0:
        return False
    # rows share a few combinations of kind, status and dates: each distinct one is judged once
    states = dict.fromkeys(
        zip(
            column["deadline"],
            column["status"],
            column["found_on"],
            column["due"],
            column["rectified_on"],
            column["closed_on"],
            strict=True,
        )
    )
    dated, ongoing, closed = DeadlineKind.DATED, DeadlineKind.ONGOING, ProblemStatus.CLOSED
    return not any(
        (kind is dated and due is None)
        or (kind is ongoing and due is not None)
        or (due is not None and due < found)
        or (rectified is not None and rectified < found)
        or (closed_on is not None and rectified is not None and closed_on < rectified)
        or ((status in RECTIFIED_STATUSES) != (rectified is not None))
        or ((status is closed) != (closed_on is not None))
        for kind, status, found, due, rectified, closed_on in states
    )


def check_problem_state(
    status: ProblemStatus, rectified_on: dt.date | None, closed_on: dt.date | None
) -> None:
    """A rectified problem has its date; a closed-out one has both; an open one has neither."""
    if status in RECTIFIED_STATUSES and rectified_on is None:
        raise ValueError(f"rectified_on: required when status is {status.value}")
    if status is ProblemStatus.CLOSED and closed_on is None:
        raise ValueError("closed_on: required when status is closed (已销号)")
    if status not in RECTIFIED_STATUSES and rectified_on is not None:
        raise ValueError(f"rectified_on: must be empty while status is {status.value}")
    if status is not ProblemStatus.CLOSED and closed_on is not None:
        raise ValueError(f"closed_on: must be empty while status is {status.value}")


_PROBLEM_FIELDS = tuple(f.name for f in dataclasses.fields(Problem))
_PROBLEM_FIELD_SET = frozenset(_PROBLEM_FIELDS)


@dataclasses.dataclass(frozen=True)
class Clue(Record):
    """问题线索 transferred (移交) to the discipline commission, and what became of it.

    Attributes:
      subject: 被反映人 (a person's name: sensitive, masked in every view without the right).
      subject_post: 职务.
      source: 线索来源 (巡察发现, 群众反映, 审计移送...).
      disposal / disposed_on: 处置方式 and the day disposal finished; None while pending.
      case_opened_on: 立案 date; sanctioned / prosecuted: persons 党纪政务处分 / 移送司法.
      recovered_yuan: 挽回经济损失 in 元.
    """

    kind: ClassVar[str] = "clue"
    mutable: ClassVar[frozenset[str]] = frozenset(
        {"disposal", "disposed_on", "case_opened_on", "sanctioned", "prosecuted", "recovered_yuan"}
    )
    id: ClueId
    round_id: RoundId
    unit_id: UnitId
    title: str
    subject: str
    subject_post: str
    source: str
    transferred_on: dt.date
    disposal: Disposal | None = None
    disposed_on: dt.date | None = None
    case_opened_on: dt.date | None = None
    sanctioned: int = 0
    prosecuted: int = 0
    recovered_yuan: int = 0

    def __post_init__(self) -> None:
        _require_text(self, "id", "round_id", "unit_id", "title", "source")
        _require_clean_text(self)
        _coerce_vocab(self, "disposal", Disposal, optional=True)
        _require_date(self, "transferred_on")
        _require_date(self, "disposed_on", optional=True)
        _require_date(self, "case_opened_on", optional=True)
        _require_count(self, "sanctioned", "prosecuted", "recovered_yuan")
        _require_order(self, "transferred_on", "disposed_on")
        _require_order(self, "transferred_on", "case_opened_on")
        if self.case_opened_on is not None and self.disposal is not Disposal.CASE:
            raise ValueError("case_opened_on: only a clue disposed as 立案审查调查 has a case")


@dataclasses.dataclass(frozen=True)
class Assignment(Record):
    """交办事项: a matter the city office assigns to a region or unit, to be reported back by ``due``.

    Attributes:
      assignee_region: the region it was assigned to; assignee_unit_id when a single unit.
      reported_on: the day the report came back (None while outstanding).
    """

    kind: ClassVar[str] = "assignment"
    mutable: ClassVar[frozenset[str]] = frozenset({"reported_on", "due"})
    id: AssignmentId
    title: str
    assignee_region: str
    assigned_on: dt.date
    due: dt.date
    assignee_unit_id: UnitId | None = None
    round_id: RoundId | None = None
    reported_on: dt.date | None = None

    def __post_init__(self) -> None:
        _require_text(self, "id", "title", "assignee_region")
        _require_clean_text(self)
        _require_date(self, "assigned_on")
        _require_date(self, "due")
        _require_date(self, "reported_on", optional=True)
        _require_order(self, "assigned_on", "due")
        _require_order(self, "assigned_on", "reported_on")


RECORD_TYPES: dict[str, type[Record]] = {
    cls.kind: cls for cls in (Unit, Round, Inspection, Problem, Clue, Assignment)
}
# The order records are written in: a problem refers to its round and unit, so those go first.
RECORD_ORDER = ("unit", "round", "inspection", "problem", "clue", "assignment")


def record_fields(kind: str) -> list[dataclasses.Field]:
    return list(dataclasses.fields(RECORD_TYPES[kind]))  # type: ignore[arg-type]


def replace(record: Record, **changes: Any) -> Record:
    """A copy of ``record`` with ``changes`` applied and validated again."""
    return dataclasses.replace(record, **changes)  # type: ignore[type-var]
