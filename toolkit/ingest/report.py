"""The import report: errors are values, and every data row read is accounted for exactly once.

``ImportReport`` is what ``import_files`` returns and what the CLI prints (as a table or JSON).
Per file and in total, ``accepted + rejected + duplicates == data_rows``; ``check_counts`` asserts
it so a bookkeeping slip in the pipeline fails loudly instead of losing a row.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import pandas as pd

from toolkit.ingest.layout import column_letter

FIELD_LABELS = {
    "seq": "序号",
    "unit": "被巡察单位",
    "round": "巡察轮次",
    "region": "区县",
    "team": "巡察组",
    "category": "问题类别",
    "description": "问题描述",
    "due": "整改时限",
    "status": "整改状态",
    "closed_on": "销号时间",
    "rectified_on": "整改完成时间",
    "found_on": "发现时间",
    "amount": "涉及金额",
    "responsible": "责任部门",
    "title": "线索名称",
    "subject": "被反映人",
    "transferred_on": "移交时间",
    "disposal": "处置方式",
    "disposed_on": "办结时间",
    "case_opened_on": "立案时间",
    "sanctioned": "党纪政务处分（人）",
    "prosecuted": "移送司法（人）",
    "recovered": "挽回经济损失",
    "clue_no": "线索编号",
    "source": "线索来源",
}


@dataclasses.dataclass(frozen=True)
class RowError:
    """One fault of one rejected row: where it is (file, sheet, Excel row, column) and why."""

    file: str
    sheet: str
    row: int
    column: str  # Excel letter, '' when the column is missing from the sheet
    header: str  # the header as written, or the expected name when the column is missing
    field: str
    reason_zh: str
    reason_en: str


@dataclasses.dataclass
class RejectedRow:
    """A rejected data row with what the rejects workbook needs to give it back for fixing."""

    file: str
    sheet: str
    row: int
    headers: list[str]
    cells: list[Any]
    errors: list[RowError]
    context: dict[str, str]  # round / unit supplied from outside the row (title, --round ...)


@dataclasses.dataclass(frozen=True)
class Conflict:
    """Two sources disagree about one record; listed for a person to settle, never auto-resolved."""

    record_id: str
    kind: str  # 'same_seq', 'status_differs', 'ledger_differs'
    where: str
    detail_zh: str
    detail_en: str


@dataclasses.dataclass
class FileReport:
    path: str
    data_rows: int = 0
    accepted: int = 0
    rejected: int = 0
    duplicates: int = 0
    sheets: list[str] = dataclasses.field(default_factory=list)
    skipped_sheets: list[str] = dataclasses.field(default_factory=list)
    skipped_lines: list[tuple[str, int, str]] = dataclasses.field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclasses.dataclass
class ImportReport:
    """The outcome of one import (one or several files, one transaction)."""

    files: list[FileReport] = dataclasses.field(default_factory=list)
    rejected_rows: list[RejectedRow] = dataclasses.field(default_factory=list)
    conflicts: list[Conflict] = dataclasses.field(default_factory=list)
    accepted_ids: list[str] = dataclasses.field(default_factory=list)
    created_units: list[str] = dataclasses.field(default_factory=list)
    created_rounds: list[str] = dataclasses.field(default_factory=list)
    created_inspections: int = 0
    status_updates: list[str] = dataclasses.field(default_factory=list)  # "id: old -> new"
    written: bool = False
    dry_run: bool = False

    @property
    def data_rows(self) -> int:
        return sum(f.data_rows for f in self.files)

    @property
    def accepted(self) -> int:
        return sum(f.accepted for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def duplicates(self) -> int:
        return sum(f.duplicates for f in self.files)

    @property
    def errors(self) -> list[RowError]:
        return [e for r in self.rejected_rows for e in r.errors]

    def check_counts(self) -> None:
        for f in self.files:
            total = f.accepted + f.rejected + f.duplicates
            assert total == f.data_rows, f"{f.path}: {total} outcomes for {f.data_rows} rows"

    def rejected_frame(self) -> pd.DataFrame:
        """One line per fault: file, sheet, row, column, header, field, reason (zh, en)."""
        columns = [f.name for f in dataclasses.fields(RowError)]
        return pd.DataFrame([dataclasses.astuple(e) for e in self.errors], columns=columns)

    def reasons(self) -> dict[str, int]:
        """Rejected rows by the column at fault (a row's first fault), for the summary."""
        counts = Counter(
            f"{FIELD_LABELS.get(r.errors[0].field, r.errors[0].field)} {r.errors[0].field}"
            for r in self.rejected_rows
        )
        return dict(counts.most_common())

    def to_dict(self) -> dict[str, Any]:
        return {
            "data_rows": self.data_rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "rejected_by_reason": self.reasons(),
            "files": [f.to_dict() for f in self.files],
            "errors": [dataclasses.asdict(e) for e in self.errors],
            "conflicts": [dataclasses.asdict(c) for c in self.conflicts],
            "created": {
                "units": self.created_units,
                "rounds": self.created_rounds,
                "inspections": self.created_inspections,
            },
            "status_updates": self.status_updates,
            "written": self.written,
            "dry_run": self.dry_run,
        }

    def summary(self) -> str:
        """The printed summary, Chinese first, English after."""
        lines = []
        for f in self.files:
            lines.append(
                f"{f.path}: 数据行 rows {f.data_rows}, 接收 accepted {f.accepted}, "
                f"拒收 rejected {f.rejected}, 重复 duplicates {f.duplicates}"
            )
            for sheet in f.skipped_sheets:
                lines.append(
                    f"  工作表「{sheet}」未找到台账表头，已跳过 / sheet {sheet!r}: no ledger header, skipped"
                )
        lines.append(
            f"合计 total: 数据行 rows {self.data_rows}, 接收 accepted {self.accepted}, "
            f"拒收 rejected {self.rejected}, 重复 duplicates {self.duplicates}"
        )
        for reason, n in self.reasons().items():
            lines.append(f"  拒收原因 rejected by column — {reason}: {n}")
        for e in self.errors[:50]:
            where = f"{e.column}{e.row}" if e.column else f"row {e.row}"
            lines.append(f"  {e.file} [{e.sheet}] {where} {e.header}: {e.reason_zh} / {e.reason_en}")
        if len(self.errors) > 50:
            lines.append(f"  …… 另有 {len(self.errors) - 50} 条 / {len(self.errors) - 50} more")
        for c in self.conflicts:
            lines.append(f"  冲突 conflict {c.kind} {c.where}: {c.detail_zh} / {c.detail_en}")
        if self.created_rounds or self.created_units:
            lines.append(
                f"新建 created: 巡察轮次 rounds {len(self.created_rounds)} {self.created_rounds}, "
                f"单位 units {len(self.created_units)} {self.created_units}, "
                f"巡察记录 inspections {self.created_inspections}"
            )
        if self.status_updates:
            lines.append(f"状态更新 status updated: {len(self.status_updates)}")
            lines += [f"  {u}" for u in self.status_updates[:50]]
        if self.dry_run:
            lines.append("试运行，未写入账本 / dry run: nothing written")
        return "\n".join(lines)


def error_for(file: str, sheet: str, row: int, columns, field: str, zh: str, en: str) -> RowError:
    """A ``RowError`` blaming the column that holds ``field`` (or naming it when it is missing)."""
    for col in columns:
        if col.field == field:
            return RowError(file, sheet, row, column_letter(col.index), col.header, field, zh, en)
    return RowError(file, sheet, row, "", FIELD_LABELS.get(field, field), field, zh, en)
