"""The leaders' app: one page, one kernel; views switch inside it and the URL follows.

``App`` holds the one ``AppState`` (``toolkit.apps.state``) and everything around the views: the
title with 数据截至 / 更新于, the language switch, the view tabs, the filter bar, breadcrumbs
(总览 › 西山区 › 七届西山区委第三轮巡察 › 单位) with a clear-filter button, and the body a view
fills. A view is a function of (ledger, state): ``render(ctx) -> list[widget]`` in
``toolkit.apps.views``. Every move (a tab, a filter, a click on a chart, a breadcrumb) is
``App.go(**changes)``: a new state, the frame shown for it, the view drawn, a history entry
pushed (``UrlSync``); Back and Forward come back through ``UrlSync`` and draw without pushing.

Links are checked against the ledger: a value it does not have (地区“火星区”) or one not understood
(截至日期“2021-13-01”) is said in a sentence and nothing is shown until the leader chooses
(never 全部 or another round in its place). Errors in a view are a sentence too; the traceback
goes to the server log. After a view is drawn, the queries the other views would make for the
same state run while the leader reads (one at a time, between messages), so the next tab is quick.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import sys
import time
from collections.abc import Iterator

import ipywidgets as w
import pandas as pd

from toolkit import labels
from toolkit.apps import views
from toolkit.apps.context import ChartSlots, Context, DataCache, Facts
from toolkit.apps.layout import PageLayout
from toolkit.apps.state import (
    FILTER_FIELDS,
    PARAM_LABELS,
    VIEWS,
    AppState,
    BadParam,
    parse_query,
)
from toolkit.apps.url import UrlSync
from toolkit.filters import scoped
from toolkit.kernel import open_ledger, prepare_kernel, query_params, redacted_ledger_location
from toolkit.masking import NameMasker
from toolkit.safe_html import Markup, truncate
from toolkit.store import LedgerError, LedgerMissing
from toolkit.widgets import FilterBar, filter_options, html, message, messages, row

log = logging.getLogger("toolkit.apps")
WARM_DELAY_S = 0.05  # between two background queries: time for a click to be handled first


class LinkError(ValueError):
    """A link naming something the ledger does not have, or a value not understood."""

    def __init__(self, key: str, label_key: str, value: str, sentence: str = "param_invalid") -> None:
        super().__init__(f"{key}: {value!r}")
        self.key, self.label_key, self.value, self.sentence = key, label_key, value, sentence

    def text(self, lang: str) -> str:
        what = labels.text(self.label_key, lang) if self.label_key else ""
        return labels.text(self.sentence, lang, what=what, value=truncate(self.value, 60))


def _bad_param(bad: BadParam) -> LinkError:
    if bad.key == "as_of":
        return LinkError("as_of", "", bad.value, "as_of_invalid")
    return LinkError(bad.key, PARAM_LABELS[bad.key], bad.value)


def round_register(ledger) -> pd.DataFrame:
    """Every round with the regions of the units it inspected (``regions``: a frozenset), for
    the round picker narrowed by term and region, breadcrumbs and the default round."""
    rounds = ledger.table("rounds").select("id", "name", "term", "number", "start", "feedback_on").execute()
    inspections = scoped(ledger, "inspections").select("round", "region").distinct().execute()
    regions = inspections.groupby("round")["region"].agg(frozenset)
    rounds["regions"] = (
        rounds["id"].map(regions).apply(lambda r: r if isinstance(r, frozenset) else frozenset())
    )
    twice = rounds["name"].duplicated(keep=False)
    rounds["label"] = [
        f"{n}（{i}）" if d else n for n, i, d in zip(rounds["name"], rounds["id"], twice, strict=True)
    ]
    return rounds.sort_values(["start", "id"], ascending=[False, True]).reset_index(drop=True)


@dataclasses.dataclass
class Prepared:
    """What the app reads before it knows the link: done while a preheated kernel waits for its
    page, and kept if the ledger is the same when the request comes (``fingerprint``)."""

    fingerprint: tuple
    facts: Facts
    options: dict
    rounds: pd.DataFrame
    cache: DataCache
    masker: NameMasker | None = None  # made on first use (it reads every subject in the ledger)

    @classmethod
    def of(cls, ledger, warm: bool = False) -> Prepared:
        prepared = cls(
            fingerprint(ledger), Facts.of(ledger), filter_options(ledger), round_register(ledger), DataCache()
        )
        if warm:  # the first view most visitors see: the overview with no filter (the rest,
            # every region's figures included, is ``ahead``: it gives way to the request)
            for _ in views.overview.prefetch(prepared.context(ledger)):
                pass
        return prepared

    def context(self, ledger) -> Context:
        """A context for the state with no filter, drawing nothing (for queries ahead of time)."""
        return Context(
            ledger,
            AppState(),
            self.cache,
            ChartSlots(),
            self.facts,
            lambda **_: None,
            lambda: self.names(ledger),
            self.rounds,
        )

    def names(self, ledger) -> NameMasker:
        if self.masker is None:
            self.masker = NameMasker.for_ledger(ledger)
        return self.masker

    def ahead(self, ledger) -> Iterator[None]:
        """The other views' queries for the state with no filter, one per step (run while a
        preheated kernel waits for its page, so the first tab switch finds them done)."""
        yield from views.warm_up(self.context(ledger))
        self.names(ledger)
        yield


def fingerprint(ledger) -> tuple:
    """Which state of the ledger this is: its event count and last event (changes with an import)."""
    events = ledger.table("events")
    row = events.aggregate(n=events.count(), last=events.seq.max()).execute().iloc[0]
    return int(row["n"]), None if pd.isna(row["last"]) else int(row["last"])


class App(w.VBox):
    def __init__(self, ledger, query: str | dict[str, str] = "", prepared: Prepared | None = None) -> None:
        super().__init__()
        self.add_class("xc-app")
        self.ledger = ledger
        prepared = prepared or Prepared.of(ledger)
        self.cache, self.slots = prepared.cache, ChartSlots()
        self.facts = prepared.facts
        self.options = prepared.options
        self.rounds = prepared.rounds
        self.prepared = prepared
        self._generation = 0  # bumped at every draw: a background warm-up of an older state stops
        self.render_seconds = 0.0
        state, self.link_errors = self.checked(query)
        self.state = state
        self.url = UrlSync(query=state.to_query())
        self.url.observe(self._from_browser, names="query")
        self.page_layout = PageLayout()
        self.body = w.VBox()
        self.body.add_class("xc-body")
        self.body.add_class("xc-stack")
        self._build_frame()
        self._draw()

    # ---- state ---------------------------------------------------------------------------------
    def checked(self, query) -> tuple[AppState, list[LinkError]]:
        """The state a link names, with what the ledger lacks taken out and said (LinkError)."""
        state, bad = parse_query(query)
        errors = [_bad_param(b) for b in bad]
        unknown = {}
        for field in FILTER_FIELDS:
            value = getattr(state, field)
            known = set(self.rounds["id"]) if field == "round" else {v for _, v in self.options["zh"][field]}
            if value is not None and value not in known:
                unknown[field] = None
                errors.append(LinkError(field, field, value, "link_not_found"))
        return state.replace(**unknown), errors

    def follow(self, query: str | dict[str, str]) -> None:
        """Show what the page's link names, in an app built before its request arrived (as if it
        had been built with ``query``; nothing is pushed to the browser's history)."""
        state, self.link_errors = self.checked(query)
        if state != self.state or self.link_errors:
            self._show(state)
        self.url.query = state.to_query()

    def go(self, **changes) -> None:
        """A leader's move: the new state drawn and pushed to the browser's history."""
        self.link_errors = []
        self._show(self.state.replace(**changes))
        self.url.query = self.state.to_query()

    def _from_browser(self, change) -> None:
        """Back / Forward (or a query the page put right): draw that state, push nothing."""
        if change["new"] == self.state.to_query():
            return
        state, self.link_errors = self.checked(change["new"])
        self._show(state)
        if state.to_query() != change["new"]:
            self.url.replace(state.to_query())

    def _show(self, state: AppState) -> None:
        relabel = state.lang != self.state.lang
        self.state = state
        if relabel:
            self._build_frame()
        self._draw()

    # ---- the frame -----------------------------------------------------------------------------
    def _build_frame(self) -> None:
        lang = self.state.lang
        title = html(
            Markup(
                "<div class='xc-title'><h2>{}</h2><div class='xc-stamp'>{}{}{} · {}{}{}</div></div>"
            ).format(
                labels.text("app_title", lang),
                labels.text("data_as_of", lang),
                labels.colon(lang),
                labels.date(self.facts.data_date, lang),
                labels.text("published", lang),
                labels.colon(lang),
                labels.published_at(self.facts.written_at, lang),
            )
        )
        self.switch = w.ToggleButtons(options=[("中文", "zh"), ("English", "en")], value=lang)
        self.switch.add_class("xc-lang")
        self.switch.style.button_width = "72px"
        self.switch.observe(
            lambda c: self.go(lang=c["new"]) if c["new"] != self.state.lang else None, "value"
        )
        self.nav = w.ToggleButtons(
            options=[(labels.text(f"view_{v}", lang), v) for v in VIEWS], value=self.state.view
        )
        self.nav.add_class("xc-nav")
        self.nav.observe(lambda c: self.go(view=c["new"]) if c["new"] != self.state.view else None, "value")
        self.bar = FilterBar(self.options[lang], lang=lang)
        self.bar.on_change(lambda values: self.go(**values))
        self.crumbs = row([], "xc-crumbs")
        # one button for the frame's life, shown or not: a click on a button the redraw replaces
        # is lost (its widget is closed), and a leader may click while a move is still drawn
        self.clear = w.Button(description=labels.text("clear_filters", lang))
        self.clear.add_class("xc-clear")
        self.clear.on_click(lambda _b: self.go(**{f: None for f in (*FILTER_FIELDS, "as_of")}))
        self.children = [
            self.url,
            self.page_layout,
            row([title, self.switch], "xc-header"),
            self.nav,
            self.bar,
            self.crumbs,
            self.body,
        ]

    def _sync_frame(self) -> None:
        state, lang = self.state, self.state.lang
        self.switch.value = lang
        self.nav.value = state.view
        shown = self.rounds
        if state.term:
            shown = shown[shown["term"] == state.term]
        if state.region:
            shown = shown[shown["regions"].apply(lambda r: state.region in r)]
        placeholder = ""
        if state.view == "round" and not state.round:
            default = views.round.default_round(self.context())
            if default is not None:
                placeholder = self.rounds.set_index("id").at[default[0], "label"]
        self.bar.show(
            {f: getattr(state, f) for f in FILTER_FIELDS},
            state.as_of,
            list(zip(shown["label"], shown["id"], strict=True)),
            placeholder,
        )
        self.crumbs.children = self._crumbs()

    def _crumbs(self) -> list[w.Widget]:
        state, lang = self.state, self.state.lang
        trail: list[tuple[str, dict]] = [
            (
                labels.text("view_overview", lang),
                {"view": "overview", "region": None, "round": None, "unit": None},
            )
        ]
        if state.region:
            trail.append((state.region, {"view": "overview", "round": None, "unit": None}))
        if state.round and state.view in ("round", "unit"):
            trail.append(
                (self.rounds.set_index("id").at[state.round, "name"], {"view": "round", "unit": None})
            )
        if state.view == "unit" and state.unit:
            name = views.unit.unit_name(self.context(), state.unit)
            trail.append((name or state.unit, {}))
        elif state.view not in ("overview",) and not (state.view == "round" and state.round):
            trail.append((labels.text(f"view_{state.view}", lang), {}))
        widgets: list[w.Widget] = []
        for i, (text, changes) in enumerate(trail):
            if i:
                widgets.append(w.Label("›", _dom_classes=["xc-crumb-sep"]))
            if i == len(trail) - 1:
                widgets.append(w.Label(truncate(text, 60), _dom_classes=["xc-crumb-here"]))
            else:
                button = w.Button(description=truncate(text, 60), tooltip=text)
                button.add_class("xc-crumb")
                button.on_click(lambda _b, c=changes: self.go(**c))
                widgets.append(button)
        if any(getattr(state, f) for f in FILTER_FIELDS) or state.as_of:
            widgets.append(self.clear)
        return widgets

    # ---- drawing -------------------------------------------------------------------------------
    def masker(self) -> NameMasker:
        return self.prepared.names(self.ledger)

    def context(self, state: AppState | None = None) -> Context:
        return Context(
            self.ledger,
            state or self.state,
            self.cache,
            self.slots,
            self.facts,
            self.go,
            self.masker,
            self.rounds,
        )

    def _draw(self) -> None:
        started = time.perf_counter()
        self._generation += 1
        try:
            self._sync_frame()
        except Exception:
            log.exception("the frame failed for %s", self.state.to_query())
        if self.link_errors:
            box = messages(
                [e.text(self.state.lang) for e in self.link_errors]
                + [labels.text("link_hint", self.state.lang)]
            )
            box.add_class("xc-link-error")
            self.body.children = [box]
        else:
            try:
                self.body.children = views.VIEWS[self.state.view].render(self.context())
            except Exception:  # a leader sees a sentence; the analyst finds the trace in the server log
                log.exception("view %s failed for %s", self.state.view, self.state.to_query())
                print(f"view {self.state.view} failed", file=sys.stderr)
                self.body.children = [message(labels.text("app_error", self.state.lang), "error")]
        self.render_seconds = time.perf_counter() - started
        self._warm_later()

    def _warm_later(self) -> None:
        """Run the other views' queries for this state, one per turn of the kernel's event loop."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # not in a kernel (a test): nothing to wait for
        generation, ctx = self._generation, self.context()
        steps = views.warm_up(ctx)

        def step() -> None:
            if generation != self._generation:
                return
            try:
                next(steps)
            except StopIteration:
                return
            except Exception:
                log.exception("warming up failed")
                return
            loop.call_later(WARM_DELAY_S, step)

        loop.call_later(WARM_DELAY_S, step)


def launch() -> w.Widget:
    """Open the served ledger, read the link, and build the app (or say what is missing).

    Under preheating everything before ``query_params`` runs while the kernel waits in the pool:
    the ledger opened, the filter choices read and the overview's figures computed, then, until
    the request arrives, the other views' queries (``Prepared.ahead``); kept when the ledger has not
    changed by the time the leader's request arrives.
    """
    prepare_kernel()
    try:
        ledger = open_ledger()
    except LedgerMissing:
        query_params()
        return message(
            Markup("{}<br><small>{}</small>").format(
                labels.text("ledger_missing", "zh"), redacted_ledger_location()
            )
        )
    except LedgerError as err:  # not a ledger, unreadable, busy, altered: the kind, never a trace
        log.warning("the served ledger cannot be opened: %s", type(err).__name__)
        query_params()
        return message(
            Markup("{}（{}）<br><small>{}</small>").format(err.zh, err.en, redacted_ledger_location())
        )
    empty = fingerprint(ledger)[0] == 0
    prepared = ready = None
    if not empty:
        prepared = Prepared.of(ledger, warm=True)
        ready, day = App(ledger, "", prepared), dt.date.today()  # the overview, drawn ahead
    params = query_params(while_waiting=None if prepared is None else prepared.ahead(ledger))
    ledger.refresh()  # the kernel may have waited in the pool for hours: the latest published data
    if empty or fingerprint(ledger)[0] == 0:
        return message(labels.text("ledger_empty", "zh"), "info")
    if prepared is None or prepared.fingerprint != fingerprint(ledger):
        return App(ledger, params, Prepared.of(ledger))
    if ready is None or day != dt.date.today():  # a day went by in the pool: figures "as of today"
        return App(ledger, params, prepared)
    ready.follow(params)
    return ready
