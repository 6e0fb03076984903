"""The frame every app shares: title, language switch, the one filter bar, and a body that re-renders.

An app is a ``render(ctx) -> list[widget]`` function. The shell owns everything around it:
  * the ``Context`` (ledger, filters, as-of date, language, deep-link parameters) it passes in;
  * re-rendering when a filter, the date or the language changes (a spinner meanwhile);
  * turning a missing ledger, an empty filter or an unexpected error into a sentence in Chinese
    (never a traceback: leaders' apps show no code).
Deep links: every filter field (``term``, ``round``, ``region`` ...), ``as_of`` and ``lang`` can
come from the URL (``?round=R7-CITY-08&lang=en``); apps read their own extra keys (``unit``,
``preset``) with ``Context.param``. A link naming something the ledger does not have, or a value
not understood, shows a sentence saying so (未找到单位“U999999”, 地区“火星区”不在台账中) and no data
until the leader chooses again: never 全部, another round or another unit in its place.

Every ledger text shown goes through ``Context.masker`` (names of persons) and the widget helpers
(HTML escaping): see ``toolkit.masking`` and ``toolkit.safe_html``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import logging
import sys
from collections.abc import Callable, Collection

import ipywidgets as w

from toolkit import labels
from toolkit.filters import Filters
from toolkit.kernel import redacted_ledger_location, start_app
from toolkit.masking import NameMasker
from toolkit.safe_html import Markup, join, truncate
from toolkit.store import LedgerMissing
from toolkit.widgets import FILTER_FIELDS, FilterBar, filter_options, html, message, messages, spinner

log = logging.getLogger("toolkit.apps")

APPS = (
    ("overview", "总览", "Overview"),
    ("round", "轮次", "Round"),
    ("unit", "单位画像", "Unit"),
    ("tracker", "整改跟踪", "Tracker"),
    ("scoreboard", "评分", "Scoreboard"),
)


class LinkError(ValueError):
    """A deep-link parameter naming nothing the ledger has, or a value not understood."""

    def __init__(self, key: str, label_key: str, value: str, sentence: str = "param_invalid") -> None:
        super().__init__(f"{key}: {value!r}")
        self.key, self.label_key, self.value, self.sentence = key, label_key, value, sentence

    def text(self, lang: str) -> str:
        what = labels.text(self.label_key, lang) if self.label_key else ""
        return labels.text(self.sentence, lang, what=what, value=truncate(self.value, 60))


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

    @functools.cached_property
    def masker(self) -> NameMasker:
        """Masks persons' names in the ledger's free text (every subject the ledger knows)."""
        return NameMasker.for_ledger(self.ledger)

    def param(self, key: str, allowed: Collection[str], default: str, label_key: str) -> str:
        """An app's own deep-link parameter: ``default`` when absent, ``LinkError`` when not one
        of ``allowed`` (the shell turns it into a sentence naming ``label_key`` and the value)."""
        value = self.params.get(key)
        if value is None:
            return default
        if value not in allowed:
            raise LinkError(key, label_key, value)
        return value


class AppShell(w.VBox):
    def __init__(
        self, name: str, render: Callable[[Context], list[w.Widget]], *, ledger, params: dict[str, str]
    ) -> None:
        self.name = name
        self.render = render
        self.ledger = ledger
        self.params = dict(params)
        self.link_errors: list[LinkError] = []
        if self.params.get("lang") not in (None, *labels.LANGUAGES):
            self.link_errors.append(LinkError("lang", "language", self.params["lang"]))
        self.lang = "en" if self.params.get("lang") == "en" else "zh"
        self.as_of = _parse_date(self.params.get("as_of")) or dt.date.today()
        if self.params.get("as_of") and _parse_date(self.params["as_of"]) is None:
            self.link_errors.append(LinkError("as_of", "", self.params["as_of"], "as_of_invalid"))
        self.options = filter_options(ledger)
        self.body = w.VBox(layout=w.Layout(gap="10px"))
        self.body.add_class("xc-body")
        super().__init__(layout=w.Layout(gap="8px", padding="6px"))
        self.add_class(f"xc-app-{name}")
        self._settling = True  # filter changes made here are the link's, not the leader's
        self._build_frame()
        asked = {f: self.params[f] for f in FILTER_FIELDS if self.params.get(f)}
        unknown = self.bar.unknown(**asked)
        self.link_errors += [LinkError(f, f, v, "link_not_found") for f, v in unknown.items()]
        initial = {f: v for f, v in asked.items() if f not in unknown}
        if initial:
            self.bar.set(**initial)  # calls back once, which renders
        else:
            self.refresh()
        self._settling = False

    # ---- frame --------------------------------------------------------------------------------
    def _build_frame(self) -> None:
        title = dict((n, (zh, en)) for n, zh, en in APPS)[self.name]
        nav = join(
            " · ",
            (
                Markup("<a href='{}.ipynb' class='xc-nav-{}' style='color:#1d3f72'>{}</a>").format(
                    n, n, zh if self.lang == "zh" else en
                )
                for n, zh, en in APPS
            ),
        )
        header = html(
            Markup(
                "<div style='display:flex;align-items:baseline;gap:18px'><h2 style='margin:0;color:#1d3f72'>"
                "{} · {}</h2><span style='font-size:13px'>{}</span></div>"
            ).format(labels.text("app_title", self.lang), title[0] if self.lang == "zh" else title[1], nav)
        )
        self.switch = w.ToggleButtons(
            options=[("中文", "zh"), ("English", "en")], value=self.lang, style={"button_width": "72px"}
        )
        self.switch.add_class("xc-lang")
        self.switch.observe(self._language, names="value")
        self.bar = FilterBar(self.options[self.lang], as_of=self.as_of, lang=self.lang)
        self.bar.on_change(lambda filters, day: self._filters_changed())
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
        self._settling = True
        try:
            self._build_frame()
            self.bar.set(as_of=day, **{f: getattr(filters, f) for f in FILTER_FIELDS if getattr(filters, f)})
        finally:
            self._settling = False

    def _filters_changed(self) -> None:
        if not self._settling:
            self.link_errors = []  # the leader chose: the link's mistakes are behind them
        self.refresh()

    # ---- rendering ----------------------------------------------------------------------------
    def context(self) -> Context:
        return Context(self.ledger, self.bar.filters, self.bar.as_of, self.lang, self.params, self.refilter)

    def refilter(self, **values) -> None:
        """Drill-down from a click: set filters (e.g. ``region=``) and re-render everything."""
        self.bar.set(**values)

    def refresh(self) -> None:
        if self.link_errors:
            self.body.children = [self._link_message(self.link_errors)]
            return
        self.body.children = [spinner(labels.text("loading", self.lang))]
        try:
            self.body.children = self.render(self.context())
        except LinkError as err:  # an app's own parameter: say so once, then use its default
            self.params.pop(err.key, None)
            self.body.children = [self._link_message([err])]
        except Exception:  # a leader sees a sentence; the analyst finds the trace in the server log
            log.exception("app %s failed", self.name)
            print(f"app {self.name} failed", file=sys.stderr)
            self.body.children = [message(labels.text("app_error", self.lang), "error")]

    def _link_message(self, errors: list[LinkError]) -> w.Widget:
        widget = messages([e.text(self.lang) for e in errors] + [labels.text("link_hint", self.lang)])
        widget.add_class("xc-link-error")
        return widget


def launch(name: str, render: Callable[[Context], list[w.Widget]]) -> w.Widget:
    """Open the served ledger, read the deep link, and build the app (or say what is missing)."""
    try:
        ledger, params = start_app()
    except LedgerMissing:
        return message(
            Markup("{}<br><small>{}</small>").format(
                labels.text("ledger_missing", "zh"), redacted_ledger_location()
            )
        )
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
