"""Merging several files of one round (the 单机版 pattern): duplicates counted, conflicts listed.

Teams keep their own copy of a round's ledger and send it in; the office imports them together
(``toolkit import team1.xlsx team2.xlsx ...``, one transaction, one report). Two things can go
wrong, and neither is resolved silently:

- the same problem (same content-derived id) comes from two places with different values, e.g.
  one team says 已整改 and the other 整改中. The first one read is kept (file order on the command
  line), the second counts as a duplicate, and a ``status_differs`` / ``fields_differ`` conflict
  names both places. A problem already in the ledger with another status gives
  ``ledger_differs``: the ledger is not changed, unless the analyst asks for ``update_status``
  (``--update-status``) and the file's status is further along (未整改 < 整改中/长期坚持 < 已整改
  < 已销号); then the change is recorded as status events (``status_updates``) and the row still
  counts as a duplicate. A status going backwards is never applied, only listed.
- two different problems of one unit in one round carry the same 序号 (two rows numbered 5, or
  two versions of one unit's list): ``same_seq``, listing every place.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from itertools import compress, repeat
from operator import attrgetter, is_not, itemgetter
from typing import Any

from toolkit.ingest.report import Conflict, ImportReport
from toolkit.models import ProblemStatus

# Fields a second copy may differ in without a conflict: each team writes its own name, and the
# rectification dates follow from the status (a status conflict already covers them).
IGNORED_FIELDS = frozenset({"team", "rectified_on", "closed_on"})


def where(pending) -> str:
    return f"{pending.file.path}[{pending.table.sheet}]#{pending.row.excel_row}"


def differences(a, b) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(a)
        if f.name not in IGNORED_FIELDS and getattr(a, f.name) != getattr(b, f.name)
    ]


STATUS_RANK = {
    ProblemStatus.OPEN: 0,
    ProblemStatus.IN_PROGRESS: 1,
    ProblemStatus.ONGOING: 1,
    ProblemStatus.RECTIFIED: 2,
    ProblemStatus.CLOSED: 3,
}


def is_progress(old: ProblemStatus, new: ProblemStatus) -> bool:
    """True when ``new`` is further along than ``old`` (never backwards, never sideways)."""
    return STATUS_RANK[new] > STATUS_RANK[old]


def mark_duplicates(
    report: ImportReport,
    records: list[tuple],
    known: set[str],
    known_status: dict[str, str],
    update_status: bool = False,
) -> list[tuple]:
    """Count each row accepted or duplicate; a duplicate's record is replaced by None in place.

    Returns (pending row, record, context, ledger status) for the ledger problems whose status the import should
    move forward (only with ``update_status``).
    """
    ids = list(map(attrgetter("id"), map(itemgetter(1), records)))
    if len(set(ids)) == len(ids) and known.isdisjoint(ids):  # the usual first import: all new
        files = list(map(attrgetter("file"), map(itemgetter(0), records)))
        by_id = dict(zip(map(id, files), files, strict=True))
        for file_id, count in Counter(map(id, files)).items():
            by_id[file_id].accepted += count
        report.accepted_ids += ids
        return []
    updates: list[tuple] = []
    seen: dict[str, tuple[Any, Any]] = {}  # id -> (first pending row, its record)
    for i, (p, record, ctx) in enumerate(records):
        if record.id in seen:
            first_p, first = seen[record.id]
            diff = differences(first, record)
            if diff:
                first_where, here = where(first_p), where(p)
                report.conflicts.append(
                    Conflict(
                        record.id,
                        "status_differs" if "status" in diff else "fields_differ",
                        f"{first_where} / {here}",
                        f"同一问题两处填报不一致（{'、'.join(diff)}），保留先读到的 {first_where}",
                        f"same record differs in {', '.join(diff)}; kept the first read ({first_where})",
                    )
                )
            p.file.duplicates += 1
            records[i] = (p, None, ctx)
        elif record.id in known:
            status = getattr(record, "status", None)
            old = known_status.get(record.id)
            if status is not None and old is not None and old != status.value:
                if update_status and is_progress(ProblemStatus(old), status):
                    updates.append((p, record, ctx, ProblemStatus(old)))
                    report.status_updates.append(f"{record.id}: {old} -> {status.value}")
                    p.file.duplicates += 1
                    records[i] = (p, None, ctx)
                    continue
                report.conflicts.append(
                    Conflict(
                        record.id,
                        "ledger_differs",
                        where(p),
                        f"账本中状态为 {ProblemStatus(old).label_zh}，本次文件为 {status.label_zh}（未更改账本）",
                        f"ledger has status {old}, file says {status.value} (ledger not changed)",
                    )
                )
            p.file.duplicates += 1
            records[i] = (p, None, ctx)
        else:
            seen[record.id] = (p, record)
            p.file.accepted += 1
            report.accepted_ids.append(record.id)
    return updates


def seq_conflicts(report: ImportReport, records: list[tuple]) -> None:
    """Different problems of one unit in one round under the same 序号.

    Most 序号 are met once per unit and round: the rows are counted by (round, unit, 序号) first,
    and only the rows of a key met more than once are grouped by problem id."""
    kept = list(compress(records, map(is_not, map(itemgetter(1), records), repeat(None))))
    pendings = list(map(itemgetter(0), kept))
    values = map(attrgetter("values"), pendings)
    seqs = list(map(str.strip, map(str, map(dict.get, values, repeat("seq"), repeat("")))))
    numbered = list(compress(kept, seqs))  # a duplicate row (no record) names no problem of its own
    contexts = list(map(itemgetter(2), numbered))
    keys = list(
        zip(
            map(attrgetter("round.id"), contexts),
            map(attrgetter("unit.id"), contexts),
            filter(None, seqs),
            strict=True,
        )
    )
    repeated = {key for key, times in Counter(keys).items() if times > 1}
    if not repeated:
        return
    groups: dict[tuple[str, str, str], dict[str, list]] = {}  # rows by 序号, then by problem id
    for key, (p, record, _) in zip(keys, numbered, strict=True):
        if key in repeated:
            groups.setdefault(key, {}).setdefault(record.id, []).append(p)
    for (_, _, seq), real in groups.items():
        if len(real) > 1:
            places = [where(p) for rows in real.values() for p in rows]
            report.conflicts.append(
                Conflict(
                    ",".join(sorted(real)),
                    "same_seq",
                    " / ".join(places),
                    f"同一单位同一轮次的序号 {seq} 对应不同问题",
                    f"序号 {seq} names different problems of one unit",
                )
            )
