"""Building blocks the apps share: the filter bar, KPI cards, tables, messages, downloads.

Every control here only turns a person's choice into arguments (a ``Filters``, a date, a
language); computing stays in ``toolkit.metrics`` / ``toolkit.listings``.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Callable, Sequence

import ipywidgets as w
import pandas as pd

from toolkit import labels
from toolkit.filters import Filters
from toolkit.models import UnitKind

ALL = "__all__"
MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FILTER_FIELDS = ("term", "round", "region", "unit_kind", "sector", "category")


def message(text: str, kind: str = "warning") -> w.HTML:
    """A plain-language message in place of a panel (missing ledger, empty filter, error)."""
    colours = {
        "warning": ("#7a4b00", "#fff6e5"),
        "info": ("#1d3f72", "#eef4fb"),
        "error": ("#8a1c1c", "#fdecec"),
    }
    fg, bg = colours[kind]
    return w.HTML(
        f"<div class='xc-message xc-{kind}' style='padding:18px 20px;font-size:15px;color:{fg};"
        f"background:{bg};border-radius:6px'>{text}</div>"
    )


def spinner(text: str) -> w.HTML:
    return w.HTML(
        "<div class='xc-loading' style='display:flex;align-items:center;gap:10px;padding:16px;color:#1d3f72'>"
        "<div style='width:18px;height:18px;border:3px solid #c9d6ea;border-top-color:#1d3f72;border-radius:50%;"
        "animation:xcspin 0.8s linear infinite'></div>"
        f"<style>@keyframes xcspin{{to{{transform:rotate(360deg)}}}}</style><span>{html.escape(text)}</span></div>"
    )


def kpi_card(key: str, label: str, value: str, note: str = "", colour: str = "#1d3f72") -> w.HTML:
    """One figure with its label and, below, what it is a rate of (never a bare percentage)."""
    return w.HTML(
        "<div class='xc-kpi' style='border:1px solid #d0d7e2;border-radius:6px;padding:10px 16px;min-width:150px;background:#f7f9fc'>"
        f"<div style='color:#5a6473;font-size:13px'>{html.escape(label)}</div>"
        f"<div class='kpi-value' data-kpi='{key}' style='font-size:26px;font-weight:600;color:{colour}'>{html.escape(value)}</div>"
        f"<div class='kpi-note' data-kpi-note='{key}' style='color:#5a6473;font-size:12px'>{html.escape(note)}</div></div>"
    )


def card_row(cards: Sequence[w.Widget]) -> w.HBox:
    return w.HBox(list(cards), layout=w.Layout(flex_flow="row wrap", gap="12px"))


def heading(text: str, sub: str = "") -> w.HTML:
    extra = f"<div style='color:#5a6473;font-size:13px'>{html.escape(sub)}</div>" if sub else ""
    return w.HTML(f"<h3 style='margin:12px 0 4px 0;color:#1d3f72'>{html.escape(text)}</h3>{extra}")


def table(
    df: pd.DataFrame,
    columns: dict[str, str],
    *,
    max_rows: int = 500,
    css_class: str = "xc-table",
    raw: Sequence[str] = (),
) -> w.HTML:
    """An HTML table of ``df`` with the given {column: header}; long lists are cut with a note.

    Cells are escaped except the ``raw`` columns (markup the app built itself, e.g. a colour dot).
    """
    shown = df[list(columns)].head(max_rows).copy()
    for column in columns:
        if column not in raw:
            shown[column] = [("—" if _missing(v) else html.escape(str(v))) for v in shown[column]]
    shown = shown.rename(columns={k: html.escape(v) for k, v in columns.items()})
    body = shown.to_html(index=False, escape=False, border=0, classes=[css_class], na_rep="—")
    style = (
        f"<style>.{css_class}{{border-collapse:collapse;font-size:13px;width:100%}}"
        f".{css_class} th{{background:#eef2f8;color:#1d3f72;text-align:left;padding:6px 8px;position:sticky;top:0}}"
        f".{css_class} td{{border-bottom:1px solid #e3e8ef;padding:5px 8px}}</style>"
    )
    note = (
        f"<div style='color:#5a6473;font-size:12px'>共 {len(df)} 条，显示前 {max_rows} 条</div>"
        if len(df) > max_rows
        else ""
    )
    return w.HTML(style + f"<div style='max-height:460px;overflow:auto'>{body}</div>" + note)


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def download_link(data: bytes, filename: str, label: str) -> w.HTML:
    """A link that saves ``data`` in the browser: no server round trip, works offline."""
    b64 = base64.b64encode(data).decode("ascii")
    mime = MIME_TYPES.get(filename.rsplit(".", 1)[-1], "application/octet-stream")
    return w.HTML(
        f"<a class='xc-download' download='{html.escape(filename)}' href='data:{mime};base64,{b64}' "
        f"style='display:inline-block;padding:6px 14px;background:#1d3f72;color:white;border-radius:4px;text-decoration:none'>"
        f"{html.escape(label)}</a>"
    )


class FilterBar(w.VBox):
    """The one filter bar: term, round, region, unit kind, sector, category and the as-of date.

    Its value is a ``Filters`` and a date; ``on_change(callback)`` calls back with both whenever a
    person changes a control (programmatic ``set`` calls back once, after all changes).
    """

    def __init__(
        self, options: dict[str, list[tuple[str, str]]], *, as_of: dt.date, lang: str = "zh"
    ) -> None:
        self.lang = lang
        self._callbacks: list[Callable[[Filters, dt.date], None]] = []
        self._quiet = False
        self.controls: dict[str, w.Dropdown] = {}
        for field in FILTER_FIELDS:
            choices = [(labels.text("all", lang), ALL)] + list(options.get(field, []))
            dd = w.Dropdown(
                options=choices,
                value=ALL,
                description=labels.text(field, lang),
                layout=w.Layout(width="240px"),
                style={"description_width": "64px"},
            )
            dd.add_class(f"xc-filter-{field}")
            dd.observe(self._changed, names="value")
            self.controls[field] = dd
        self.date = w.DatePicker(
            value=as_of,
            description=labels.text("as_of", lang),
            layout=w.Layout(width="240px"),
            style={"description_width": "64px"},
        )
        self.date.add_class("xc-filter-as-of")
        self.date.observe(self._changed, names="value")
        items = list(self.controls.values()) + [self.date]
        super().__init__([w.HBox(items, layout=w.Layout(flex_flow="row wrap", gap="6px"))])
        self.add_class("xc-filter-bar")

    @property
    def filters(self) -> Filters:
        values = {f: (c.value if c.value != ALL else None) for f, c in self.controls.items()}
        return Filters(**values)

    @property
    def as_of(self) -> dt.date:
        return self.date.value or dt.date.today()

    def set(self, **values) -> None:
        """Set several controls (a deep link, a click on a chart) and call back once."""
        self._quiet = True
        try:
            for field, value in values.items():
                if field == "as_of":
                    self.date.value = value
                    continue
                control = self.controls[field]
                allowed = [v for _, v in control.options]
                control.value = value if value in allowed else ALL
        finally:
            self._quiet = False
        self._notify()

    def on_change(self, callback: Callable[[Filters, dt.date], None]) -> None:
        self._callbacks.append(callback)

    def _changed(self, _change) -> None:
        if not self._quiet:
            self._notify()

    def _notify(self) -> None:
        for callback in self._callbacks:
            callback(self.filters, self.as_of)


def filter_options(ledger) -> dict[str, dict[str, list[tuple[str, str]]]]:
    """The choices of each filter in each language, read once from the ledger (small distinct
    queries); only the labels differ between languages, so switching language queries nothing."""
    rounds = (
        ledger.table("rounds")
        .select("id", "name", "term", "start")
        .execute()
        .sort_values("start", ascending=False)
    )
    units = ledger.table("units").select("region", "sector", "unit_kind").distinct().execute()
    problems = ledger.table("problems")
    categories = sorted(problems.select("category").distinct().execute()["category"].tolist())
    terms = sorted(rounds["term"].unique().tolist(), key=lambda t: labels.term_order(t), reverse=True)
    kinds = [k for k in UnitKind if k.value in set(units["unit_kind"])]
    shared = {
        "term": [(t, t) for t in terms],
        "round": [(n, i) for i, n in zip(rounds["id"], rounds["name"], strict=True)],
        "region": [(r, r) for r in labels.region_order(units["region"].unique())],
        "sector": [(s, s) for s in sorted(units["sector"].unique())],
        "category": [(c, c) for c in categories],
    }
    return {
        lang: {**shared, "unit_kind": [(labels.vocab(k, UnitKind, lang), k.value) for k in kinds]}
        for lang in labels.LANGUAGES
    }


def report_button(
    label: str,
    filename: str,
    make: Callable[[], bytes],
    *,
    busy: str = "正在生成，请稍候…",
    failed: str = "报告生成失败，请稍后重试。",
) -> w.VBox:
    """A button that builds a file on click (reports take seconds) and then offers it for download."""
    button = w.Button(description=label, layout=w.Layout(width="auto"))
    button.add_class("xc-report-button")
    result = w.VBox()

    def build(_button) -> None:
        button.disabled = True
        result.children = [spinner(busy)]
        try:
            result.children = [download_link(make(), filename, f"下载 {filename}")]
        except Exception:
            result.children = [message(failed, "error")]
        finally:
            button.disabled = False

    button.on_click(build)
    return w.VBox([button, result])
