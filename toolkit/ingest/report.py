"""The import report: errors are values, and every data row read is accounted for exactly once.

``ImportReport`` is what ``import_files`` returns and what the CLI prints (as a table or JSON).
Per file and in total, ``accepted + rejected + duplicates == data_rows``; ``check_counts`` asserts
it so a bookkeeping slip in the pipeline fails loudly instead of losing a row. Lines that are not
data (totals, notes, headings …) are not data rows: each is listed with its reason, in the summary
and the JSON. ``findings`` are what the import decided that a person should check (a new unit
resembling an existing one, a date taken from the 填报时间, the dates of a round it created).

Everything printed comes from the files, so it is printed safely: control characters (a terminal
escape sequence in a sheet name) are shown as ``<U+001B>``, never sent to the terminal.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from typing import Any

import pandas as pd

from toolkit.ingest.layout import column_letter
from toolkit.models import FORBIDDEN_TEXT

# The last sheet of a rejects workbook (``quarantine``): one fault per line. Named here, not
# there, so an import can skip it without loading the workbook writer (openpyxl).
DETAIL_SHEET = "错误明细"

FIELD_LABELS = {
    "seq": "序号",
    "unit": "被巡察单位",
    "unit_id": "单位编号",
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


@dataclasses.dataclass(frozen=True)
class Finding:
    """Something the import decided that a person should check; it changes no count."""

    kind: str  # 'similar_unit', 'created_round', 'date_from_filing', 'filing_date_ignored'
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
    findings: list[Finding] = dataclasses.field(default_factory=list)
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

    def skipped_lines(self) -> list[dict[str, Any]]:
        """Every line below a header that is not data, with its reason, over all files."""
        return [
            {"file": f.path, "sheet": sheet, "row": row, "reason": reason}
            for f in self.files
            for sheet, row, reason in f.skipped_lines
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "data_rows": self.data_rows,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "rejected_by_reason": self.reasons(),
            "files": [f.to_dict() for f in self.files],
            "skipped_lines": self.skipped_lines(),
            "errors": [dataclasses.asdict(e) for e in self.errors],
            "conflicts": [dataclasses.asdict(c) for c in self.conflicts],
            "findings": [dataclasses.asdict(f) for f in self.findings],
            "created": {
                "units": self.created_units,
                "rounds": self.created_rounds,
                "inspections": self.created_inspections,
            },
            "status_updates": self.status_updates,
            "written": self.written,
            "dry_run": self.dry_run,
        }

    def to_json(self, **extra: Any) -> str:
        """``to_dict`` as JSON, with control characters escaped (``\\u001b``), never raw."""
        text = json.dumps({**self.to_dict(), **extra}, ensure_ascii=False, default=str, indent=2)
        return FORBIDDEN_TEXT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)

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
            for (sheet, reason), rows in _group_skipped(f.skipped_lines).items():
                lines.append(f"  跳过（非数据行）skipped [{sheet}] 第 {row_ranges(rows)} 行 rows: {reason}")
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
            verb = "将新建 would create" if self.dry_run else "新建 created"
            lines.append(
                f"{verb}: 巡察轮次 rounds {len(self.created_rounds)}, 单位 units {len(self.created_units)}, "
                f"巡察记录 inspections {self.created_inspections}"
            )
            lines += [f"  巡察轮次 round: {name}" for name in self.created_rounds]
            lines += [f"  单位 unit: {name}" for name in self.created_units]
        if self.findings:
            lines.append(f"请核对 please check: {len(self.findings)}")
            for x in self.findings:
                lines.append(f"  [{x.kind}] {x.where}: {x.detail_zh} / {x.detail_en}")
        if self.status_updates:
            lines.append(f"状态更新 status updated: {len(self.status_updates)}")
            lines += [f"  {u}" for u in self.status_updates[:50]]
        if self.dry_run:
            lines.append("试运行，未写入账本 / dry run: nothing written")
        return "\n".join(terminal_safe(line) for line in lines)


def terminal_safe(line: str) -> str:
    """One printed line: control characters shown as ``<U+001B>``, tabs and breaks as spaces."""
    line = FORBIDDEN_TEXT.sub(lambda m: f"<U+{ord(m.group()):04X}>", line)
    return line.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def _group_skipped(skipped: list[tuple[str, int, str]]) -> dict[tuple[str, str], list[int]]:
    groups: dict[tuple[str, str], list[int]] = {}
    for sheet, row, reason in skipped:
        groups.setdefault((sheet, reason), []).append(row)
    return groups


ROW_RANGES_SHOWN = 30  # a finding on 80,000 rows is one line a person can still read


def row_ranges(rows: list[int], most: int = ROW_RANGES_SHOWN) -> str:
    """[8, 9, 10, 14] -> '8-10, 14'. Beyond ``most`` ranges the rest is counted, not listed
    ('8-10, 14 …（共 5,000）', read in its sentence as 第 … 行): the report and the import page
    show it whole."""
    rows = sorted(set(rows))  # a row named twice is one row to fix
    parts = _ranges(rows)
    if len(parts) <= most:
        return ", ".join(parts)
    return f"{', '.join(parts[:most])} …（共 {len(rows):,}）"


def _ranges(rows: list[int]) -> list[str]:
    parts, start = [], None
    for i, row in enumerate(sorted(rows)):
        if start is None:
            start = prev = row
        elif row == prev + 1:
            prev = row
        else:
            parts.append(f"{start}-{prev}" if prev > start else str(start))
            start = prev = row
        if i == len(rows) - 1:
            parts.append(f"{start}-{prev}" if prev > start else str(start))
    return parts


def error_for(file: str, sheet: str, row: int, columns, field: str, zh: str, en: str) -> RowError:
    """A ``RowError`` blaming the column that holds ``field`` (or naming it when it is missing)."""
    for col in columns:
        if col.field == field:
            return RowError(file, sheet, row, column_letter(col.index), col.header, field, zh, en)
    return RowError(file, sheet, row, "", FIELD_LABELS.get(field, field), field, zh, en)
