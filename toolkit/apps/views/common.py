"""Pieces several views share: the scope line and rate notes."""

from __future__ import annotations

from toolkit import labels
from toolkit.apps.context import Context, scope_text
from toolkit.widgets import note


def ratio(numerator, denominator) -> str:
    """What a rate is a rate of: 1,234 / 1,500."""
    return f"{labels.number(numerator)} / {labels.number(denominator)}"


def scope(ctx: Context, **kwargs):
    """The line under a view's title saying what its figures cover."""
    return note(scope_text(ctx, **kwargs), "xc-scope")
