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
from typing import Any

KEPT = 256  # distinct expressions per connection: every figure of an app's views, with room


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
