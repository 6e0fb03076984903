"""Indicators the offices use, each one query executed where the data lives.

Every metric is a function ``(ledger, *, as_of=None, filters=None, by=None, **params) ->
pandas.DataFrame``: the grouping columns first, then the counts, then the rates (fractions, so
a rate is never shown without what it is a rate of). ``REGISTRY`` lists them by their CLI
name; the CLI, the docs test and the apps read it, so a metric is added in one place.
"""

from __future__ import annotations

from toolkit.metrics import catalogue as _catalogue
from toolkit.metrics.assignments import assignments
from toolkit.metrics.base import REGISTRY, Metric, register
from toolkit.metrics.clues import case_conversion, clue_yield, outcomes
from toolkit.metrics.coverage import coverage
from toolkit.metrics.headline import headline
from toolkit.metrics.ontime import on_time_rate
from toolkit.metrics.overdue import PRESETS, WarningRule, overdue, overdue_summary
from toolkit.metrics.peers import peer_comparison
from toolkit.metrics.rectification import rectification_rate
from toolkit.metrics.recurrence import recurrence
from toolkit.metrics.scoreboard import DEFAULT_BANDS, DEFAULT_WEIGHTS, scoreboard

_catalogue.open_with_titles()
__doc__ = f"{__doc__}\n{_catalogue.help_text()}\n"

__all__ = [
    "DEFAULT_BANDS",
    "DEFAULT_WEIGHTS",
    "PRESETS",
    "REGISTRY",
    "Metric",
    "WarningRule",
    "assignments",
    "case_conversion",
    "clue_yield",
    "coverage",
    "headline",
    "on_time_rate",
    "outcomes",
    "overdue",
    "overdue_summary",
    "peer_comparison",
    "recurrence",
    "rectification_rate",
    "register",
    "scoreboard",
]
