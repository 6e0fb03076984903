"""Exercises of notebooks 01-03: reading the ledger, rates and warnings, clues and cases.

Every answer is a metric call on the trainee's ledger at the course day (``ctx.day``) or the
replay day (``ctx.past``); every ``wrong`` is the mistake the seeds and trainers report most:
counting 基本完成 as rectified (昆明 reports 688 of 697 with 9 基本完成 as 98.71%), the 江津
and 南京 warning rules confused, 元 read as 万元, a count where a rate is asked.
"""

from __future__ import annotations

from toolkit import metrics
from toolkit.models import Disposal, ProblemStatus
from toolkit.workshop.registry import exercise, wrong
from toolkit.workshop.tables import disposal_counts


def _headline(ctx, past: bool = False):
    day = ctx.past if past else ctx.day
    return ctx.remember(f"headline {day}", lambda: metrics.headline(ctx.ledger, as_of=day))


def _statuses(ctx, past: bool = False) -> dict[str, int]:
    day = ctx.past if past else ctx.day

    def count():
        problems = ctx.ledger.as_of(day).table("problems")
        df = problems.group_by("status").aggregate(n=problems.count()).execute()
        return dict(zip(df["status"], df["n"].astype(int), strict=True))

    return ctx.remember(f"statuses {day}", count)


def _rate_counting(ctx, *extra: ProblemStatus, past: bool = False) -> float:
    """The rectification rate a trainee gets by also counting ``extra`` statuses as rectified."""
    head = _headline(ctx, past)
    statuses = _statuses(ctx, past)
    return (head["rectified"][0] + sum(statuses.get(s.value, 0) for s in extra)) / head["problems"][0]


# ---- 01 认识台账 -------------------------------------------------------------------------------

exercise(
    "1.1",
    "截至课程日（{day}），台账里共记录了多少个巡察发现的问题？",
    "As of the course day ({day}), how many problems found by inspections does the ledger hold?",
    answer=lambda ctx: _headline(ctx)["problems"][0],
    kind="count",
    hint_zh="问题记在 problems 表里，metrics.headline(ledger, as_of=day) 的 problems 列就是它的个数。",
    hint_en="Problems live in the problems table; the problems column of metrics.headline(ledger, as_of=day) counts them.",
    wrong=(
        wrong(
            "rectified_only",
            lambda ctx: _headline(ctx)["rectified"][0],
            "你数的是已整改的问题。题目问的是发现的全部问题，不管是否整改。",
            "You counted the rectified problems; the question asks for all problems found.",
        ),
        wrong(
            "events",
            lambda ctx: ctx.ledger.counts()["events"],
            "你数的是事件（每次新增、状态变化、延期都是一条事件），不是问题。",
            "You counted events (every addition, status change, extension is one), not problems.",
        ),
    ),
)

exercise(
    "1.2",
    "截至课程日，至少被巡察过一次的单位有多少个？",
    "As of the course day, how many units have been inspected at least once?",
    answer=lambda ctx: _headline(ctx)["units"][0],
    kind="count",
    hint_zh="一个单位可能被巡察多次；数不重复的单位（headline 的 units 列）。",
    hint_en="A unit may be inspected several times; count distinct units (the units column of headline).",
    wrong=(
        wrong(
            "inspections",
            lambda ctx: ctx.ledger.counts()["inspections"],
            "你数的是巡察记录（单位 × 轮次），同一单位被巡察两次就算了两次。",
            "You counted inspections (unit x round): a unit inspected twice counts twice.",
        ),
        wrong(
            "all_units",
            lambda ctx: ctx.ledger.counts()["units"],
            "你数的是台账中的全部单位，其中有些还没有被巡察过。",
            "You counted every unit in the ledger, some of which were never inspected.",
        ),
    ),
)

exercise(
    "1.3",
    "截至回放日（{past}），台账里记录了多少个问题？（用 as_of 回放当时的台账）",
    "As of the replay day ({past}), how many problems had been recorded? (replay with as_of)",
    answer=lambda ctx: _headline(ctx, past=True)["problems"][0],
    kind="count",
    hint_zh="把 as_of 设为回放日：metrics.headline(ledger, as_of=past)。",
    hint_en="Set as_of to the replay day: metrics.headline(ledger, as_of=past).",
    wrong=(
        wrong(
            "forgot_as_of",
            lambda ctx: _headline(ctx)["problems"][0],
            "这是现在的数字：你忘了 as_of=past，台账没有回放到当天。",
            "That is today's figure: you forgot as_of=past, so the ledger was not replayed.",
        ),
    ),
)

# ---- 02 整改率与三色预警 -----------------------------------------------------------------------

exercise(
    "2.1",
    "截至课程日，全市的整改率是多少？（分数或百分数都可以）",
    "As of the course day, what is the rectification rate of the whole city? (fraction or percent)",
    answer=lambda ctx: _headline(ctx)["rate"][0],
    kind="rate",
    hint_zh="整改率 = 已整改（含已销号）/ 发现问题数；metrics.rectification_rate(ledger, as_of=day)。",
    hint_en="Rate = rectified (incl. closed) / problems found; metrics.rectification_rate(ledger, as_of=day).",
    wrong=(
        wrong(
            "in_progress_counted",
            lambda ctx: _rate_counting(ctx, ProblemStatus.IN_PROGRESS),
            "你把“基本完成 / 整改中”也算成了已整改。只有已整改和已销号才算完成。",
            "You counted 基本完成 (in progress) as rectified; only rectified and closed count.",
        ),
        wrong(
            "ongoing_counted",
            lambda ctx: _rate_counting(ctx, ProblemStatus.ONGOING),
            "你把“长期坚持”也算成了已整改。长期坚持的问题没有完成时限，不计入已整改。",
            "You counted 长期坚持 (ongoing) as rectified; ongoing problems are not rectified.",
        ),
    ),
)

exercise(
    "2.2",
    "截至回放日（{past}），全市的整改率是多少？",
    "As of the replay day ({past}), what was the city's rectification rate?",
    answer=lambda ctx: _headline(ctx, past=True)["rate"][0],
    kind="rate",
    hint_zh="同 2.1，但要把台账回放到回放日（as_of=past）。",
    hint_en="As in 2.1, but replay the ledger to the replay day (as_of=past).",
    wrong=(
        wrong(
            "forgot_as_of",
            lambda ctx: _headline(ctx)["rate"][0],
            "这是课程日的整改率：你忘了 as_of=past。",
            "That is the course day's rate: you forgot as_of=past.",
        ),
        wrong(
            "in_progress_counted",
            lambda ctx: _rate_counting(ctx, ProblemStatus.IN_PROGRESS, past=True),
            "你把“基本完成 / 整改中”也算成了已整改。",
            "You counted 基本完成 (in progress) as rectified.",
        ),
    ),
)


def _by_region(ctx):
    return ctx.remember(
        "rect by region", lambda: metrics.rectification_rate(ctx.ledger, as_of=ctx.day, by="region")
    )


exercise(
    "2.3",
    "截至课程日，整改率最低的是哪个区县？",
    "As of the course day, which region has the lowest rectification rate?",
    answer=lambda ctx: _by_region(ctx).sort_values(["rate", "region"])["region"].iloc[0],
    kind="text",
    hint_zh="按地区分组：metrics.rectification_rate(ledger, as_of=day, by='region')，再按 rate 排序。",
    hint_en="Group by region: metrics.rectification_rate(ledger, as_of=day, by='region'), then sort by rate.",
    wrong=(
        wrong(
            "highest",
            lambda ctx: _by_region(ctx).sort_values(["rate", "region"])["region"].iloc[-1],
            "这是整改率最高的区县：排序方向反了（sort_values 默认从小到大）。",
            "That is the highest rate: the sort went the wrong way (sort_values is ascending).",
        ),
    ),
)


def _warnings(ctx, rules: str):
    return ctx.remember(
        f"overdue {rules}", lambda: metrics.overdue_summary(ctx.ledger, as_of=ctx.day, rules=rules)
    )


exercise(
    "2.4",
    "按南京规则（逾期 10 天亮红灯并移交纪委），截至课程日有多少个红色预警？",
    "Under the Nanjing rules (red 10 days overdue, escalated), how many red warnings on the course day?",
    answer=lambda ctx: _warnings(ctx, "nanjing")["red"][0],
    kind="count",
    hint_zh="metrics.overdue_summary(ledger, as_of=day, rules='nanjing') 的 red 列。",
    hint_en="The red column of metrics.overdue_summary(ledger, as_of=day, rules='nanjing').",
    wrong=(
        wrong(
            "jiangjin",
            lambda ctx: _warnings(ctx, "jiangjin")["red"][0],
            "这是江津规则（逾期即红）的数字。南京规则逾期 10 天才亮红灯：rules='nanjing'。",
            "That is the Jiangjin count (red once overdue); Nanjing turns red 10 days overdue: rules='nanjing'.",
        ),
        wrong(
            "all_open",
            lambda ctx: _warnings(ctx, "nanjing")["open"][0],
            "你数的是全部未完成整改的问题，不只是红色预警。",
            "You counted every open problem, not only the red warnings.",
        ),
    ),
)

exercise(
    "2.5",
    "截至课程日，全市的按期整改率是多少？",
    "As of the course day, what is the city's on-time rectification rate?",
    answer=lambda ctx: metrics.on_time_rate(ctx.ledger, as_of=ctx.day)["rate"][0],
    kind="rate",
    hint_zh="按期整改率 = 在时限内整改的 / 时限已到的问题；metrics.on_time_rate(ledger, as_of=day)。",
    hint_en="On-time rate = rectified by the due date / problems whose due date passed; metrics.on_time_rate.",
    wrong=(
        wrong(
            "rectification_rate",
            lambda ctx: _headline(ctx)["rate"][0],
            "这是整改率。按期整改率的分母是时限已到的问题，分子是按期完成的。",
            "That is the rectification rate; the on-time rate divides on-time fixes by problems due.",
        ),
    ),
)

# ---- 03 线索与成案 -----------------------------------------------------------------------------


def _outcomes(ctx):
    return ctx.remember("outcomes", lambda: metrics.outcomes(ctx.ledger, as_of=ctx.day))


def _disposals(ctx):
    return ctx.remember("disposals", lambda: disposal_counts(ctx.ledger, as_of=ctx.day))


def _disposal(ctx, label: str) -> int:
    df = _disposals(ctx)
    return int(df.loc[label, "clues"]) if label in df.index else 0


exercise(
    "3.1",
    "截至课程日，以“谈话函询”方式处置的问题线索有多少条？",
    "As of the course day, how many clues were disposed of by talk or letter (谈话函询)?",
    answer=lambda ctx: _disposal(ctx, Disposal.TALK.label_zh),
    kind="count",
    hint_zh="ws.disposal_counts(ledger, as_of=day) 按处置方式列出线索数，用 .loc['谈话函询', 'clues'] 取值。",
    hint_en="ws.disposal_counts(ledger, as_of=day) lists clues by disposal; take .loc['谈话函询', 'clues'].",
    wrong=(
        wrong(
            "verify",
            lambda ctx: _disposal(ctx, Disposal.VERIFY.label_zh),
            "这是“初步核实”的数。四种处置方式：谈话函询、初步核实、暂存待查、予以了结。",
            "That is 初步核实 (preliminary verification), another of the four disposals.",
        ),
        wrong(
            "all_disposed",
            lambda ctx: int(_disposals(ctx)["clues"].sum() - _disposal(ctx, "待处置")),
            "你数的是全部已处置的线索，题目只问谈话函询。",
            "You counted every disposed clue; the question asks only for 谈话函询.",
        ),
    ),
)


def _any_disposal(ctx) -> int:
    """Clues with any disposal recorded, 初步核实 and 暂存待查 included (not the final ones only)."""
    return int(_disposals(ctx)["clues"].sum() - _disposal(ctx, "待处置"))


exercise(
    "3.2",
    "截至课程日，问题线索的成案率是多少？",
    "As of the course day, what is the case conversion rate of the clues?",
    answer=lambda ctx: metrics.case_conversion(ctx.ledger, as_of=ctx.day)["rate"][0],
    kind="rate",
    hint_zh="成案率 = 立案的线索 / 处置完毕的线索；处置完毕只算谈话函询、予以了结、立案审查调查，"
    "初步核实、暂存待查还在办理中，不进分母。metrics.case_conversion(ledger, as_of=day)。",
    hint_en="Case conversion = clues that led to a case / clues whose disposal is final (谈话函询, 予以了结, "
    "立案审查调查; 初步核实 and 暂存待查 are still pending): metrics.case_conversion(ledger, as_of=day).",
    wrong=(
        wrong(
            "all_clues",
            lambda ctx: _outcomes(ctx)["cases"][0] / _outcomes(ctx)["clues"][0],
            "你用全部线索做分母。尚未处置完毕的线索不计入分母，否则刚结束的轮次会被冤枉。",
            "You divided by all clues; clues whose disposal is not final are left out of the denominator.",
        ),
        wrong(
            "pending_counted",
            lambda ctx: _outcomes(ctx)["cases"][0] / _any_disposal(ctx),
            "你把“初步核实”“暂存待查”的线索也算进了分母。它们还在办理中，可能立案，也可能不立案："
            "分母只算处置完毕的（谈话函询、予以了结、立案审查调查）。",
            "You counted clues under 初步核实 or 暂存待查 in the denominator; they are still pending: "
            "only final disposals (谈话函询, 予以了结, 立案审查调查) count.",
        ),
        wrong(
            "verify_counted",
            lambda ctx: (
                (_outcomes(ctx)["cases"][0] + _disposal(ctx, Disposal.VERIFY.label_zh)) / _any_disposal(ctx)
            ),
            "你把“初步核实”也算成了立案。只有“立案审查调查”才算成案。",
            "You counted 初步核实 (verification) as a case; only 立案审查调查 counts.",
        ),
    ),
)

exercise(
    "3.3",
    "截至课程日，共挽回经济损失多少万元？（以万元为单位作答）",
    "As of the course day, how much was recovered, in 万元 (10,000 yuan)?",
    answer=lambda ctx: _outcomes(ctx)["recovered_yuan"][0] / 10_000,
    kind="number",
    tolerance=0.5,
    hint_zh="metrics.outcomes 的 recovered_yuan 以“元”为单位；换成万元要除以 10000。",
    hint_en="recovered_yuan in metrics.outcomes is in yuan; divide by 10,000 for 万元.",
    wrong=(
        wrong(
            "yuan",
            lambda ctx: _outcomes(ctx)["recovered_yuan"][0],
            "这是以“元”为单位的数。台账一律以元存储，题目要万元：除以 10000。",
            "That is in yuan; the ledger stores yuan, the question asks for 万元: divide by 10,000.",
        ),
        wrong(
            "yi",
            lambda ctx: _outcomes(ctx)["recovered_yuan"][0] / 100_000_000,
            "这是以“亿元”为单位的数。1 亿元 = 10000 万元。",
            "That is in 亿元 (100 million); 1 亿元 = 10,000 万元.",
        ),
    ),
)

exercise(
    "3.4",
    "截至课程日，因巡察移交线索受到党纪政务处分的有多少人次？",
    "As of the course day, how many persons were sanctioned (党纪政务处分) on transferred clues?",
    answer=lambda ctx: _outcomes(ctx)["sanctioned"][0],
    kind="count",
    hint_zh="metrics.outcomes(ledger, as_of=day) 的 sanctioned 列（人次，不是立案件数）。",
    hint_en="The sanctioned column of metrics.outcomes(ledger, as_of=day) (persons, not cases).",
    wrong=(
        wrong(
            "cases",
            lambda ctx: _outcomes(ctx)["cases"][0],
            "这是立案的件数。一件案子可能处分多人，也可能没有处分。",
            "That is the number of cases; one case may sanction several persons, or none.",
        ),
        wrong(
            "with_prosecuted",
            lambda ctx: _outcomes(ctx)["sanctioned"][0] + _outcomes(ctx)["prosecuted"][0],
            "你把移送司法的人数也加进来了；题目只问党纪政务处分。",
            "You added the persons referred to prosecution; only sanctions are asked.",
        ),
    ),
)
