"""``check("2.1", answer)``: right, not answered yet, or what is wrong and a hint.

Rules the checker keeps, and why:
- It never prints the expected answer or a solution: a trainee who reads "偏小" still has to find
  the mistake, and the solutions notebooks are never read.
- An answer that is a whole table, or text where a number is asked, is told so before anything
  else: that is the commonest first attempt, and comparing it would only confuse.
- Typical mistakes (registered with each exercise) are recognised and answered with their own
  hint; anything else gets the exercise's general hint and, for numbers, whether it is too large
  or too small.
- ``...`` (as shipped) and ``None`` mean "not answered yet", so an untouched notebook runs clean.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
from typing import Any

from toolkit.workshop.context import context, language
from toolkit.workshop.registry import EXERCISES, Exercise

RIGHT, UNANSWERED, WRONG, INVALID = "right", "unanswered", "wrong", "invalid"


@dataclasses.dataclass(frozen=True)
class Result:
    """What ``check`` found.

    Attributes:
      exercise: the exercise id.
      status: ``right``, ``unanswered``, ``wrong`` (a comparable answer that differs) or
        ``invalid`` (not the kind of answer asked for).
      message: the printed text (in the chosen language).
      mistake: the name of the recognised typical mistake, if any.
    """

    exercise: str
    status: str
    message: str
    mistake: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == RIGHT

    def _ipython_display_(self) -> None:
        """Nothing more to show: the message was printed when the check ran."""

    def __str__(self) -> str:
        return self.message


class _Unreadable(Exception):
    def __init__(self, zh: str, en: str) -> None:
        super().__init__(en)
        self.zh, self.en = zh, en


def _scalar(value: Any) -> Any:
    """A one-cell Series/DataFrame/array becomes its value; anything larger is not one answer."""
    if hasattr(value, "shape") and getattr(value, "ndim", 0) > 0:
        if value.size != 1:
            raise _Unreadable(
                "这里要一个数或一个名称，你给的是一张表（或一列）。请取出其中的一个值，例如 df['rate'][0]。",
                "One value is asked for, you gave a table (or a column). Take one value, e.g. df['rate'][0].",
            )
        value = value.to_numpy().ravel()[0] if hasattr(value, "to_numpy") else value.ravel()[0]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    return value


def _number(value: Any, kind: str) -> float:
    value = _scalar(value)
    if isinstance(value, str):
        text = value.strip().replace(",", "").replace("，", "")
        percent = text.endswith("%")
        try:
            value = float(text.rstrip("%")) / (100 if percent else 1)
        except ValueError:
            raise _Unreadable(
                "这里要一个数，你给的是文字。", "A number is asked for, you gave text."
            ) from None
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or math.isnan(value):
        raise _Unreadable("这里要一个数。", "A number is asked for.")
    value = float(value)
    if kind == "rate" and 1 < value <= 100:
        value /= 100  # typed as a percent: 90.3 means 90.3%
    elif kind == "rate" and value > 100:
        raise _Unreadable(
            "比率应是分数（0.903）或百分数（90.3），你给的像是一个个数。",
            "A rate is a fraction (0.903) or a percent (90.3); this looks like a count.",
        )
    return value


def _name(value: Any) -> str:
    return str(value).strip().replace(" ", "").replace("\u3000", "")


def _names(value: Any) -> frozenset[str]:
    if isinstance(value, str):
        parts = value.replace("，", ",").replace("、", ",").split(",")
        value = [] if value.strip() in ("无", "没有", "none", "None", "") else parts
    elif getattr(value, "ndim", 1) > 1:
        raise _Unreadable(
            "这里要几个名称（一列或一个列表），你给的是整张表。例如 df['region'].tolist()。",
            "Some names are asked for (a column or a list), you gave a whole table, e.g. df['region'].tolist().",
        )
    elif hasattr(value, "to_numpy"):
        value = value.to_numpy().ravel().tolist()
    elif not isinstance(value, (list, tuple, set, frozenset)):
        value = [value]
    return frozenset(_name(v) for v in value if _name(v))


def _read(value: Any, kind: str) -> Any:
    if kind in ("count", "rate", "number"):
        return _number(value, kind)
    if kind == "text":
        value = _scalar(value)
        if not isinstance(value, str):
            raise _Unreadable("这里要一个名称（文字）。", "A name (text) is asked for.")
        return _name(value)
    return _names(value)


def _same(a: Any, b: Any, ex: Exercise) -> bool:
    if ex.kind in ("count", "rate", "number"):
        return abs(a - b) <= ex.tolerance + 1e-9
    if ex.kind == "text":
        return a == b or a.rstrip("区县市") == b.rstrip("区县市")
    return a == b


def _difference(given: Any, expected: Any, ex: Exercise, lang: str) -> str:
    """How a wrong answer differs, without giving the answer away."""
    zh = lang == "zh"
    if ex.kind in ("count", "rate", "number"):
        if given > expected:
            return "偏大。" if zh else "too large."
        return "偏小。" if zh else "too small."
    if ex.kind == "set":
        missing, extra = len(expected - given), len(given - expected)
        parts = []
        if missing:
            parts.append(f"少了 {missing} 项" if zh else f"{missing} missing")
        if extra:
            parts.append(f"多了 {extra} 项" if zh else f"{extra} too many")
        return ("，".join(parts) + "。") if zh else (", ".join(parts) + ".")
    return "不是这一个。" if zh else "not this one."


def check(
    exercise_id: str, answer: Any, *, lang: str | None = None, ledger: str | os.PathLike | None = None
) -> Result:
    """Check ``answer`` to exercise ``exercise_id`` against the ledger this kernel reads, print
    the verdict and return it as a ``Result``. ``ledger`` overrides the ledger (tests, trainers)."""
    lang = lang or language()
    zh = lang == "zh"
    if exercise_id not in EXERCISES:
        known = ", ".join(EXERCISES)
        raise KeyError(f"no exercise {exercise_id!r} (exercises: {known})")
    ex = EXERCISES[exercise_id]
    head = f"练习 {ex.id}" if zh else f"Exercise {ex.id}"
    if answer is None or answer is Ellipsis:
        message = (
            f"… {head}：尚未作答。把 {ex.variable} = ... 中的 ... 换成你的答案（用 toolkit 计算），再运行本格。"
            if zh
            else f"… {head}: not answered yet. Replace the ... in {ex.variable} = ... with your answer, then run this cell."
        )
        return _emit(Result(ex.id, UNANSWERED, message))
    ctx = context(ledger)
    try:
        given = _read(answer, ex.kind)
    except _Unreadable as why:
        return _emit(Result(ex.id, INVALID, f"✘ {head}：{why.zh}" if zh else f"✘ {head}: {why.en}"))
    expected = _read(ex.expected(ctx), ex.kind)
    if _same(given, expected, ex):
        return _emit(Result(ex.id, RIGHT, f"✔ {head}：回答正确。" if zh else f"✔ {head}: correct."))
    for mistake in ex.wrong:
        typical = ctx.remember(f"wrong {ex.id} {mistake.name}", lambda m=mistake: m.answer(ctx))
        try:
            typical = _read(typical, ex.kind)
        except _Unreadable:
            continue
        if not _same(typical, expected, ex) and _same(given, typical, ex):
            hint = mistake.hint_zh if zh else mistake.hint_en
            message = f"✘ {head}：还不对。{hint}" if zh else f"✘ {head}: not yet. {hint}"
            return _emit(Result(ex.id, WRONG, message, mistake.name))
    how = _difference(given, expected, ex, lang)
    hint = ex.hint_zh if zh else ex.hint_en
    message = f"✘ {head}：还不对，{how}提示：{hint}" if zh else f"✘ {head}: not yet, {how} Hint: {hint}"
    return _emit(Result(ex.id, WRONG, message))


def _emit(result: Result) -> Result:
    print(result.message)
    return result
