"""Tables leaders can sort and page: ``DataTable`` (static/table.js), filled from a DataFrame.

Why not an HTML string: a header click sorts and the pager turns pages in the browser, with no
kernel round trip; and cells travel as JSON text set with ``textContent``, so ledger text can
never become markup. Each column has what is shown and what it sorts by (a date shown as
2021年6月30日 sorts as 2021-06-30; 逾期 12 天 sorts as -12).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable

import anywidget
import pandas as pd
import traitlets

from toolkit import labels
from toolkit.apps.url import STATIC
from toolkit.safe_html import truncate

CELL_LIMIT = 400  # characters of one cell shown; the record keeps its whole text
PAGE_SIZE = 25


class DataTable(anywidget.AnyWidget):
    _esm = STATIC / "table.js"
    columns = traitlets.List().tag(sync=True)  # [{label, numeric, dots}]
    rows = traitlets.List().tag(sync=True)  # shown text, one list per row
    sort_keys = traitlets.List().tag(sync=True)  # sort keys, one list per row
    texts = traitlets.Dict().tag(sync=True)
    page_size = traitlets.Int(PAGE_SIZE).tag(sync=True)
    css_class = traitlets.Unicode("").tag(sync=True)


@dataclasses.dataclass(frozen=True)
class Col:
    """A column: the DataFrame column, its header, how a value is shown and how it sorts."""

    source: str
    label: str
    show: Callable[[object], str] | None = None
    numeric: bool = False
    dots: dict[str, str] | None = None  # value -> colour of the dot drawn before it
    sort_by: str | None = None  # another column to sort by (text "89.0% · 98.5" by its points)


def data_table(
    df: pd.DataFrame, columns: list[Col], lang: str, *, css_class: str = "", page_size: int = PAGE_SIZE
) -> DataTable:
    rows = [
        [_shown(c, v, lang) for c, v in zip(columns, record, strict=True)]
        for record in df[[c.source for c in columns]].itertuples(index=False, name=None)
    ]
    keys = [
        [_key(v) for v in record]
        for record in df[[c.sort_by or c.source for c in columns]].itertuples(index=False, name=None)
    ]
    texts = {k: labels.text("table_" + k, lang) for k in ("page", "prev", "next", "sort", "empty")}
    table = DataTable(
        columns=[{"label": c.label, "numeric": c.numeric, "dots": c.dots} for c in columns],
        rows=rows,
        sort_keys=keys,
        texts=texts,
        page_size=page_size,
        css_class=css_class,
    )
    table.add_class(css_class)
    return table


def _missing(value) -> bool:
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _shown(column: Col, value, lang: str) -> str:
    if column.show is not None:
        return truncate(column.show(value), CELL_LIMIT)
    if _missing(value):
        return "—"
    if isinstance(value, pd.Timestamp | dt.date):
        return labels.date(value.date() if isinstance(value, pd.Timestamp) else value, lang)
    if isinstance(value, bool):
        return labels.text("yes", lang) if value else ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return labels.number(value) if float(value).is_integer() else f"{value:,.2f}"
    return truncate(str(value), CELL_LIMIT)


def _key(value):
    """A JSON sort key: numbers as numbers, dates as ISO text, missing as None."""
    if _missing(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, int | float):
        return value
    return str(value)
