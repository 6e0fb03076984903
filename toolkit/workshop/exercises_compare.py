"""Exercises of notebooks 04-05: comparing districts (南京 线上诊断) and looking back (回头看).

The low region and the portrayed unit are chosen from the ledger, not named: in the sample the
low outlier on clue yield is 南塘区 (it transfers few clues), but another seed or a real ledger
may flag another region, or none ("无").
"""

from __future__ import annotations

import pandas as pd

from toolkit import listings, metrics
from toolkit.workshop.registry import exercise, wrong
from toolkit.workshop.tables import portrait_unit, unit_name

# ---- 04 比对分析 -------------------------------------------------------------------------------


def _peers(ctx, indicator: str = "clue-yield") -> pd.DataFrame:
    return ctx.remember(
        f"peers {indicator}",
        lambda: metrics.peer_comparison(ctx.ledger, as_of=ctx.day, indicator=indicator),
    )


def _lowest(ctx) -> pd.Series:
    """The region with the fewest clues per inspected unit (smallest name among equals)."""
    return _peers(ctx).dropna(subset=["value"]).sort_values(["value", "region"]).iloc[0]


def _flagged(ctx, indicator: str = "clue-yield") -> list[str]:
    df = _peers(ctx, indicator)
    return df.loc[df["low_outlier"], "region"].tolist()


exercise(
    "4.1",
    "按“每个被巡察单位移交线索数”比较各区县，哪些区县被标为明显偏低？（没有就答“无”）",
    "Comparing regions on clues per inspected unit, which are flagged as low outliers? ('无' if none)",
    answer=_flagged,
    kind="set",
    hint_zh="metrics.peer_comparison(ledger, as_of=day, indicator='clue-yield')，看 low_outlier 为 True 的行。",
    hint_en="metrics.peer_comparison(ledger, as_of=day, indicator='clue-yield'); rows with low_outlier True.",
    wrong=(
        wrong(
            "below_median",
            lambda ctx: _peers(ctx).query("value < peer_median")["region"].tolist(),
            "低于中位数不等于明显偏低：还要比同级中位数低出 2 个 MAD，并且差距超过 5 个百分点"
            "（线索移交率：每单位 0.05 条），只有 low_outlier 为 True 才算。",
            "Below the median is not an outlier: it must be 2 MADs and more than 5 percentage points "
            "(clue yield: 0.05 clues per unit) below it; only low_outlier True counts.",
        ),
        wrong(
            "wrong_indicator",
            lambda ctx: (
                _flagged(ctx, "rectification-rate")
                or [
                    metrics.rectification_rate(ctx.ledger, as_of=ctx.day, by="region")
                    .sort_values("rate")["region"]
                    .iloc[0]
                ]
            ),
            "你比较的是整改率。题目比较的是线索移交：indicator='clue-yield'。",
            "You compared the rectification rate; the question compares clue yield: indicator='clue-yield'.",
        ),
    ),
)


def _ratio_with_itself(ctx) -> float:
    """The ratio a trainee gets when the region counts as its own peer (median of all regions)."""
    df = _peers(ctx)
    return float(_lowest(ctx)["value"] / df["value"].median())


exercise(
    "4.2",
    "{low_region}每个被巡察单位移交的线索数，相当于其他区县中位数的百分之几？",
    "{low_region}'s clues per inspected unit are what percent of the other regions' median?",
    answer=lambda ctx: float(_lowest(ctx)["ratio"]),
    kind="rate",
    tolerance=0.0051,
    params=lambda ctx: {"low_region": _lowest(ctx)["region"]},
    hint_zh="peer_comparison 结果中该区县一行的 ratio 列（= value / peer_median）。",
    hint_en="The ratio column (= value / peer_median) of that region's row in the peer comparison.",
    wrong=(
        wrong(
            "own_peer",
            _ratio_with_itself,
            "你用了全部区县（含它自己）的中位数。一个区县不是自己的同级：用 peer_median。",
            "You used the median of all regions, itself included; a region is not its own peer: use peer_median.",
        ),
        wrong(
            "gap",
            lambda ctx: float(_lowest(ctx)["gap"]),
            "这是差距（value − peer_median），题目问的是比值（ratio）。",
            "That is the gap (value - peer_median); the question asks for the ratio.",
        ),
    ),
)

# ---- 05 回头看 ---------------------------------------------------------------------------------


def _recurrence(ctx) -> pd.DataFrame:
    return ctx.remember("recurrence", lambda: metrics.recurrence(ctx.ledger, as_of=ctx.day))


exercise(
    "5.1",
    "截至课程日，已整改的问题中，同类问题在同一单位后来的巡察中再次出现的比例（复发率）是多少？",
    "As of the course day, what share of rectified problems recurred (same category, same unit, a later round)?",
    answer=lambda ctx: _recurrence(ctx)["rate"][0],
    kind="rate",
    hint_zh="复发率 = 复发的 / 已整改的问题；metrics.recurrence(ledger, as_of=day)。",
    hint_en="Recurrence = recurred / rectified problems; metrics.recurrence(ledger, as_of=day).",
    wrong=(
        wrong(
            "all_problems",
            lambda ctx: (
                _recurrence(ctx)["recurred"][0] / metrics.headline(ctx.ledger, as_of=ctx.day)["problems"][0]
            ),
            "你用全部问题做分母。复发只对已经整改过的问题才有意义：分母是已整改的问题。",
            "You divided by all problems; only rectified problems can recur: divide by rectified.",
        ),
    ),
)


def _portrait(ctx) -> str:
    return ctx.remember("portrait unit", lambda: portrait_unit(ctx.ledger, as_of=ctx.day))


def _recurred_categories(ctx) -> pd.DataFrame:
    return listings.unit_recurrences(ctx.ledger, _portrait(ctx), as_of=ctx.day)


exercise(
    "5.2",
    "一报一单：{unit_name}（{unit_id}）有几个问题类别在整改后又在后来的巡察中再次出现？",
    "一报一单: in {unit_name} ({unit_id}), how many problem categories came back after rectification?",
    answer=lambda ctx: len(_recurred_categories(ctx)),
    kind="count",
    params=lambda ctx: {"unit_id": _portrait(ctx), "unit_name": unit_name(ctx.ledger, _portrait(ctx))},
    hint_zh="listings.unit_recurrences(ledger, 单位编号, as_of=day) 每行是一个复发的类别，数一下有几行。",
    hint_en="listings.unit_recurrences(ledger, unit_id, as_of=day) has one row per recurring category; count rows.",
    wrong=(
        wrong(
            "all_categories",
            lambda ctx: listings.unit_problems(ctx.ledger, _portrait(ctx), as_of=ctx.day)[
                "category"
            ].nunique(),
            "你数的是这个单位出现过的全部问题类别，题目只问整改后又复发的类别。",
            "You counted every category the unit ever had; only categories that came back count.",
        ),
        wrong(
            "problems",
            lambda ctx: int(
                metrics.recurrence(ctx.ledger, as_of=ctx.day, by="unit")
                .set_index("unit")
                .loc[_portrait(ctx), "recurred"]
            ),
            "你数的是复发的问题个数（metrics.recurrence），题目问的是类别个数。",
            "You counted recurred problems (metrics.recurrence); the question asks for categories.",
        ),
    ),
)
