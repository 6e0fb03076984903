"""Events: the only thing the ledger ever writes, chained by hashes so tampering shows.

Every change to the ledger is an ``Event`` (a record added, a status changed, a deadline
extended, a close-out ...) with when it took effect (``at``), when it was written
(``recorded_at``), who wrote it (``by``) and why. Events are appended, never updated or
deleted. Each event's ``hash`` covers its own content and the previous event's hash, so
altering, removing or reordering any stored event breaks the chain from that event on
(``first_broken_link``).

This module is pure: encoding, hashing and turning an event into the rows of the
projection tables. Storage lives in ``toolkit.store``, the rules for what may change in
``toolkit.ledger``.
"""

from __future__ import annotations

import binascii
import dataclasses
import datetime as dt
import enum
import functools
import hashlib
import itertools
import json
import re
import typing
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from toolkit import models

GENESIS_HASH = "0" * 64


class EventKind(enum.StrEnum):
    """What happened. Each kind may change only the fields listed in ``EVENT_FIELDS``."""

    ADDED = "added"
    STATUS_CHANGED = "status_changed"
    DEADLINE_EXTENDED = "deadline_extended"
    CLOSED_OUT = "closed_out"
    CLUE_DISPOSED = "clue_disposed"
    CASE_OPENED = "case_opened"
    OUTCOME_RECORDED = "outcome_recorded"
    ASSIGNMENT_REPORTED = "assignment_reported"
    CORRECTED = "corrected"


# entity -> event kind -> fields it may set. CORRECTED may set any mutable field: it is how an
# office fixes a wrong entry without rewriting history (the wrong value stays in the log).
EVENT_FIELDS: dict[str, dict[EventKind, frozenset[str]]] = {
    "problem": {
        EventKind.STATUS_CHANGED: frozenset({"status", "rectified_on", "deadline", "due"}),
        EventKind.DEADLINE_EXTENDED: frozenset({"due"}),
        EventKind.CLOSED_OUT: frozenset({"status", "closed_on"}),
    },
    "clue": {
        EventKind.CLUE_DISPOSED: frozenset({"disposal", "disposed_on"}),
        EventKind.CASE_OPENED: frozenset({"disposal", "disposed_on", "case_opened_on"}),
        EventKind.OUTCOME_RECORDED: frozenset({"sanctioned", "prosecuted", "recovered_yuan"}),
    },
    "assignment": {EventKind.ASSIGNMENT_REPORTED: frozenset({"reported_on"})},
}


@dataclasses.dataclass(frozen=True, slots=True)
class Event:
    """One appended fact.

    Attributes:
      seq: position in the log, 1, 2, 3 ... with no gaps.
      at: the day it took effect; ``as_of(d)`` replays the events with ``at <= d``.
      recorded_at: wall-clock time it was written.
      by: who wrote it; why: the reason given (a close-out's verification, an extension's approval).
      kind: an ``EventKind``; entity: the record kind (``problem``...); record_id: its id.
      payload: the full record for ADDED, the changed fields otherwise (JSON-safe values).
      prev_hash, hash: the chain (see module docstring).
    """

    seq: int
    at: dt.date
    recorded_at: dt.datetime
    by: str
    why: str
    kind: str
    entity: str
    record_id: str
    payload: str
    prev_hash: str
    hash: str


EVENT_COLUMNS = [f.name for f in dataclasses.fields(Event)]


def encode_value(value: Any) -> Any:
    """A field value as it is kept in JSON: dates ISO, vocabulary codes, the rest as is."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# Canonical JSON (sorted keys, no spaces, UTF-8 kept): equal content, equal bytes. Bulk writers
# encode fields already made JSON-ready with it directly.
PAYLOAD_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def encode_payload(fields: dict[str, Any]) -> str:
    """An event's payload: ``fields`` as canonical JSON (``PAYLOAD_JSON``)."""
    return PAYLOAD_JSON.encode({k: encode_value(v) for k, v in fields.items()})


def encode_payloads(names: Sequence[str], columns: Sequence[Sequence[Any]]) -> list[str]:
    """``encode_payload`` of many records with the same fields, given as columns (``columns[j]``
    holds field ``names[j]`` of every record; at least one field): for a bulk writer, whose JSON
    per record would cost more than the rest of its work. The keys are sorted and encoded once,
    each column is encoded at once, and a record's text is its pieces joined. A column of text
    with nothing to escape is its own JSON in quotes: the quotes go with the keys."""
    rows = len(columns[0])
    pieces: list[Iterable[str]] = []
    quote = ""  # closes the text of the column before, when it went in as it is
    for k, j in enumerate(sorted(range(len(names)), key=names.__getitem__)):
        key = quote + ("," if k else "{") + _JSON_STRING(names[j]) + ":"
        if _plain_text(columns[j]):
            pieces += [itertools.repeat(key + '"', rows), columns[j]]
            quote = '"'
        else:
            pieces += [itertools.repeat(key, rows), _json_column(columns[j])]
            quote = ""
    return list(map("".join, zip(*pieces, itertools.repeat(quote + "}", rows), strict=True)))


def _plain_text(values: Sequence[Any]) -> bool:
    """Whether every value is a str JSON writes as itself in quotes (no quote, backslash or
    control character in it), asked of the whole column at once."""
    if set(map(type, values)) != {str}:
        return False
    text = "".join(values)
    return len(_JSON_STRING(text)) == len(text) + 2


_JSON_STRING = json.encoder.encode_basestring  # what PAYLOAD_JSON writes a str as (it keeps UTF-8)


def _json_column(values: Sequence[Any]) -> list[str]:
    """``PAYLOAD_JSON.encode(encode_value(v))`` for each of ``values``. Plain text is escaped
    directly; a column of one kind of value whose equal values are written alike (dates,
    numbers, flags: often few distinct ones) is encoded once per distinct value; anything
    else (floats: 0.0 equals -0.0; mixed kinds: 1 equals True) one value at a time."""
    kinds = set(map(type, values))
    if kinds == {str}:
        return list(map(_JSON_STRING, values))
    if len(kinds - {type(None)}) <= 1 and kinds <= _ENCODED_ONCE:
        texts = {v: PAYLOAD_JSON.encode(encode_value(v)) for v in set(values)}
        return list(map(texts.__getitem__, values))
    return [PAYLOAD_JSON.encode(encode_value(v)) for v in values]


_ENCODED_ONCE = {str, int, bool, dt.date, type(None)}


def event_hash(
    seq: int,
    at: dt.date,
    recorded_at: dt.datetime,
    by: str,
    why: str,
    kind: str,
    entity: str,
    record_id: str,
    payload: str,
    prev_hash: str,
) -> str:
    body = "\x1f".join(
        (
            str(seq),
            at.isoformat(),
            recorded_at.isoformat(timespec="microseconds"),
            by,
            why,
            kind,
            entity,
            record_id,
            payload,
            prev_hash,
        )
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def chain_hashes(
    seq: int,
    prev_hash: str,
    by: str,
    entity: str,
    at: Sequence[dt.date],
    recorded_at: Sequence[dt.datetime],
    why: Sequence[str],
    kind: Sequence[str],
    record_id: Sequence[str],
    payload: Sequence[bytes],
) -> list[bytes]:
    """``event_hash`` of consecutive events numbered from ``seq``, the first chained to
    ``prev_hash`` and each to the one before: a bulk writer's events (one writer, one kind of
    record), given as columns, the payloads already UTF-8 (the writer stores those bytes too).
    The hashes come back as their hex text in ASCII bytes. The same text is hashed as
    ``event_hash`` hashes, built inline (a call per event costs as much as the hashing). A date
    or a time is formatted once however many events in a row share it (a bulk writer's clock
    repeats: it reads the same microsecond for several events)."""
    sha256, hexlify = hashlib.sha256, binascii.hexlify
    join, join_bytes = "\x1f".join, b"\x1f".join
    days: dict[dt.date, str] = {}
    when_before, stamp = None, ""
    prev = prev_hash.encode("ascii")
    hashes: list[bytes] = []
    numbers = map(str, range(seq, seq + len(at)))
    columns = zip(numbers, at, recorded_at, why, kind, record_id, payload, strict=True)
    for n, day, when, reason, what, record, body in columns:
        iso = days.get(day)
        if iso is None:
            iso = days[day] = day.isoformat()
        if when != when_before or when.tzinfo is not when_before.tzinfo:  # equal instants, other zones
            when_before, stamp = when, when.isoformat("T", "microseconds")
        head = join((n, iso, stamp, by, reason, what, entity, record))
        prev = hexlify(sha256(join_bytes((head.encode("utf-8"), body, prev))).digest())
        hashes.append(prev)
    return hashes


def make_event(
    prev_hash: str,
    seq: int,
    *,
    at: dt.date,
    recorded_at: dt.datetime,
    by: str,
    why: str,
    kind: str,
    entity: str,
    record_id: str,
    payload: str,
) -> Event:
    digest = event_hash(seq, at, recorded_at, by, why, kind, entity, record_id, payload, prev_hash)
    return Event(seq, at, recorded_at, by, why, kind, entity, record_id, payload, prev_hash, digest)


@dataclasses.dataclass(frozen=True)
class BrokenLink:
    """The first event whose stored form does not match the chain, and why."""

    seq: int
    record_id: str
    reason: str


def first_broken_link(rows: Iterable[tuple], start_seq: int = 1) -> BrokenLink | None:
    """Walk events in ``seq`` order (tuples in ``EVENT_COLUMNS`` order); None if all intact."""
    expected_prev = GENESIS_HASH
    expected_seq = start_seq
    for row in rows:
        seq, at, recorded_at, by, why, kind, entity, record_id, payload, prev_hash, digest = row
        if seq != expected_seq:
            return BrokenLink(seq, record_id, f"sequence gap: expected event {expected_seq}")
        if prev_hash != expected_prev:
            return BrokenLink(seq, record_id, "previous-hash link broken (an event was removed)")
        recomputed = event_hash(
            seq, _as_date(at), recorded_at, by, why, kind, entity, record_id, payload, prev_hash
        )
        if recomputed != digest:
            return BrokenLink(seq, record_id, "content does not match its hash (altered)")
        expected_prev = digest
        expected_seq += 1
    return None


def _as_date(value: Any) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


# ---- receipts: the head of the chain, written down somewhere the ledger's writers cannot reach ----

RECEIPT_VERSION = 1
_RECEIPT = re.compile(
    r"xuncha-receipt\s+(?P<version>\d+)\s+seq=(?P<seq>\d+)\s+head=(?P<head>[0-9a-f]{64})"
    r"(?:\s+(?P<day>\d{4}-\d{2}-\d{2}))?"
)


@dataclasses.dataclass(frozen=True)
class Receipt:
    """The chain's head at one moment: ``seq`` events, the last one's ``head`` hash, its date.

    Anyone who can write the ledger can rewrite the whole chain consistently; a receipt kept
    elsewhere (printed after every write, filed with the signed report) is what shows that.
    """

    seq: int
    head: str
    day: dt.date | None = None

    def __str__(self) -> str:
        day = f"  {self.day.isoformat()}" if self.day else ""
        return f"xuncha-receipt {RECEIPT_VERSION} seq={self.seq} head={self.head}{day}"

    @classmethod
    def parse(cls, text: str) -> Receipt:
        """The first receipt in ``text`` (a line, or a line among others); ValueError if none."""
        match = _RECEIPT.search(text.strip())
        if match is None:
            raise ValueError(
                "收据格式不对，应为 “xuncha-receipt 1 seq=… head=<64位十六进制>” / "
                f"not a receipt (expected 'xuncha-receipt 1 seq=... head=<64 hex digits>'): {text.strip()[:80]!r}"
            )
        if int(match["version"]) != RECEIPT_VERSION:
            raise ValueError(
                f"收据版本 {match['version']} 无法识别 / receipt version {match['version']} is not known"
            )
        day = dt.date.fromisoformat(match["day"]) if match["day"] else None
        return cls(int(match["seq"]), match["head"], day)

    @classmethod
    def parse_all(cls, text: str) -> list[Receipt]:
        """Every receipt in ``text`` (a file of receipts kept over the years)."""
        return [cls.parse(m.group(0)) for m in _RECEIPT.finditer(text)]


# ---- projections: the typed tables derived from events -------------------------------------

SQL_TYPES = {str: "VARCHAR", int: "BIGINT", bool: "BOOLEAN", dt.date: "DATE"}


@functools.cache
def field_sql_type(record_cls: type, name: str) -> str:
    """The SQL column type of a record field, from its annotation (vocabularies are VARCHAR)."""
    hint = typing.get_type_hints(record_cls)[name]
    args = [a for a in typing.get_args(hint) if a is not type(None)] or [hint]
    base = args[0]
    if isinstance(base, type) and issubclass(base, enum.Enum):
        return "VARCHAR"
    return SQL_TYPES[base]


def added_table(entity: str) -> str:
    return f"{entity}_added"


@functools.cache
def added_columns(entity: str) -> list[tuple[str, str]]:
    """Columns of ``<entity>_added``: the record's fields as first written, plus when."""
    cls = models.RECORD_TYPES[entity]
    cols = [(f.name, field_sql_type(cls, f.name)) for f in models.record_fields(entity)]
    return cols + [("added_at", "DATE"), ("added_seq", "BIGINT")]


CHANGE_COLUMNS = [
    ("entity", "VARCHAR"),
    ("record_id", "VARCHAR"),
    ("field", "VARCHAR"),
    ("value", "VARCHAR"),
    ("at", "DATE"),
    ("seq", "BIGINT"),
]


def projection_rows(event: Event) -> Iterator[tuple[str, tuple]]:
    """(table, row) pairs an event contributes to the projection tables."""
    payload = json.loads(event.payload)
    if event.kind == EventKind.ADDED:
        cls = models.RECORD_TYPES[event.entity]
        values = [
            _decode(field_sql_type(cls, n), payload.get(n)) for n, _ in added_columns(event.entity)[:-2]
        ]
        yield added_table(event.entity), (*values, event.at, event.seq)
        return
    for name in sorted(payload):
        yield (
            "changes",
            (event.entity, event.record_id, name, change_text(payload[name]), event.at, event.seq),
        )


def change_text(value: Any) -> str:
    """A changed field's value (as its payload holds it) as the ``changes`` table stores it: a
    change to empty is "" (never NULL: see toolkit.replay), a flag is true/false."""
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


def _decode(sql_type: str, value: Any) -> Any:
    if value is None:
        return None
    if sql_type == "DATE":
        return dt.date.fromisoformat(value)
    return value
