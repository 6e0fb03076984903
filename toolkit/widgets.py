"""Building blocks the app shares: the filter bar, KPI cards, panels, messages, downloads.

Every control here only turns a person's choice into arguments (a ``Filters``, a date, a
language); computing stays in ``toolkit.metrics`` / ``toolkit.listings``.

HTML reaches the page only through :func:`html`, which takes ``Markup`` (``toolkit.safe_html``):
the other helpers take text (escaped here) or ``Markup`` the app built from a literal template.
Ledger text is hostile; pasting it into an HTML string is the one thing this module never does.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Sequence

import ipywidgets as w
import pandas as pd

from toolkit import labels
from toolkit.apps.state import FILTER_FIELDS
from toolkit.models import UnitKind
from toolkit.safe_html import EMPTY, Markup, join, require_markup, truncate

ALL = "__all__"
MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
CELL_LIMIT = 400  # characters of one table cell shown; the record keeps its whole text
MESSAGE_COLOURS = {
    "warning": ("#7a4b00", "#fff6e5"),
    "info": ("#1d3f72", "#eef4fb"),
    "error": ("#8a1c1c", "#fdecec"),
}


def html(markup: Markup) -> w.HTML:
    """The one way to put HTML on the page: ``markup`` must be ``Markup`` (TypeError otherwise)."""
    return w.HTML(value=str(require_markup(markup)))


def message(text: str | Markup, kind: str = "warning") -> w.HTML:
    """A plain-language message in place of a panel (missing ledger, empty filter, error)."""
    fg, bg = MESSAGE_COLOURS[kind]
    return html(
        Markup(
            "<div class='xc-message xc-{}' style='padding:18px 20px;font-size:15px;color:{};"
            "background:{};border-radius:6px'>{}</div>"
        ).format(kind, fg, bg, text)
    )


def messages(lines: Sequence[str], kind: str = "warning") -> w.HTML:
    """Several sentences in one message box, one per line."""
    return message(join(Markup("<br>"), lines), kind)


def note(text: str | Markup, css_class: str = "xc-note", colour: str = "#5a6473") -> w.HTML:
    """A small line of text under a panel (a hint, the list of low outliers)."""
    return html(
        Markup("<div class='{}' style='color:{};font-size:12px'>{}</div>").format(css_class, colour, text)
    )


def spinner(text: str) -> w.HTML:
    return html(
        Markup(
            "<div class='xc-loading' style='display:flex;align-items:center;gap:10px;padding:16px;color:#1d3f72'>"
            "<div style='width:18px;height:18px;border:3px solid #c9d6ea;border-top-color:#1d3f72;border-radius:50%;"
            "animation:xcspin 0.8s linear infinite'></div>"
            "<style>@keyframes xcspin{{to{{transform:rotate(360deg)}}}}</style><span>{}</span></div>"
        ).format(text)
    )


def kpi_card(key: str, label: str, value: str, note: str = "", colour: str = "#1d3f72") -> w.HTML:
    """One figure with its label and, below, what it is a rate of (never a bare percentage)."""
    return html(
        Markup(
            "<div class='xc-kpi'><div class='kpi-label'>{label}</div>"
            "<div class='kpi-value' data-kpi='{key}' style='color:{colour}'>{value}</div>"
            "<div class='kpi-note' data-kpi-note='{key}'>{note}</div></div>"
        ).format(label=label, key=key, colour=colour, value=value, note=note)
    )


def card_row(cards: Sequence[w.Widget]) -> w.Box:
    """Cards in a grid: as many columns as fit, two on a phone, three on paper (app.css)."""
    box = w.Box(list(cards))
    box.add_class("xc-cards")
    return box


def panel(title: str, *body: w.Widget, scope: str = "", css_class: str = "") -> w.VBox:
    """A titled part of a view; ``scope`` says what its figures cover (届次, 截至…)."""
    box = w.VBox([heading(title, scope), *body])
    box.add_class("xc-panel")
    if css_class:
        box.add_class(css_class)
    return box


def row(children: Sequence[w.Widget], css_class: str = "") -> w.Box:
    """Children side by side, wrapping on a narrow screen (spacing from app.css, not Layout)."""
    box = w.Box(list(children))
    box.add_class("xc-row")
    if css_class:
        box.add_class(css_class)
    return box


def heading(text: str, sub: str = "") -> w.HTML:
    extra = Markup("<div class='xc-scope'>{}</div>").format(sub) if sub else EMPTY
    return html(Markup("<h3>{}</h3>{}").format(text, extra))


def table(
    df: pd.DataFrame,
    columns: dict[str, str],
    *,
    max_rows: int = 500,
    css_class: str = "xc-table",
    markup: dict[str, Callable[[object], Markup]] | None = None,
) -> w.HTML:
    """An HTML table of ``df`` with the given {column: header}; long lists are cut with a note.

    Every cell is text, escaped, cut to ``CELL_LIMIT`` characters. A column named in ``markup``
    is drawn by its function, which must return ``Markup`` built from a literal template (a
    colour dot before a band's name); a DataFrame cannot carry ``Markup`` itself (pandas stores
    text columns as plain ``str``).
    """
    markup = markup or {}
    shown = df[list(columns)].head(max_rows)
    header = Markup("").join(Markup("<th>{}</th>").format(h) for h in columns.values())
    draw = [(lambda v, f=markup[c]: require_markup(f(v))) if c in markup else _cell for c in columns]
    rows = Markup("").join(
        Markup("<tr>{}</tr>").format(
            Markup("").join(Markup("<td>{}</td>").format(f(v)) for f, v in zip(draw, row, strict=True))
        )
        for row in shown.itertuples(index=False, name=None)
    )
    style = Markup(
        "<style>.{c}{{border-collapse:collapse;font-size:13px;width:100%}}"
        ".{c} th{{background:#eef2f8;color:#1d3f72;text-align:left;padding:6px 8px;position:sticky;top:0}}"
        ".{c} td{{border-bottom:1px solid #e3e8ef;padding:5px 8px;overflow-wrap:break-word;max-width:40em}}</style>"
    ).format(c=css_class)
    more = (
        Markup("<div style='color:#5a6473;font-size:12px'>共 {} 条，显示前 {} 条</div>").format(
            len(df), max_rows
        )
        if len(df) > max_rows
        else EMPTY
    )
    return html(
        style
        + Markup(
            "<div style='max-height:460px;overflow:auto'><table class='dataframe {}'>"
            "<thead><tr>{}</tr></thead><tbody>{}</tbody></table></div>"
        ).format(css_class, header, rows)
        + more
    )


def _cell(value) -> str:
    if _missing(value):
        return "—"
    return truncate(str(value), CELL_LIMIT)


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def download_link(data: bytes, filename: str, label: str) -> w.HTML:
    """A link that saves ``data`` in the browser: no server round trip, works offline."""
    b64 = base64.b64encode(data).decode("ascii")
    mime = MIME_TYPES.get(filename.rsplit(".", 1)[-1], "application/octet-stream")
    return html(
        Markup(
            "<a class='xc-download' download='{}' href='data:{};base64,{}' "
            "style='display:inline-block;padding:6px 14px;background:#1d3f72;color:white;border-radius:4px;text-decoration:none'>"
            "{}</a>"
        ).format(safe_filename(filename), mime, b64, label)
    )


def safe_filename(name: str, limit: int = 80) -> str:
    """A file name from ledger text (一报一单_<unit>.docx): no path separators, no control
    characters, the stem cut to ``limit`` characters (file systems refuse longer names)."""
    stem, dot, ext = name.rpartition(".") if "." in name else (name, "", "")
    cleaned = "".join("_" if (c in '/\\:*?"<>|' or ord(c) < 32 or ord(c) == 127) else c for c in stem)
    return (cleaned.strip(" .")[:limit] or "download") + dot + ext


class FilterBar(w.Box):
    """The one filter bar: term, round (searched by name), region, unit kind, sector, category, date.

    ``show(values, as_of, rounds)`` sets the controls without calling back (the app's state moved:
    a link, Back); a person's change calls ``on_change`` with ``{field: value}`` (None for 全部).
    The round picker offers only ``rounds`` (the app narrows them by term and region).
    """

    def __init__(self, options: dict[str, list[tuple[str, str]]], *, lang: str = "zh") -> None:
        self.lang = lang
        self._callbacks: list[Callable[[dict], None]] = []
        self._quiet = False
        self.controls: dict[str, w.Widget] = {}
        self.round_labels: dict[str, str] = {}  # shown label -> round id
        for field in FILTER_FIELDS:
            if field == "round":
                control = w.Combobox(
                    options=[],
                    placeholder=labels.text("search_round", lang),
                    description=labels.text(field, lang),
                    ensure_option=False,
                    continuous_update=False,
                    style={"description_width": "56px"},
                )
            else:
                control = w.Dropdown(
                    options=[(labels.text("all", lang), ALL)] + list(options.get(field, [])),
                    value=ALL,
                    description=labels.text(field, lang),
                    style={"description_width": "56px"},
                )
            control.add_class(f"xc-filter-{field}")
            control.observe(lambda change, f=field: self._changed(f, change["new"]), names="value")
            self.controls[field] = control
        self.date = w.DatePicker(description=labels.text("as_of", lang), style={"description_width": "56px"})
        self.date.add_class("xc-filter-as-of")
        self.date.observe(lambda change: self._changed("as_of", change["new"]), names="value")
        super().__init__([*self.controls.values(), self.date])
        self.add_class("xc-filter-bar")
        self.add_class("xc-row")

    def choices(self, field: str) -> list[str]:
        if field == "round":
            return list(self.round_labels.values())
        return [v for _, v in self.controls[field].options if v != ALL]

    def show(
        self, values: dict, as_of: dt.date | None, rounds: list[tuple[str, str]], placeholder: str = ""
    ) -> None:
        """Show ``values`` (field -> value or None), the date, and the round choices (label, id)."""
        self._quiet = True
        try:
            self.round_labels = dict(rounds)
            by_id = {v: k for k, v in rounds}
            combo = self.controls["round"]
            combo.options = [label for label, _ in rounds]
            combo.placeholder = placeholder or labels.text("search_round", self.lang)
            for field, control in self.controls.items():
                value = values.get(field)
                if field == "round":
                    control.value = by_id.get(value, "") if value else ""
                else:
                    offered = {v for _, v in control.options}
                    control.value = value if value in offered else ALL
            self.date.value = as_of
        finally:
            self._quiet = False

    def on_change(self, callback: Callable[[dict], None]) -> None:
        self._callbacks.append(callback)

    def _changed(self, field: str, value) -> None:
        if self._quiet:
            return
        if field == "round":
            if value and value not in self.round_labels:
                return  # half typed: wait for a name from the list
            value = self.round_labels.get(value) if value else None
        elif field != "as_of":
            value = None if value == ALL else value
        for callback in self._callbacks:
            callback({field: value})


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
    download: str = "下载 {name}",
) -> w.VBox:
    """A button that builds a file on click (reports take seconds) and then offers it for download."""
    button = w.Button(description=label)
    button.add_class("xc-report-button")
    result = w.VBox()
    filename = safe_filename(filename)

    def build(_button) -> None:
        button.disabled = True
        result.children = [spinner(busy)]
        try:
            result.children = [download_link(make(), filename, download.format(name=filename))]
        except Exception:
            result.children = [message(failed, "error")]
        finally:
            button.disabled = False

    button.on_click(build)
    box = w.VBox([button, result])
    box.add_class("xc-report")
    return box
