"""三色预警: a colour for every open problem by the days left to its deadline; the rules are data.

A rule set is an ordered tuple of ``WarningRule``: the first rule whose ``max_days_left`` the
item's days left is at or below gives its colour (and whether it is escalated to the discipline
commission, 纪委监委). An item above every threshold gets ``NO_WARNING``. Offices write their
own rule set instead of editing code; two presets come from the seeds:

* ``jiangjin`` (江津): green at 20 days left or fewer, yellow at 10 or fewer, red once overdue.
* ``nanjing`` (南京): yellow once overdue, red and escalated to the discipline commission when
  10 days overdue (南京: 逾期10天红色预警，移交纪委监委).

Deadline kinds:
* 立行立改 (immediate): due on the feedback date, so the rules apply unchanged; an immediate
  item still open after feedback is overdue at once (red under ``jiangjin``).
* 长期坚持 (ongoing): no due date, never overdue; listed with colour ``NO_WARNING`` and
  ``days_left`` empty, so a long-term item stays visible without ever turning red.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import ibis
import pandas as pd

from toolkit.filters import Filters, resolve_as_of, scoped
from toolkit.metrics.base import (
    LOWER,
    aggregate,
    count_where,
    execute,
    key_names,
    rate,
    register,
    view_on,
    with_extensions,
)
from toolkit.models import RECTIFIED_STATUSES

NO_WARNING = "none"
COLOURS = ("red", "yellow", "green")


@dataclasses.dataclass(frozen=True)
class WarningRule:
    """One line of a warning table.

    Attributes:
      colour: red, yellow or green.
      max_days_left: the rule applies when days_left <= this (-1: one day overdue; -10: ten).
      escalate: the item is handed to the discipline commission (纪委监委) at this level.
    """

    colour: str
    max_days_left: int
    escalate: bool = False

    def __post_init__(self) -> None:
        if self.colour not in COLOURS:
            raise ValueError(f"colour: must be one of {', '.join(COLOURS)}, got {self.colour!r}")


PRESETS: dict[str, tuple[WarningRule, ...]] = {
    "jiangjin": (WarningRule("red", -1), WarningRule("yellow", 10), WarningRule("green", 20)),
    "nanjing": (WarningRule("red", -10, escalate=True), WarningRule("yellow", -1)),
}


def resolve_rules(rules: str | tuple[WarningRule, ...] | list[WarningRule]) -> tuple[WarningRule, ...]:
    """A preset name or a rule list, sorted most severe (lowest threshold) first."""
    if isinstance(rules, str):
        if rules not in PRESETS:
            raise ValueError(f"rules: unknown preset {rules!r} (one of {', '.join(PRESETS)})")
        rules = PRESETS[rules]
    return tuple(sorted(rules, key=lambda r: r.max_days_left))


def _open_items(ledger, day: dt.date, filters: Filters | None, rules):
    """Open problems on ``day`` with days_left, colour, escalated and extensions (an ibis table)."""
    view = view_on(ledger, day)
    problems = scoped(view, "problems", filters, derived=("extensions",))
    problems = problems.filter(~problems.status.isin([s.value for s in RECTIFIED_STATUSES]))
    joined = with_extensions(view, problems)
    days_left = (joined.due - ibis.literal(day)).cast("int64")
    colour = ibis.cases(*[(days_left <= r.max_days_left, r.colour) for r in rules], else_=NO_WARNING)
    escalate = [r.max_days_left for r in rules if r.escalate]
    escalated = (days_left <= max(escalate)) if escalate else ibis.literal(False)
    return joined.mutate(
        days_left=days_left,
        colour=joined.due.isnull().ifelse(NO_WARNING, colour),
        escalated=escalated.fill_null(False),
    )


@register(
    "overdue",
    "三色预警",
    "Overdue warnings",
    "one row per open problem: days to its due date on the as-of date, colour by a rule table (presets "
    "jiangjin: green at 20 days left or fewer, yellow at 10 or fewer, red once overdue; nanjing: yellow "
    "once overdue, red and escalated 10 days overdue), escalation, number of deadline extensions; "
    "立行立改 is due at feedback, 长期坚持 is never overdue",
    value=None,
    reference="南京: 10 days overdue turns red and goes to the discipline commission (seed 002)",
)
def overdue(
    ledger,
    *,
    as_of: dt.date | str | None = None,
    filters: Filters | None = None,
    by=None,
    rules: str | tuple[WarningRule, ...] = "jiangjin",
) -> pd.DataFrame:
    """Open problems (not rectified/closed on ``as_of``) with their warning colour.

    days_left = due - as_of (negative when overdue); colour = first rule with
    days_left <= max_days_left, else ``none``; escalated = at or past an escalating rule.
    Columns: the ``by`` dimensions, id, unit_name, category, deadline, due, days_left, colour,
    escalated, extensions (deadline_extended events up to ``as_of``). Most urgent first.
    """
    day = resolve_as_of(as_of)
    items = _open_items(ledger, day, filters, resolve_rules(rules))
    keys = key_names(items, by)
    columns = [
        "id",
        "unit_name",
        "category",
        "deadline",
        "due",
        "days_left",
        "colour",
        "escalated",
        "extensions",
    ]
    columns = keys + [c for c in columns if c not in keys]
    expr = items.select(*columns).order_by([*keys, ibis.asc("days_left", nulls_first=False), "id"])
    df = execute(expr)  # one row per open problem: a long result
    df["extensions"] = df["extensions"].astype("int64")
    df["escalated"] = df["escalated"].astype(bool)
    df["days_left"] = df["days_left"].astype("Int64")
    return df


@register(
    "overdue-summary",
    "三色预警汇总",
    "Overdue warnings by colour",
    "open problems on the as-of date counted by warning colour (red, yellow, green, none) and "
    "escalated; red share = red / open",
    numerator="red",
    denominator="open",
    direction=LOWER,
)
def overdue_summary(
    ledger,
    *,
    as_of: dt.date | str | None = None,
    filters: Filters | None = None,
    by=None,
    rules: str | tuple[WarningRule, ...] = "jiangjin",
) -> pd.DataFrame:
    """The warning list counted by colour: open, red, yellow, green, none, escalated, extended
    (items with at least one extension), rate = red / open.
    """
    day = resolve_as_of(as_of)
    items = _open_items(ledger, day, filters, resolve_rules(rules))
    counts = {c: count_where(items.colour == c) for c in (*COLOURS, NO_WARNING)}
    df = aggregate(
        items,
        by,
        open=items.count(),
        **counts,
        escalated=count_where(items.escalated),
        extended=count_where(items.extensions > 0),
    )
    df["rate"] = rate(df["red"], df["open"])
    return df
