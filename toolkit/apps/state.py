"""What a leader is looking at, as one value: the view, the language, the filters, the selection.

Why one dataclass: the filter bar, the language, the chosen unit and the view must follow the
leader from view to view and be a link they can send. ``AppState`` is that value; the URL's query
string is its other spelling (:meth:`AppState.to_query`, :func:`parse_query`), so Back, Forward
and a pasted link all land on the same state. Links from the five pages the app replaced
(``round.ipynb?round=…``) carry the same parameter names; the server adds ``view=``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import parse_qsl, urlencode

from toolkit.filters import Filters

VIEWS = ("overview", "round", "unit", "tracker", "scoreboard")
FILTER_FIELDS = ("term", "round", "region", "unit_kind", "sector", "category")
LANGUAGES = ("zh", "en")
PRESETS = ("jiangjin", "nanjing")
COLOURS = ("all", "red", "yellow", "green", "none")
SCORE_GROUPS = ("region", "team")
PEER_INDICATORS = ("rectification-rate", "on-time-rate", "clue-yield", "case-conversion")
# What the URL may say beyond the filters, each with the values it may take (None: any id).
CHOICES = {
    "view": VIEWS,
    "lang": LANGUAGES,
    "preset": PRESETS,
    "colour": COLOURS,
    "by": SCORE_GROUPS,
    "indicator": PEER_INDICATORS,
}
# label key (toolkit.labels) naming each parameter in a sentence about a bad link
PARAM_LABELS = {
    "view": "view",
    "lang": "language",
    "preset": "preset",
    "colour": "colour",
    "by": "group_by",
    "indicator": "indicator",
}


@dataclasses.dataclass(frozen=True)
class AppState:
    view: str = "overview"
    lang: str = "zh"
    term: str | None = None
    round: str | None = None
    region: str | None = None
    unit_kind: str | None = None
    sector: str | None = None
    category: str | None = None
    as_of: dt.date | None = None  # None: today
    unit: str | None = None
    preset: str = "jiangjin"
    colour: str = "all"
    by: str = "region"
    indicator: str = "rectification-rate"

    @property
    def filters(self) -> Filters:
        return Filters(**{f: getattr(self, f) for f in FILTER_FIELDS})

    def day(self) -> dt.date:
        return self.as_of or dt.date.today()

    def replace(self, **changes) -> AppState:
        return dataclasses.replace(self, **changes)

    def cleared(self) -> AppState:
        """The same view and language with no filter and no selection (the clear-filter control)."""
        return AppState(view=self.view, lang=self.lang, preset=self.preset, by=self.by)

    def to_query(self) -> str:
        """The state as a query string, defaults left out (``view=round&region=西山区``)."""
        default = AppState()
        pairs = []
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            # a unit with no view reads as the unit's view (old links): say the view then
            kept = field.name == "view" and self.unit is not None
            if value is None or (value == getattr(default, field.name) and not kept):
                continue
            pairs.append((field.name, value.isoformat() if isinstance(value, dt.date) else value))
        return urlencode(pairs)


@dataclasses.dataclass(frozen=True)
class BadParam:
    """A link parameter not understood (a language ``fr``, a date ``2021-13-01``)."""

    key: str
    value: str


def parse_query(query: str | dict[str, str]) -> tuple[AppState, list[BadParam]]:
    """The state a query string names, and what in it was not understood (left at its default).

    Whether a region or a unit exists is the ledger's to say (see ``toolkit.apps.router``).
    A link naming a unit but no view opens the unit (the old ``unit.ipynb?unit=`` links).
    """
    params = dict(parse_qsl(query, keep_blank_values=False)) if isinstance(query, str) else dict(query)
    params.pop("token", None)
    bad: list[BadParam] = []
    values: dict[str, object] = {}
    for key, allowed in CHOICES.items():
        if key in params:
            if params[key] in allowed:
                values[key] = params[key]
            else:
                bad.append(BadParam(key, params[key]))
    for key in (*FILTER_FIELDS, "unit"):
        if params.get(key):
            values[key] = params[key]
    if params.get("as_of"):
        try:
            values["as_of"] = dt.date.fromisoformat(params["as_of"])
        except ValueError:
            bad.append(BadParam("as_of", params["as_of"]))
    if "view" not in values and values.get("unit"):
        values["view"] = "unit"
    return AppState(**values), bad
