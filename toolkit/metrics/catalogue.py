"""The metric definitions as one text: what ``toolkit metrics --list`` prints and the README's
metric table is (a test checks the README equals ``markdown_table()`` exactly), so the docs
cannot drift from the registry."""

from __future__ import annotations

import textwrap

import pandas as pd

from toolkit.metrics.base import REGISTRY

NO_DIRECTION = "—"
# The order a reader meets them in (problems, then clues, then the comparisons); a metric not
# named here follows in registration order.
READING_ORDER = (
    "headline",
    "rectification-rate",
    "on-time-rate",
    "overdue",
    "overdue-summary",
    "clue-yield",
    "case-conversion",
    "outcomes",
    "coverage",
    "recurrence",
    "assignments",
    "peer-comparison",
    "scoreboard",
)
MARKDOWN_HEADER = (
    "| name | 指标 | definition | better | published reference |",
    "|---|---|---|---|---|",
)


def ordered() -> list:
    """The registered metrics in ``READING_ORDER``."""
    rank = {name: i for i, name in enumerate(READING_ORDER)}
    return sorted(REGISTRY.values(), key=lambda m: rank.get(m.name, len(rank)))


def catalogue() -> pd.DataFrame:
    """One row per registered metric: name, titles, definition, direction, reference, dimensions."""
    return pd.DataFrame(
        [
            {
                "name": m.name,
                "title_zh": m.title_zh,
                "title_en": m.title_en,
                "definition": m.definition,
                "direction": m.direction or "",
                "reference": m.reference or "",
                "dimensions": ",".join(m.dimensions),
            }
            for m in ordered()
        ]
    )


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_table() -> str:
    """The README's metric table (GitHub markdown)."""
    lines = list(MARKDOWN_HEADER)
    for m in ordered():
        cells = (
            f"`{m.name}`",
            f"{m.title_zh} {m.title_en}",
            m.definition,
            m.direction or NO_DIRECTION,
            m.reference or "",
        )
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return "\n".join(lines)


def plain_list() -> str:
    """One line per metric for a terminal: name, Chinese title, definition, better side."""
    lines = []
    for m in ordered():
        better = f" [{m.direction} is better]" if m.direction else ""
        lines.append(f"{m.name:20s} {m.title_zh}: {m.definition}{better}")
    return "\n".join(lines)


def help_text() -> str:
    """指标一览 as ``metrics?`` shows it: each metric's function, Chinese title and definition."""
    lines = ["指标一览 Metrics (also: toolkit metrics --list)", ""]
    for m in ordered():
        lines.append(
            f"metrics.{m.func.__name__}(ledger, as_of=..., filters=..., by=...)  {m.title_zh} {m.title_en}"
        )
        lines += textwrap.wrap(m.definition, 96, initial_indent="    ", subsequent_indent="    ")
    return "\n".join(lines)


def open_with_titles() -> None:
    """Make each metric function's docstring open with its Chinese title (``metrics.headline?``
    then reads 主要数据 first), whatever its own docstring starts with."""
    for m in REGISTRY.values():
        doc = m.func.__doc__ or ""
        if not doc.startswith(m.title_zh):
            m.func.__doc__ = f"{m.title_zh} {m.title_en}. {doc}"
