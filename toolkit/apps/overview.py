"""总览: the first app: headline figures of the ledger and problems by district, in Chinese.

The apps issue grows this into the full overview (filters, drill-down, peer comparison); the
shape stays: compute small results with ``toolkit.metrics``, lay them out with ipywidgets.
"""

from __future__ import annotations

import datetime as dt

import altair as alt
import ipywidgets as w

from toolkit import charts, labels, metrics
from toolkit.apps import LedgerMissing, ledger_target, open_ledger

CARD_CSS = (
    "<div style='border:1px solid #d0d7e2;border-radius:6px;padding:10px 16px;min-width:130px;"
    "background:#f7f9fc'><div style='color:#5a6473;font-size:13px'>{label}</div>"
    "<div class='kpi-value' data-kpi='{key}' style='font-size:26px;font-weight:600;color:#1d3f72'>{value}</div></div>"
)


def kpi_cards(row, lang: str = "zh") -> w.HBox:
    items = [
        ("units", labels.number(row["units"])),
        ("rounds", labels.number(row["rounds"])),
        ("problems", labels.number(row["problems"])),
        ("rectified", labels.number(row["rectified"])),
        ("rectification_rate", labels.percent(row["rate"])),
        ("clues", labels.number(row["clues"])),
    ]
    cards = [w.HTML(CARD_CSS.format(label=labels.text(k, lang), value=v, key=k)) for k, v in items]
    return w.HBox(cards, layout=w.Layout(flex_flow="row wrap", gap="12px"))


def message(text: str) -> w.HTML:
    return w.HTML(
        f"<div class='xc-message' style='padding:24px;font-size:16px;color:#7a4b00;background:#fff6e5;border-radius:6px'>{text}</div>"
    )


def app(as_of: dt.date | None = None, lang: str = "zh") -> w.Widget:
    """The overview as one widget; a missing or empty ledger gives a message, never a traceback."""
    alt.JupyterChart.enable_offline()
    try:
        ledger = open_ledger()
    except LedgerMissing:
        return message(labels.text("ledger_missing", lang) + f"<br><small>{ledger_target()}</small>")
    day = as_of or dt.date.today()
    head = metrics.headline(ledger, as_of=day).iloc[0]
    title = w.HTML(
        f"<h2 style='margin:4px 0'>{labels.text('overview_title', lang)}</h2>"
        f"<div style='color:#5a6473'>{labels.text('as_of', lang)} {labels.date(day, lang)}</div>"
    )
    if head["problems"] == 0 and head["units"] == 0:
        return w.VBox([title, message(labels.text("ledger_empty", lang))])
    by_region = metrics.rectification_rate(ledger, as_of=day, by="region")
    chart = alt.JupyterChart(charts.themed(charts.problems_by_region(by_region, lang)))
    return w.VBox([title, kpi_cards(head, lang), chart], layout=w.Layout(gap="14px", padding="8px"))
