"""What a view reads: the ledger, the state, cached query results, chart slots; and how it moves on.

Why a cache: a leader goes back and forth (overview, a round, Back); each figure is one query in
the database, so asking it twice for the same state is waste. ``DataCache`` keeps the small
DataFrames the metrics return, keyed by the metric and every argument (the state's date and
filters among them); it lives as long as the leader's kernel. ``ChartSlots`` keeps one chart
widget per place on the page: a redraw updates its spec rather than making a new widget, whose
offline Vega bundle (~0.9 MB) would cross the websocket again.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime as dt
import functools
from collections.abc import Callable

import pandas as pd

from toolkit import labels, metrics
from toolkit.apps.state import AppState
from toolkit.filters import Filters
from toolkit.kernel import jupyter_chart
from toolkit.masking import NameMasker

CACHE_SIZE = 400
# Metrics whose row for one region equals that region's row of the metric grouped by region
# (tests/test_app_state.py checks it on every region): a region chosen after the grouped result
# was computed is answered from it, with no query.
BY_REGION_SLICES = {
    "headline",
    "coverage",
    "on_time_rate",
    "case_conversion",
    "outcomes",
    "overdue_summary",
    "rectification_rate",
}


class DataCache:
    """Results by key, least recently used dropped first; callers get a copy to change freely."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self.size = size
        self._items: collections.OrderedDict = collections.OrderedDict()

    def get(self, key, compute: Callable[[], object]):
        if key in self._items:
            self._items.move_to_end(key)
        else:
            self._items[key] = compute()
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        value = self._items[key]
        return value.copy() if isinstance(value, pd.DataFrame) else value

    def __contains__(self, key) -> bool:
        return key in self._items


class ChartSlots:
    """One ``JupyterChart`` per slot name, re-used: a new chart replaces the spec of the old one."""

    def __init__(self) -> None:
        self._charts: dict[str, object] = {}
        self._handlers: dict[str, tuple[str, Callable]] = {}

    def get(self, slot: str, chart, on_select: tuple[str, Callable] | None = None):
        chart = chart.properties(title="")  # the panel's heading names it, in the page's text
        widget = self._charts.get(slot)
        if widget is None:
            widget = self._charts[slot] = jupyter_chart(chart)
            widget.add_class("xc-chart")
            widget.add_class(f"xc-chart-{slot}")
        else:
            widget.chart = chart  # the selections object is made anew: observe it again below
        self._handlers.pop(slot, None)
        if on_select is not None:
            name, callback = on_select
            widget.selections.observe(callback, [name])
            self._handlers[slot] = on_select
        return widget


@dataclasses.dataclass(frozen=True)
class Facts:
    """What the page says about the ledger itself: the date of its last event (数据截至) and
    when it was last written (更新于)."""

    data_date: dt.date | None
    written_at: dt.datetime | None

    @classmethod
    def of(cls, ledger) -> Facts:
        events = ledger.table("events")
        row = events.aggregate(day=events.at.max(), written=events.recorded_at.max()).execute().iloc[0]
        day = None if pd.isna(row["day"]) else pd.Timestamp(row["day"]).date()
        written = None if pd.isna(row["written"]) else pd.Timestamp(row["written"]).to_pydatetime()
        return cls(day, written)


@dataclasses.dataclass
class Context:
    """A view's window on the app: read ``state``; call ``go(...)`` to move (drill-down)."""

    ledger: object
    state: AppState
    cache: DataCache
    charts: ChartSlots
    facts: Facts
    go: Callable[..., None]
    masker_factory: Callable[[], NameMasker]
    rounds: pd.DataFrame  # id, name, term, region, start, feedback_on (the round register)

    @property
    def lang(self) -> str:
        return self.state.lang

    @property
    def filters(self) -> Filters:
        return self.state.filters

    @property
    def as_of(self) -> dt.date:
        return self.state.day()

    def t(self, key: str, **values) -> str:
        return labels.text(key, self.lang, **values)

    @functools.cached_property
    def masker(self) -> NameMasker:
        return self.masker_factory()

    def metric(self, name: str, *, filters: Filters | None = None, by=None, **kwargs) -> pd.DataFrame:
        """``toolkit.metrics.<name>`` for the state's date (and filters unless given), cached."""
        filters = self.filters if filters is None else filters
        by = (by,) if isinstance(by, str) else tuple(by) if by else ()
        key = self._key(name, filters, by, kwargs)
        if key not in self.cache and name in BY_REGION_SLICES and isinstance(filters.region, str):
            wide = self._key(name, filters.replace(region=None), ("region", *by), kwargs)
            if wide in self.cache:
                rows = self.cache.get(wide, lambda: None)
                rows = rows[rows["region"] == filters.region].drop(columns="region").reset_index(drop=True)
                if len(rows):
                    return rows
        return self.cache.get(
            key,
            lambda: getattr(metrics, name)(
                self.ledger, as_of=self.as_of, filters=filters, by=list(by) or None, **kwargs
            ),
        )

    def _key(self, name: str, filters: Filters, by: tuple, kwargs: dict) -> tuple:
        return ("metric", name, self.as_of, filters, by, tuple(sorted(kwargs.items())))

    def query(self, name: str, compute: Callable[[], object], *args) -> object:
        """Any other small result (a listing), cached under ``name``, the date and ``args``."""
        return self.cache.get(("query", name, self.as_of, *args), compute)

    def chart(self, slot: str, chart, on_select: tuple[str, Callable] | None = None):
        return self.charts.get(slot, chart, on_select)


def scope_text(ctx: Context, *, term: str | None = None, skip: tuple[str, ...] = ()) -> str:
    """What a figure covers, in words: 七届 · 西山区 · 乡镇 · 截至2026年11月23日.

    ``term`` names the term a figure is confined to whatever the filter (coverage is one term's);
    ``skip`` leaves out filters the figure ignores (the region charts show every region).
    """
    state, parts = ctx.state, []
    if "term" not in skip:
        parts.append(term or state.term or ctx.t("all_terms"))
    if "region" not in skip:
        parts.append(state.region or ctx.t("all_regions"))
    if state.round and "round" not in skip:
        names = ctx.rounds.set_index("id")["name"]
        parts.append(str(names.get(state.round, state.round)))
    if state.unit_kind:
        from toolkit.models import UnitKind

        parts.append(labels.vocab(state.unit_kind, UnitKind, ctx.lang))
    for field in ("sector", "category"):
        if getattr(state, field):
            parts.append(getattr(state, field))
    parts.append(ctx.t("as_of_day", day=labels.date(ctx.as_of, ctx.lang)))
    return ctx.t("scope") + labels.colon(ctx.lang) + " · ".join(parts)
