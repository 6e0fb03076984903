"""The app's views: each a module with ``render(ctx) -> list[widget]`` and ``prefetch(ctx)``.

``prefetch`` is a generator that asks, one query per step, what ``render`` will ask for the same
state; the router runs the other views' steps while the leader reads (``warm_up``), so switching
tabs finds the figures already computed.
"""

from __future__ import annotations

from collections.abc import Iterator

from toolkit.apps.views import common, overview, round, scoreboard, tracker, unit

VIEWS = {
    "overview": overview,
    "round": round,
    "unit": unit,
    "tracker": tracker,
    "scoreboard": scoreboard,
}


def warm_up(ctx) -> Iterator[None]:
    """What the leader may ask next, one query per step: every region's overview figures (a click
    on a region), then the other views' queries for the same state."""
    yield from overview.prefetch_regions(ctx)
    for name, module in VIEWS.items():
        if name != ctx.state.view:
            yield from module.prefetch(ctx)


__all__ = ["VIEWS", "common", "overview", "round", "scoreboard", "tracker", "unit", "warm_up"]
