"""The frame every app shares: title, language switch, the one filter bar, and a body that re-renders.

An app is a ``render(ctx) -> list[widget]`` function. The shell owns everything around it:
  * the ``Context`` (ledger, filters, as-of date, language, deep-link parameters) it passes in;
  * re-rendering when a filter, the date or the language changes (a spinner meanwhile);
  * turning a missing ledger, an empty filter or an unexpected error into a sentence in Chinese
    (never a traceback: leaders' apps show no code).
Deep links: every filter field (``term``, ``round``, ``region`` ...), ``as_of`` and ``lang`` can
come from the URL (``?round=R7-CITY-08&lang=en``); apps read their own extra keys (``unit``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import sys
from collections.abc import Callable

import ipywidgets as w

from toolkit import labels
from toolkit.filters import Filters
from toolkit.kernel import ledger_location, start_app
from toolkit.store import LedgerMissing
from toolkit.widgets import FILTER_FIELDS, FilterBar, filter_options, message, spinner

log = logging.getLogger("toolkit.apps")

APPS = (
    ("overview", "总览", "Overview"),
    ("round", "轮次", "Round"),
    ("unit", "单位画像", "Unit"),
    ("tracker", "整改跟踪", "Tracker"),
    ("scoreboard", "评分", "Scoreboard"),
)


@dataclasses.dataclass
class Context:
    """What a render function may read, and how it asks for a change (drill-down)."""

    ledger: object
    filters: Filters
    as_of: dt.date
    lang: str
    params: dict[str, str]
    refilter: Callable[..., None]

    def t(self, key: str) -> str:
        return labels.text(key, self.lang)


class AppShell(w.VBox):
    def __init__(
        self, name: str, render: Callable[[Context], list[w.Widget]], *, ledger, params: dict[str, str]
    ) -> None:
        self.name = name
        self.render = render
        self.ledger = ledger
        self.params = dict(params)
        self.lang = "en" if self.params.get("lang") == "en" else "zh"
        self.as_of = _parse_date(self.params.get("as_of")) or dt.date.today()
        self.options = filter_options(ledger)
        self.body = w.VBox(layout=w.Layout(gap="10px"))
        self.body.add_class("xc-body")
        super().__init__(layout=w.Layout(gap="8px", padding="6px"))
        self.add_class(f"xc-app-{name}")
        self._build_frame()
        initial = {f: self.params[f] for f in FILTER_FIELDS if self.params.get(f)}
        if initial:
            self.bar.set(**initial)  # calls back once, which renders
        else:
            self.refresh()

    # ---- frame --------------------------------------------------------------------------------
    def _build_frame(self) -> None:
        title = dict((n, (zh, en)) for n, zh, en in APPS)[self.name]
        nav = " · ".join(
            f"<a href='{n}.ipynb' class='xc-nav-{n}' style='color:#1d3f72'>{zh if self.lang == 'zh' else en}</a>"
            for n, zh, en in APPS
        )
        header = w.HTML(
            f"<div style='display:flex;align-items:baseline;gap:18px'><h2 style='margin:0;color:#1d3f72'>"
            f"{labels.text('app_title', self.lang)} · {title[0] if self.lang == 'zh' else title[1]}</h2>"
            f"<span style='font-size:13px'>{nav}</span></div>"
        )
        self.switch = w.ToggleButtons(
            options=[("中文", "zh"), ("English", "en")], value=self.lang, style={"button_width": "72px"}
        )
        self.switch.add_class("xc-lang")
        self.switch.observe(self._language, names="value")
        self.bar = FilterBar(self.options[self.lang], as_of=self.as_of, lang=self.lang)
        self.bar.on_change(lambda filters, day: self.refresh())
        self.children = [
            w.HBox(
                [header, self.switch], layout=w.Layout(justify_content="space-between", align_items="center")
            ),
            self.bar,
            self.body,
        ]

    def _language(self, change) -> None:
        filters, day = self.bar.filters, self.bar.as_of
        self.lang = change["new"]
        self._build_frame()
        self.bar.set(as_of=day, **{f: getattr(filters, f) for f in FILTER_FIELDS if getattr(filters, f)})

    # ---- rendering ----------------------------------------------------------------------------
    def context(self) -> Context:
        return Context(self.ledger, self.bar.filters, self.bar.as_of, self.lang, self.params, self.refilter)

    def refilter(self, **values) -> None:
        """Drill-down from a click: set filters (e.g. ``region=``) and re-render everything."""
        self.bar.set(**values)

    def refresh(self) -> None:
        self.body.children = [spinner(labels.text("loading", self.lang))]
        try:
            self.body.children = self.render(self.context())
        except Exception:  # a leader sees a sentence; the analyst finds the trace in the server log
            log.exception("app %s failed", self.name)
            print(f"app {self.name} failed", file=sys.stderr)
            self.body.children = [message(labels.text("app_error", self.lang), "error")]


def launch(name: str, render: Callable[[Context], list[w.Widget]]) -> w.Widget:
    """Open the served ledger, read the deep link, and build the app (or say what is missing)."""
    try:
        ledger, params = start_app()
    except LedgerMissing:
        return message(labels.text("ledger_missing", "zh") + f"<br><small>{ledger_location()}</small>")
    if (
        int(ledger.table("problems").count().execute()) == 0
        and int(ledger.table("units").count().execute()) == 0
    ):
        return message(labels.text("ledger_empty", "zh"), "info")
    return AppShell(name, render, ledger=ledger, params=params)


def _parse_date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
