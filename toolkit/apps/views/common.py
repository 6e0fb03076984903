"""Pieces several views share: the scope line, rate notes, the filters said in words."""

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


def filters_text(ctx: Context) -> str:
    """The filters in words, for the printed page (the filter bar is not printed)."""
    return labels.text("view_" + ctx.state.view, ctx.lang) + " · " + scope_text(ctx)
