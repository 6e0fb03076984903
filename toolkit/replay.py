"""The ledger as it stood on a date: a replay of the events, written once as ibis expressions.

The projection tables hold each record as first written (``<entity>_added``) and every later
field change (``changes``: entity, record_id, field, value, at, seq). The state of a record on
day ``d`` is its first form with, for each field, the value of its latest change dated on or
before ``d``. That is one group-by in the database, so it runs the same on DuckDB and PostgreSQL
and never loops over records in Python.

A change to NULL is stored as the empty string: aggregate functions skip NULLs differently on
each backend, so the replay never feeds them one.

Given the ledger's current-state table, a past date replays only the records changed after it:
every other record stands today as it stood then, so it is read as it stands. For a recent
date that is most records, and the group-by over every change (the cost of a replay) shrinks
to the changes of the few records that moved since. Each state row carries ``changed_at``, the
date of its latest change (its ``added_at`` if none), so finding the records that moved after a
date is a filter on the current-state table, not a join with every later change.

A problem's state also carries two columns derived from its history (``DERIVED``), so the
metrics that need them read one row per problem instead of the log: ``extensions``, how many
deadline extensions it had, and ``judged_due``, the deadline it is judged by (for a rectified
problem the due date in force on the day it was rectified, else its due date). The log keeps
millions of rows whose ids cost the most to read; at a million problems counting the extensions
from it took ~40 ms and finding the deadlines in force ~45 ms of every figure that needs them.
A record unchanged since a past date had the same history then, so its stored values hold for
that date too, and a replayed record computes them from its own changes.

A third, ``found_again_on``, depends on other records: the first day the ledger held a problem
of the same unit and category from a round that started later (what 回头看 counts as a
recurrence, ``toolkit.metrics.recurrence``). Finding it takes a group-by of every problem by
unit and category, ~80 ms at a million problems for each figure. Units, categories, rounds and
the days problems were added never change, so the day stays right for ever once stored; on a
past date it is kept when it falls on or before that date, else empty (the later problem was not
yet in the ledger). A write that adds a problem replaces the state of every problem of its unit
and category (``GROUPED_BY``), whose day may move earlier.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit import models
from toolkit.events import CHANGE_COLUMNS, EventKind, added_columns, added_table, field_sql_type

if TYPE_CHECKING:  # ibis is imported where an expression is built: a writer that only runs the
    import ibis.expr.types as ir  # compiled SQL (toolkit.replay_sql) never loads it

NULL_VALUE = ""  # how events.projection_rows stores a change to empty

IBIS_TYPES = {"VARCHAR": "string", "BIGINT": "int64", "BOOLEAN": "boolean", "DATE": "date"}
# Records read from the current-state table when unchanged since the date (see ``state``).
# Problems carry nearly all changes (each moves open -> in progress -> rectified -> closed);
# clues and assignments are few and change little, so replaying them whole costs less than the
# extra pass over the later changes that finding the moved ones takes (measured at 1M problems).
SHORTCUT_ENTITIES = frozenset({"problem"})
# Columns of a state row after the record's own fields: when it was added, when last changed.
STATE_DATES = ("added_at", "changed_at")
# Columns derived from a record's history, after its dates, with their SQL types (see above).
DERIVED: dict[str, tuple[tuple[str, str], ...]] = {
    "problem": (("extensions", "BIGINT"), ("judged_due", "DATE"), ("found_again_on", "DATE")),
}
# The rules the derived columns are worked out by; every write records it with the chain's head
# (``toolkit.store``). 1: extensions, judged_due; 2: found_again_on too. A toolkit that knows
# fewer derived columns would leave the others empty or stale (a problem it added would not move
# the found_again_on of its unit and category, in the master or in a published copy), and the
# figures read them as they are, so the database refuses its write whole.
STATE_FORMAT = 2
# The fields whose records a derived column looks across: a write touching one record replaces
# the state of every record sharing them (``toolkit.store``).
GROUPED_BY: dict[str, tuple[str, ...]] = {"problem": ("unit_id", "category")}
LOOKED_ACROSS = "found_again_on"  # the derived column read from other records, not the history
# The derived column every row this toolkit writes fills (no extension: 0), never empty: the
# database refuses a row without it (``toolkit.store``), the guard from before ``STATE_FORMAT``.
ALWAYS_FILLED: dict[str, tuple[str, ...]] = {"problem": ("extensions",)}


def derived_names(entity: str, derived: bool | Iterable[str] = True) -> tuple[str, ...]:
    """The derived columns ``derived`` asks for, in their order: all (True), none (False), or
    those named (a figure that reads one need not pay for the others on a past date)."""
    names = tuple(name for name, _ in DERIVED.get(entity, ()))
    if isinstance(derived, bool):
        return names if derived else ()
    wanted = {derived} if isinstance(derived, str) else set(derived)
    if unknown := wanted - {n for columns in DERIVED.values() for n, _ in columns}:
        raise ValueError(f"derived: no such derived column: {', '.join(sorted(unknown))}")
    return tuple(name for name in names if name in wanted)


def state_columns(entity: str, *, derived: bool | Iterable[str] = True) -> list[str]:
    """Columns of ``entity``'s state (and of its current-state table), in order (``derived``:
    with the columns derived from its history, see ``derived_names``)."""
    extra = list(derived_names(entity, derived))
    return [f.name for f in models.record_fields(entity)] + list(STATE_DATES) + extra


def state_sql_types(entity: str) -> dict[str, str]:
    """The SQL types of the state columns that are not the record's own fields."""
    return {"added_at": "DATE", "changed_at": "DATE", **dict(DERIVED.get(entity, ()))}


def unbound_tables() -> dict[str, ir.Table]:
    """The projection tables as unbound ibis tables (to compile the replay to any SQL dialect)."""
    import ibis

    tables = {
        added_table(kind): ibis.table(
            {n: IBIS_TYPES[t] for n, t in added_columns(kind)}, name=added_table(kind)
        )
        for kind in models.RECORD_ORDER
    }
    tables["changes"] = ibis.table({n: IBIS_TYPES[t] for n, t in CHANGE_COLUMNS}, name="changes")
    # what the replay reads of the event log (the derived columns need an event's kind)
    tables["events"] = ibis.table(
        {"seq": "int64", "at": "date", "kind": "string", "entity": "string"}, name="events"
    )
    return tables


def state(
    tables: Mapping[str, ir.Table],
    entity: str,
    as_of: dt.date | None = None,
    current: ir.Table | None = None,
    *,
    derived: bool | Iterable[str] = True,
) -> ir.Table:
    """Records of ``entity`` as they stood at the end of ``as_of`` (None: everything recorded).

    ``current``: the entity's current-state table (the replay of every event, which each write
    keeps). With it, records with no change dated after ``as_of`` are read from it and only the
    rest are replayed; the result is the same rows (in no particular order).
    ``derived``: with the columns derived from each record's history (``DERIVED``; True: all,
    or the names wanted). Working them out for the replayed records costs a past-date figure
    ~15 ms at a million problems, and most figures never read them, so a figure that does asks."""
    cls = models.RECORD_TYPES[entity]
    wanted = derived_names(entity, derived)
    if current is None or as_of is None or not cls.mutable:
        return _replay(tables, entity, as_of, derived=wanted)
    # a current-state table written before them (an older ledger) leaves them out
    wanted = tuple(name for name in wanted if name in current.columns)
    recorded = current.filter(current.added_at <= as_of)
    # the derived columns a replayed record takes from its stored row: facts about the other
    # records, whatever its own history (as a replay to the date would know them)
    carried = tuple(name for name in wanted if name == LOOKED_ACROSS)
    if "changed_at" in current.columns:
        unchanged = recorded.changed_at <= as_of  # NULL (never so written) counts as moved
        still = recorded.filter(unchanged)
        moved = recorded.filter(~unchanged.fill_null(False))
    else:  # a ledger written before current-state rows kept their last change: find them
        changes = tables["changes"]
        later = changes.filter((changes.entity == entity) & (changes.at > as_of))
        moved = recorded.semi_join(later, recorded.id == later.record_id)
        still = recorded.anti_join(later, recorded.id == later.record_id)
    moved = moved.select(moved_id=moved.id, **{n: _by(moved[n], as_of) for n in carried})
    if carried:
        still = still.mutate(**{n: _by(still[n], as_of) for n in carried})
    own = tuple(name for name in wanted if name not in carried)
    replayed = _replay(_only(tables, entity, moved, "moved_id"), entity, as_of, derived=own)
    if carried:
        joined = replayed.inner_join(moved, replayed.id == moved.moved_id)
        replayed = joined.select(*replayed.columns, *carried)
    columns = [c for c in state_columns(entity, derived=wanted) if c in current.columns]
    kept = still.select(*columns)  # its types (a NOT NULL column stays so but through a join)
    want, have = kept.schema(), replayed.schema()
    typed = [replayed[c] if have[c] == want[c] else replayed[c].cast(want[c]).name(c) for c in columns]
    return kept.union(replayed.select(*typed), distinct=False)


def _by(day: ir.DateValue, as_of: dt.date) -> ir.DateValue:
    """``day`` if it falls on or before ``as_of``, else NULL: what a replay to ``as_of`` knows."""
    import ibis

    return (day <= ibis.literal(as_of)).ifelse(day, ibis.null("date"))


def _only(tables: Mapping[str, ir.Table], entity: str, ids: ir.Table, column: str) -> dict[str, ir.Table]:
    """The projection tables restricted to the records of ``entity`` whose ids ``ids[column]`` holds."""
    out = dict(tables)
    added, changes = tables[added_table(entity)], tables["changes"]
    out[added_table(entity)] = added.semi_join(ids, added.id == ids[column])
    out["changes"] = changes.semi_join(ids, changes.record_id == ids[column])
    return out


def _replay(
    tables: Mapping[str, ir.Table], entity: str, as_of: dt.date | None, *, derived: tuple[str, ...]
) -> ir.Table:
    """Every record of ``entity`` replayed from the projection tables: one group-by over its changes
    (with the ``derived`` columns named, ``DERIVED``)."""
    cls = models.RECORD_TYPES[entity]
    names = [f.name for f in models.record_fields(entity)]
    added = tables[added_table(entity)]
    if as_of is not None:
        added = added.filter(added.added_at <= as_of)
    if not cls.mutable:
        return added.select(*names, "added_at", changed_at=added.added_at)
    changes = tables["changes"]
    mine = changes.entity == entity
    if as_of is not None:
        mine = mine & (changes.at <= as_of)
    changes = changes.filter(mine)
    mutable = sorted(cls.mutable)
    counted = {}
    if "extensions" in derived:
        counted["extensions"] = changes.count(where=is_extension(changes, tables["events"], as_of))
    latest = changes.group_by(changes.record_id).aggregate(
        **{f"new_{f}": changes.value.argmax(changes.seq, where=changes.field == f) for f in mutable},
        last_change_at=changes.at.max(),
        **counted,
    )
    joined = added.left_join(latest, added.id == latest.record_id)
    columns = {}
    for name in names:
        if name in cls.mutable:
            new = joined[f"new_{name}"]
            typed = new.nullif(NULL_VALUE).cast(IBIS_TYPES[field_sql_type(cls, name)])
            columns[name] = new.isnull().ifelse(joined[name], typed)
        else:
            columns[name] = joined[name]
    columns["added_at"] = joined.added_at
    columns["changed_at"] = joined.last_change_at.fill_null(joined.added_at)
    if "extensions" in derived:
        columns["extensions"] = joined.extensions.fill_null(0)
    if "judged_due" not in derived:
        replayed = joined.select(**columns)
    else:
        columns["recorded_due"] = joined.due  # as first written: the deadline before any change
        replayed = with_judged_due(joined.select(**columns), changes)
    if LOOKED_ACROSS in derived:
        replayed = with_found_again_on(replayed, added, tables[added_table("round")])
    return replayed


def is_extension(changes: ir.Table, events: ir.Table, as_of: dt.date | None) -> ir.BooleanValue:
    """Whether a row of ``changes`` is a deadline extension (what ``extensions`` counts): a
    problem's change of its due date made by a deadline_extended event (dated by ``as_of``),
    found by the event's ``seq``."""
    extended = (events.entity == "problem") & (events.kind == EventKind.DEADLINE_EXTENDED.value)
    if as_of is not None:
        extended = extended & (events.at <= as_of)
    return changes.seq.isin(events.filter(extended).seq) & (changes.field == "due")


def with_judged_due(problems: ir.Table, changes: ir.Table) -> ir.Table:
    """``problems`` (with ``recorded_due``, dropped) given ``judged_due``: for a rectified or
    closed problem the due date in force on its ``rectified_on``, the latest (by ``seq``) of its
    ``due`` changes dated on or before that day, else the due date it was recorded with; for any
    other problem its due date. An extension approved after a problem was put right never makes
    it "on time" afterwards. NULL when the deadline in force was 长期坚持 (no date). ``changes``:
    the problems' changes the date in question knows (its other rows are never matched)."""
    import ibis

    statuses = [s.value for s in models.RECTIFIED_STATUSES]
    held = problems.filter(problems.status.isin(statuses) & problems.rectified_on.notnull())
    held = held.select(h_id=held.id, h_on=held.rectified_on)
    dues = changes.filter(changes.field == "due")
    pairs = held.inner_join(dues, (held.h_id == dues.record_id) & (dues.at <= held.h_on))
    in_force = pairs.group_by(f_id=pairs.h_id).aggregate(f_value=pairs.value.argmax(pairs.seq))
    joined = in_force.right_join(problems, in_force.f_id == problems.id).select(
        *problems.columns, "f_id", "f_value"
    )
    rectified = joined.status.isin(statuses)
    typed = joined.f_value.nullif(NULL_VALUE).cast("date")
    judged = ibis.cases(
        (rectified & joined.f_id.notnull(), typed), (rectified, joined.recorded_due), else_=joined.due
    )
    kept = [c for c in problems.columns if c != "recorded_due"]  # a drop's order follows the hash seed
    return joined.select(*kept, judged_due=judged)


def with_found_again_on(problems: ir.Table, added: ir.Table, rounds: ir.Table) -> ir.Table:
    """``problems`` given ``found_again_on``: the first day (``added_at``) on which a problem of
    ``added`` (every problem the date knows) of the same unit and category was recorded from a
    round that started later than the problem's own; NULL when there is none, or when either
    round's start is unknown. ``rounds``: the rounds (id, start)."""
    starts = rounds.select(s_id=rounds.id, s_start=rounds.start)
    every = added.inner_join(starts, added.round_id == starts.s_id)
    # first day each (unit, category, round start) was seen: a problem's later rounds are few
    firsts = every.group_by(g_unit=every.unit_id, g_category=every.category, g_start=every.s_start).aggregate(
        g_first=every.added_at.min()
    )
    mine = problems.select(
        p_id=problems.id, p_unit=problems.unit_id, p_category=problems.category, p_round=problems.round_id
    )
    mine = mine.inner_join(starts, mine.p_round == starts.s_id)
    later = (
        (mine.p_unit == firsts.g_unit)
        & (mine.p_category == firsts.g_category)
        & (firsts.g_start > mine.s_start)
    )
    pairs = mine.inner_join(firsts, later)
    found = pairs.group_by(f_id=pairs.p_id).aggregate(f_on=pairs.g_first.min())
    joined = found.right_join(problems, found.f_id == problems.id).select(*problems.columns, "f_on")
    return joined.select(*problems.columns, found_again_on=joined.f_on)


def compile_state(entity: str, dialect: str, only_ids: str | None = None, *, across: bool = True) -> str:
    """SQL text of the current state of ``entity`` for ``dialect`` (to materialise a table);
    ``only_ids``: a table of ids (column ``id``) to restrict it to (a write's touched records);
    ``across``: with the derived column that looks across records (``LOOKED_ACROSS``; without
    it, what ``toolkit verify`` compares row by row, checking that column on its own)."""
    import ibis

    tables = unbound_tables()
    if only_ids is not None:
        ids = ibis.table({"id": "string"}, name=only_ids).id
        added, changes = tables[added_table(entity)], tables["changes"]
        tables[added_table(entity)] = added.filter(added.id.isin(ids))
        tables["changes"] = changes.filter(changes.record_id.isin(ids))
    derived = [n for n in derived_names(entity) if across or n != LOOKED_ACROSS]
    return ibis.to_sql(state(tables, entity, derived=derived), dialect=dialect)


DIALECTS = ("duckdb", "postgres")  # where a ledger is stored (toolkit.store)
COMPILED_MODULE = Path(__file__).with_name("replay_sql.py")


def compiled_module(touched_table: str) -> str:
    """The text of ``toolkit.replay_sql``: ``compile_state`` of every entity for every dialect,
    whole and restricted to the ids in ``touched_table``, as written by ``python -m toolkit.replay``.
    A writer runs these texts as they are: compiling them takes ibis ~0.1 s per process and
    importing ibis more (the tests check the texts against a fresh compile)."""
    lines = [
        '"""The replay\'s SQL, compiled ahead by ``python -m toolkit.replay`` (do not edit by hand).',
        "",
        "``STATE_SQL[entity, dialect, touched]`` is ``toolkit.replay.compile_state(entity, dialect)``,",
        "with ``touched``: restricted to the ids in the temporary table ``toolkit.store.TOUCHED_TABLE``.",
        '"""',
        "",
        "# each text between a newline after its opening quotes and one before its closing quotes",
        "_TEXTS = {",
    ]
    for entity in models.RECORD_ORDER:
        for dialect in DIALECTS:
            for touched in (False, True):
                sql = compile_state(entity, dialect, touched_table if touched else None)
                if '"""' in sql or "\\" in sql:
                    raise ValueError(f"{entity}/{dialect}: SQL that a triple-quoted string cannot hold")
                lines.append(f'    ("{entity}", "{dialect}", {touched}): """\n{sql}\n""",')
    lines += [
        "}",
        "# the state without the column that looks across records (``toolkit.verify``)",
        "_OWN = {",
    ]
    for entity in (e for e in models.RECORD_ORDER if LOOKED_ACROSS in derived_names(e)):
        for dialect in DIALECTS:
            sql = compile_state(entity, dialect, across=False)
            lines.append(f'    ("{entity}", "{dialect}"): """\n{sql}\n""",')
    lines += [
        "}",
        "STATE_SQL: dict[tuple[str, str, bool], str] = {key: text[1:-1] for key, text in _TEXTS.items()}",
        "OWN_STATE_SQL: dict[tuple[str, str], str] = {key: text[1:-1] for key, text in _OWN.items()}",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from toolkit.store import TOUCHED_TABLE

    COMPILED_MODULE.write_text(compiled_module(TOUCHED_TABLE), encoding="utf-8")
    print(f"wrote {COMPILED_MODULE}", file=sys.stderr)
