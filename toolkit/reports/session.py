"""A read handle for one report: the ledger with table lookups remembered and dated views
materialised once.

Why: a report asks a dozen metrics about the same three or four dates. Through a plain
``Ledger`` every metric rebuilds the replay of the event log to its date (``ledger.as_of``) as an
ibis expression, and compiling that expression, not running it, is most of the time (about a
quarter of a second per metric on the sample, 39 metrics in a quarterly report). Here the
first request for a table on a date runs the replay once into a temporary table of the
session (DuckDB allows temporary tables on a read-only file), and every later metric reads that
small table. The rows are exactly the replay's, so every figure equals the metric's figure on
the plain ledger (the report tests check that); only the work is shared. On PostgreSQL (a
read-only session) the views are the replay expressions, unchanged.

This is the part of report speed that belongs in ``toolkit.ledger`` one day (a snapshot view);
until then reports wrap the ledger they are given (see the branch note).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Iterator

from toolkit.ledger import Ledger

_names = itertools.count()


class SnapshotView:
    """``LedgerView`` for one date, each table materialised on first use."""

    def __init__(self, owner: ReportLedger, day: dt.date) -> None:
        self.owner = owner
        self.day = day
        self.tables: dict[str, object] = {}

    def table(self, name: str, *, derived: bool | Iterable[str] = True):  # materialised whole: derived or not
        if name not in self.tables:
            expr = self.owner.inner.as_of(self.day).table(name)
            self.tables[name] = self.owner.materialise(expr, name)
        return self.tables[name]


class ReportLedger:
    """Quacks like a ``Ledger`` for reading (``table``, ``as_of``, ``verify``, ``store``, ``con``)."""

    def __init__(self, ledger: Ledger) -> None:
        self.inner = ledger
        self.store = ledger.store
        self.con = ledger.con
        self.views: dict[dt.date | None, object] = {}
        self.current: dict[str, object] = {}
        # Only DuckDB: on a read-only PostgreSQL session a refused CREATE would abort the
        # transaction the next metric needs, so there the replay expressions are used as they are.
        self.temporary = getattr(ledger.con, "name", "") == "duckdb"
        self.created: list[str] = []

    def table(self, name: str, *, derived: bool | Iterable[str] = True):  # the stored table, as it is
        if name not in self.current:
            self.current[name] = self.inner.table(name)
        return self.current[name]

    def as_of(self, day: dt.date | str | None):
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        if day is None:
            return self
        if day not in self.views:
            self.views[day] = SnapshotView(self, day)
        return self.views[day]

    def materialise(self, expr, name: str):
        if not self.temporary:
            return expr
        temp = f"_report_{name}_{next(_names)}"
        try:
            self.con.create_table(temp, expr, temp=True)
        except Exception:  # a backend that refuses temporary tables: keep the expression
            self.temporary = False
            return expr
        self.created.append(temp)
        return self.con.table(temp)

    def close(self) -> None:
        """Drop the temporary tables (the wrapped ledger stays open: it is the caller's)."""
        for temp in self.created:
            self.con.drop_table(temp, force=True)
        self.created.clear()
        self.views.clear()

    def verify(self):
        return self.inner.verify()


@contextlib.contextmanager
def for_report(ledger) -> Iterator[ReportLedger]:
    """A report handle on ``ledger`` for the length of a ``with`` block (reused when nested)."""
    if isinstance(ledger, ReportLedger):
        yield ledger
        return
    handle = ReportLedger(ledger)
    try:
        yield handle
    finally:
        handle.close()


def reporting(func):
    """Decorator: the report function gets a ``ReportLedger`` for its first argument, cleaned
    up when it returns (nested report functions share the outer one's)."""

    @functools.wraps(func)
    def wrapper(ledger, *args, **kwargs):
        with for_report(ledger) as handle:
            return func(handle, *args, **kwargs)

    return wrapper
