"""Indicators the offices use, each one query executed where the data lives.

Every metric is a function ``(ledger, *, as_of=None, filters=None, by=None, **params) ->
pandas.DataFrame``: the grouping columns first, then the counts, then the rates (fractions, so
a rate is never shown without what it is a rate of). ``REGISTRY`` lists them by their CLI
name; the CLI, the docs test and the apps read it, so a metric is added in one place.
"""

from __future__ import annotations

from toolkit.metrics.base import REGISTRY, Metric, register
from toolkit.metrics.headline import headline
from toolkit.metrics.rectification import rectification_rate

__all__ = ["REGISTRY", "Metric", "headline", "rectification_rate", "register"]
