"""The course's view of the ledger a trainee has: which ledger, and which days the course asks about.

Why a "course day" and not today: the exercises ask about "the ledger as it stands", and a sample
built in 2021 read in 2027 would show every open problem as years overdue. The course day is the
last day on which the ledger recorded anything (the latest event), so the same ledger gives the
same answers on any day, and a trainer who swaps in another seed or a real anonymised ledger gets
a course day that fits it. The "past day" (30 June of the middle year of the ledger's span) is
the date the ``as_of`` exercises replay to.

The checker and the notebook share one ``Context`` per ledger location, so expected answers are
computed from exactly the ledger the trainee reads (``XUNCHA_LEDGER`` or the sample ledger).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable
from typing import Any

from toolkit.kernel import ledger_location
from toolkit.ledger import Ledger

LANG_ENV = "XUNCHA_WORKSHOP_LANG"


@dataclasses.dataclass
class Context:
    """One ledger as the course sees it.

    Attributes:
      location: the ledger's path (or URL), as ``toolkit.kernel.ledger_location`` gives it.
      ledger: a read-only handle on it.
      day: the course day, the latest event date (``as_of`` for "now" in every exercise).
      past: the replay day of the ``as_of`` exercises (30 June of the span's middle year).
      memo: values computed once per context (expected answers, the dry-run import).
    """

    location: str
    ledger: Ledger
    day: dt.date
    past: dt.date
    memo: dict[str, Any] = dataclasses.field(default_factory=dict)

    def remember(self, key: str, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per context: a check re-run after an edit costs no query."""
        if key not in self.memo:
            self.memo[key] = compute()
        return self.memo[key]


_contexts: dict[str, Context] = {}
_settings = {"lang": os.environ.get(LANG_ENV, "zh")}


def language(lang: str | None = None) -> str:
    """Set (``"zh"`` or ``"en"``) or read the language of the checker's messages."""
    if lang is not None:
        if lang not in ("zh", "en"):
            raise ValueError(f"lang: 'zh' or 'en', got {lang!r}")
        _settings["lang"] = lang
    return _settings["lang"]


def _as_date(value) -> dt.date:
    return value.date() if hasattr(value, "date") else value


def course_days(ledger: Ledger) -> tuple[dt.date, dt.date]:
    """(course day, past day) of a ledger; see the module docstring for why."""
    events = ledger.table("events")
    first, last = events.aggregate(first=events.at.min(), last=events.at.max()).execute().iloc[0]
    if first is None or first != first:  # an empty ledger: the course has nothing to ask about
        raise ValueError("台账中还没有数据 / the ledger holds no records yet")
    first, last = _as_date(first), _as_date(last)
    past = dt.date((first.year + last.year) // 2, 6, 30)
    if not first < past < last:
        past = first + (last - first) / 2
    return last, past


def context(location: str | os.PathLike | None = None) -> Context:
    """The context of ``location`` (default: the ledger this kernel serves), opened once."""
    where = str(location) if location is not None else ledger_location()
    if where not in _contexts:
        ledger = Ledger.open(where)
        day, past = course_days(ledger)
        _contexts[where] = Context(where, ledger, day, past)
    return _contexts[where]


def forget() -> None:
    """Close every cached context (a trainer rebuilt the sample under a running kernel)."""
    for ctx in _contexts.values():
        ctx.ledger.close()
    _contexts.clear()


def start(location: str | os.PathLike | None = None) -> tuple[Ledger, dt.date, dt.date]:
    """First cell of every workshop notebook: ``ledger, day, past = ws.start()``.

    Prints which ledger the course reads and its two days, so a trainee who sees other numbers
    than the trainer can tell at once whether they read another ledger. Installs the Chinese
    hint for a SyntaxError caused by full-width punctuation (``toolkit.punctuation``).
    """
    from toolkit import punctuation
    from toolkit.labels import date

    punctuation.install()

    ctx = context(location)
    if language() == "zh":
        print(f"台账：{ctx.location}\n课程日（台账最新记录日）：{date(ctx.day)}；回放日：{date(ctx.past)}")
    else:
        print(f"Ledger: {ctx.location}\nCourse day (latest event): {ctx.day}; replay day: {ctx.past}")
    return ctx.ledger, ctx.day, ctx.past
