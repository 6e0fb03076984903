"""Exercises as data: what is asked, how the answer is computed, and what a wrong answer means.

An exercise never stores its answer. ``answer(ctx)`` computes it from the ledger the trainee has
(through the metrics, the same calls the solutions make), so a trainer can swap in another seed
or a real anonymised ledger and the course still checks. Each ``Wrong`` is a mistake trainees
really make (counting 基本完成 as rectified, 元 for 万元, forgetting ``as_of``), computed the
same way, with a hint aimed at that mistake; ``check`` compares the trainee's answer with it.

Kinds (how answers are read and compared, see ``toolkit.workshop.checker``):
  count   a whole number, exact;
  rate    a fraction (0.903) or a percent (90.3), within ``tolerance`` as a fraction;
  number  any number, within ``tolerance`` (amounts in a stated unit);
  text    one name (a region), compared without spaces;
  set     several names (a list, a Series, one string), compared as a set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from toolkit.workshop.context import Context, context, language

KINDS = ("count", "rate", "number", "text", "set")
# A percent typed with one decimal is off by at most 0.05 points, i.e. 0.0005 as a fraction.
RATE_TOLERANCE = 0.00051

Compute = Callable[[Context], Any]


@dataclasses.dataclass(frozen=True)
class Wrong:
    """A typical wrong answer: how to compute it, and the hint that answers that mistake.

    Attributes:
      name: a short code for tests and trainers (``in_progress_counted``).
      answer: computes the wrong answer from the context.
      hint_zh / hint_en: the targeted hint; it explains the mistake, never the number.
    """

    name: str
    answer: Compute
    hint_zh: str
    hint_en: str


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise of the course.

    Attributes:
      id: ``"2.1"``: notebook 2, exercise 1; the notebook's variable is ``answer_2_1``.
      question_zh / question_en: the question; ``{day}``, ``{past}`` and the keys of ``params``
        are filled in from the context (the days and names differ between ledgers).
      answer: computes the expected answer from the context.
      kind: one of ``KINDS``.
      hint_zh / hint_en: the general hint, shown for a wrong answer no ``Wrong`` explains.
      tolerance: allowed difference (rates: as a fraction; numbers: in the question's unit).
      wrong: typical mistakes, checked in order.
      params: extra names for the question text (the unit of a portrait, the low region).
    """

    id: str
    question_zh: str
    question_en: str
    answer: Compute
    kind: str
    hint_zh: str
    hint_en: str
    tolerance: float = 0.0
    wrong: tuple[Wrong, ...] = ()
    params: Callable[[Context], dict[str, Any]] | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind: one of {', '.join(KINDS)}, got {self.kind!r}")

    @property
    def variable(self) -> str:
        return "answer_" + self.id.replace(".", "_")

    def expected(self, ctx: Context) -> Any:
        return ctx.remember(f"answer {self.id}", lambda: self.answer(ctx))

    def text(self, ctx: Context, lang: str) -> str:
        """The question with the context's days and names filled in."""
        from toolkit.labels import date

        values = {"day": date(ctx.day, lang), "past": date(ctx.past, lang)}
        if self.params:
            values.update(ctx.remember(f"params {self.id}", lambda: self.params(ctx)))
        return (self.question_zh if lang == "zh" else self.question_en).format(**values)


EXERCISES: dict[str, Exercise] = {}


def exercise(id: str, question_zh: str, question_en: str, *, answer: Compute, kind: str, **rest) -> Exercise:
    """Register an exercise (one place: the notebooks, the checker and the tests read EXERCISES)."""
    if id in EXERCISES:
        raise ValueError(f"exercise {id} registered twice")
    if kind == "rate":
        rest.setdefault("tolerance", RATE_TOLERANCE)
    EXERCISES[id] = Exercise(id, question_zh, question_en, answer, kind, **rest)
    return EXERCISES[id]


def wrong(name: str, answer: Compute, hint_zh: str, hint_en: str) -> Wrong:
    return Wrong(name, answer, hint_zh, hint_en)


def question(exercise_id: str, *, lang: str | None = None) -> None:
    """Print exercise ``exercise_id``'s question (the notebooks call this above each answer cell)."""
    lang = lang or language()
    ex = EXERCISES[exercise_id]
    if lang == "zh":
        print(f"练习 {ex.id}：{ex.text(context(), lang)}")
    else:
        print(f"Exercise {ex.id}: {ex.text(context(), lang)}")
    if lang == "zh":
        print(f"把答案写进 {ex.variable} = ...（用 toolkit 计算，不要抄数字），再运行下面的 check。")
    else:
        print(f"Put your answer in {ex.variable} = ... (computed with toolkit), then run the check below.")
