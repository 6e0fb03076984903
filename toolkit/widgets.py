"""Building blocks the apps share: the filter bar, KPI cards, tables, messages, downloads.

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
from toolkit.filters import Filters
from toolkit.models import UnitKind
from toolkit.safe_html import EMPTY, Markup, join, require_markup, truncate

ALL = "__all__"
MIME_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
FILTER_FIELDS = ("term", "round", "region", "unit_kind", "sector", "category")
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
            "<div class='xc-kpi' style='border:1px solid #d0d7e2;border-radius:6px;padding:10px 16px;min-width:150px;background:#f7f9fc'>"
            "<div style='color:#5a6473;font-size:13px'>{label}</div>"
            "<div class='kpi-value' data-kpi='{key}' style='font-size:26px;font-weight:600;color:{colour}'>{value}</div>"
            "<div class='kpi-note' data-kpi-note='{key}' style='color:#5a6473;font-size:12px'>{note}</div></div>"
        ).format(label=label, key=key, colour=colour, value=value, note=note)
    )


def card_row(cards: Sequence[w.Widget]) -> w.HBox:
    return w.HBox(list(cards), layout=w.Layout(flex_flow="row wrap", gap="12px"))


def heading(text: str, sub: str = "") -> w.HTML:
    extra = Markup("<div style='color:#5a6473;font-size:13px'>{}</div>").format(sub) if sub else EMPTY
    return html(Markup("<h3 style='margin:12px 0 4px 0;color:#1d3f72'>{}</h3>{}").format(text, extra))


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

    def unknown(self, **values) -> dict[str, str]:
        """The given filter values that are not among the choices (a deep link naming a round
        the ledger does not have): {field: value}. None means 全部 and is always known."""
        return {
            field: value
            for field, value in values.items()
            if field != "as_of" and value is not None and value not in self.choices(field)
        }

    def choices(self, field: str) -> list[str]:
        return [v for _, v in self.controls[field].options if v != ALL]

    def set(self, **values) -> None:
        """Set several controls (a deep link, a click on a chart) and call back once.

        A value the control does not offer is a ``ValueError`` naming it: showing 全部 instead
        would show a leader other data than the link asked for.
        """
        unknown = self.unknown(**values)
        if unknown:
            raise ValueError(
                ", ".join(f"{field}: unknown value {value!r}" for field, value in unknown.items())
            )
        self._quiet = True
        try:
            for field, value in values.items():
                if field == "as_of":
                    self.date.value = value
                else:
                    self.controls[field].value = ALL if value is None else value
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
    filename = safe_filename(filename)

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
