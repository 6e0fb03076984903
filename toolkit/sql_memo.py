"""Keep the SQL ibis compiles for a ledger's connection, so a figure asked again is not compiled again.

ibis translates an expression to SQL on every ``execute``: 5 ms for a metric today and about
25 ms for one on a past date (its replay is a larger expression), a fifth of that figure's time
on a million problems. An app asks the same figures over and over (a view drawn again, Back,
a filter cleared), and metrics rebuild equal expressions each time. ibis expressions compare
and hash by structure, so an equal expression is found again and its SQL reused. Compiling is
a pure function of the expression and the backend's dialect, so a kept answer is never stale;
an expression naming a table holds the connection it was built on, so entries never cross
connections (a ledger's ``refresh`` opens a new one, with a new memo).
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from typing import Any

# Distinct expressions kept per connection: the figures of an app's view and the one before it.
# Each kept entry pins its expression graph (about 0.5 MB for a past-date figure), so the memo
# is small and forgets the least recently used; a kernel lives for hours.
KEPT = 48


def remember_compiled(con: Any) -> Any:
    """Wrap ``con.compile`` (an ibis SQL backend) with a memo; returns ``con``. Compiles with
    parameters or extra options are passed through unkept."""
    if getattr(con, "_compile_memo", None) is not None or not callable(getattr(con, "compile", None)):
        return con
    compile_sql = con.compile

    @functools.lru_cache(maxsize=KEPT)
    def kept(op, limit):
        return compile_sql(op.to_expr(), limit=limit)

    def compile(expr, /, *, limit=None, params=None, pretty=False, **options):  # noqa: A001 - ibis's name
        if params or pretty or options:
            return compile_sql(expr, limit=limit, params=params, pretty=pretty, **options)
        return kept(expr.op(), limit)

    con.compile = compile
    con._compile_memo = kept
    return con


class Recent(OrderedDict):
    """A mapping that keeps its ``size`` most recently used entries (a handle's small memos:
    past-date expressions per day, which an analyst stepping through dates would grow forever)."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __getitem__(self, key):
        value = super().__getitem__(key)
        self.move_to_end(key)
        return value

    def get(self, key, default=None):
        """As ``dict.get``, but a hit counts as a use (OrderedDict's own ``get`` bypasses it)."""
        if key not in self:
            return default
        return self[key]

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
