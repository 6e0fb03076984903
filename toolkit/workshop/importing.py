"""Notebook 06 (导入与数据质量): a scratch ledger per trainee, a messy workbook, its rejects.

Why a scratch copy: twenty trainees importing into the one sample ledger would each see the
others' rows (and the apps would show them to the trainer's projector). ``scratch_ledger``
copies the ledger the course reads into the trainee's own folder (``XUNCHA_SCRATCH``, default
``~/xuncha_workshop``) and every write of the course goes there; it refuses to hand out the
shared ledger itself. Each run of the notebook starts from a fresh copy, so re-running it gives
the same result.

The exercises compute their answers with a dry run of the same import against the shared ledger
(a dry run writes nothing), so they hold whatever the trainee did to the scratch copy.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd

from toolkit.ingest import ImportReport, examples, import_files
from toolkit.ingest.quarantine import DETAIL_SHEET, ERROR_HEADERS
from toolkit.ingest.quarantine import write_rejects as _write_rejects
from toolkit.ingest.readers import read_sheets
from toolkit.store import is_url, open_store
from toolkit.workshop.context import context, language
from toolkit.workshop.registry import exercise, wrong

SCRATCH_ENV = "XUNCHA_SCRATCH"
MESSY_FILE = "青溪县_整改台账.xlsx"
MESSY_ROUND = examples.ROUND  # named in the file's title: a round of the sample ledger
MESSY_UNIT = examples.LEDGER_UNIT  # the ledger's name for the file's 填报单位 (县住房和城乡建设局党组)
REPO_MESSY = Path(__file__).resolve().parents[2] / "sample_data" / "messy"


def scratch_dir() -> Path:
    """The trainee's own folder: ``$XUNCHA_SCRATCH`` or ``~/xuncha_workshop``."""
    return Path(os.environ.get(SCRATCH_ENV) or Path.home() / "xuncha_workshop")


def scratch_ledger(source: str | os.PathLike | None = None) -> str:
    """A fresh copy of the course's ledger in the scratch folder; returns its path.

    Copies the latest published generation (what readers see), never writes to ``source``.
    A PostgreSQL ledger cannot be copied this way: export a DuckDB copy for the course.
    """
    source = str(source) if source is not None else context().location
    if is_url(source):
        raise ValueError("练习账本只能从 DuckDB 文件复制 / scratch copies need a DuckDB ledger file")
    store = open_store(source)
    origin = store.current_generation() or Path(source)
    target = scratch_dir() / "ledger.duckdb"
    if target.resolve() == Path(source).resolve():
        raise ValueError("练习账本不能是共享台账本身 / the scratch ledger must not be the shared ledger")
    target.parent.mkdir(parents=True, exist_ok=True)
    open_store(target).remove()  # the last scratch ledger, its head and its published copies
    shutil.copyfile(origin, target)
    print(("练习账本：" if language() == "zh" else "Scratch ledger: ") + str(target))
    return str(target)


def messy_file(name: str = MESSY_FILE) -> str:
    """A messy example workbook: the repository's ``sample_data/messy``, or written afresh into
    the scratch folder when the package was installed without it."""
    path = REPO_MESSY / name
    if not path.exists():
        from toolkit.ingest.examples import write_all

        folder = scratch_dir() / "messy"
        write_all(folder)
        path = folder / name
    return str(path)


def preview(path: str | os.PathLike, rows: int = 20) -> pd.DataFrame:
    """The first sheet as Excel shows it, rows numbered as in Excel (title lines included)."""
    sheet = read_sheets(path)[0]
    df = pd.DataFrame(sheet.rows[:rows], dtype=object)
    df.index = range(1, len(df) + 1)
    return df.fillna("")


def import_into(
    ledger: str,
    path: str | os.PathLike,
    *,
    round: str | None = None,
    unit: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import ``path`` into the scratch ``ledger`` and print the summary; returns the report.

    ``round`` / ``unit`` as ``toolkit import --round/--unit``; ``dry_run=True`` only checks."""
    if Path(ledger).resolve() == Path(context().location).resolve():
        raise ValueError(
            "请导入到练习账本，不要写共享台账 / import into your scratch ledger, not the shared one"
        )
    report = import_files([path], ledger, round=round, unit=unit, by="培训学员", dry_run=dry_run)
    print(report.summary())
    return report


def write_rejects(report: ImportReport) -> str | None:
    """The rejects workbook of ``report`` in the scratch folder (None when nothing was rejected)."""
    written = _write_rejects(report, scratch_dir() / "拒收行.xlsx")
    if written is None:
        print("没有拒收行 / nothing rejected")
        return None
    print(("拒收行工作簿：" if language() == "zh" else "Rejects workbook: ") + str(written))
    return str(written)


def read_rejects(path: str | os.PathLike) -> pd.DataFrame:
    """The first sheet of a rejects workbook, indexed by Excel row (what ``fix`` takes)."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    values = list(ws.values)
    df = pd.DataFrame(values[1:], columns=values[0])
    df.index = range(2, len(df) + 2)
    return df.fillna("")


def fix(path: str | os.PathLike, *, row: int, header: str, value) -> None:
    """Correct one cell of a rejects workbook, as the analyst would in Excel, and save it.

    ``row`` is the Excel row (the index ``read_rejects`` shows), ``header`` the column's header.
    ``value=...`` (as shipped) changes nothing and says so.
    """
    zh = language() == "zh"
    if value is Ellipsis or value is None:
        print(
            f"第 {row} 行「{header}」：还没有填写修改后的值。" if zh else f"row {row} {header}: no value yet."
        )
        return
    wb = openpyxl.load_workbook(path)
    ws = next(s for s in wb.worksheets if s.title != DETAIL_SHEET)
    headers = [c.value for c in ws[1]]
    if header not in headers or header in ERROR_HEADERS:
        raise ValueError(f"header: {header!r} is not a data column of the rejects sheet ({headers})")
    cell = ws.cell(row, headers.index(header) + 1)
    before, cell.value = cell.value, value
    wb.save(path)
    print(
        f"第 {row} 行「{header}」：{before!r} → {value!r}"
        if zh
        else f"row {row} {header}: {before!r} -> {value!r}"
    )


def _dry_run(ctx) -> ImportReport:
    """The import the notebook does, run dry against the shared ledger (writes nothing)."""
    return ctx.remember(
        "dry run",
        lambda: import_files(
            [messy_file()], ctx.location, unit=MESSY_UNIT, dry_run=True, today=dt.date.today()
        ),
    )


exercise(
    "6.1",
    "第一次导入“青溪县_整改台账.xlsx”时，有多少行被拒收？",
    "On the first import of 青溪县_整改台账.xlsx, how many rows were rejected?",
    answer=lambda ctx: _dry_run(ctx).rejected,
    kind="count",
    hint_zh="导入报告 report 的 rejected 属性；接收 + 拒收 + 重复 = 数据行。",
    hint_en="The report's rejected attribute; accepted + rejected + duplicates = data rows.",
    wrong=(
        wrong(
            "accepted",
            lambda ctx: _dry_run(ctx).accepted,
            "这是被接收的行数，题目问拒收。",
            "That is the number of accepted rows; the question asks for rejected ones.",
        ),
        wrong(
            "data_rows",
            lambda ctx: _dry_run(ctx).data_rows,
            "这是全部数据行（合计行和备注行已被跳过）。拒收的只是其中一部分。",
            "That is every data row (total and note lines skipped); only some were rejected.",
        ),
    ),
)

exercise(
    "6.2",
    "第一次导入后，你的练习账本比共享台账多了多少个问题？",
    "After the first import, how many more problems does your scratch ledger hold than the shared one?",
    answer=lambda ctx: _dry_run(ctx).accepted,
    kind="count",
    hint_zh="只有被接收的行写进了账本：看导入报告的 accepted。",
    hint_en="Only accepted rows were written: look at the report's accepted.",
    wrong=(
        wrong(
            "data_rows",
            lambda ctx: _dry_run(ctx).data_rows,
            "拒收的行没有写进账本，不能算进去。",
            "Rejected rows were not written; do not count them.",
        ),
        wrong(
            "nothing",
            lambda ctx: 0,
            "0 说明没有写入：是不是试运行（dry run），或者比较的是共享台账？",
            "0 means nothing was written: a dry run, or you compared the shared ledger?",
        ),
    ),
)

exercise(
    "6.3",
    "被拒收的行分别错在哪些列？（按工作簿里的表头作答，如“整改时限”）",
    "Which columns were the rejected rows faulted on? (answer with the workbook's headers)",
    answer=lambda ctx: _dry_run(ctx).rejected_frame()["header"].tolist(),
    kind="set",
    hint_zh="report.rejected_frame() 的 header 列。",
    hint_en="The header column of report.rejected_frame().",
    wrong=(
        wrong(
            "fields",
            lambda ctx: _dry_run(ctx).rejected_frame()["field"].tolist(),
            "这是程序里的字段名（英文），题目要工作簿里的表头（header 列）。",
            "Those are the code's field names; the question asks for the workbook's headers (header).",
        ),
        wrong(
            "letters",
            lambda ctx: _dry_run(ctx).rejected_frame()["column"].tolist(),
            "这是列字母，请给出表头文字（header 列）。",
            "Those are column letters; give the header text (header).",
        ),
    ),
)

exercise(
    "6.4",
    "改正拒收行并重新导入后，两次导入一共接收了多少行？",
    "After fixing the rejects and re-importing, how many rows did the two imports accept in all?",
    answer=lambda ctx: _dry_run(ctx).data_rows - _dry_run(ctx).duplicates,
    kind="count",
    hint_zh="report.accepted + report2.accepted；如果还有拒收，先把拒收行改对再导入。",
    hint_en="report.accepted + report2.accepted; if rows are still rejected, fix them and import again.",
    wrong=(
        wrong(
            "not_fixed",
            lambda ctx: _dry_run(ctx).accepted,
            "这只是第一次导入接收的行：拒收行还没有改好或没有重新导入。",
            "Those are only the first import's rows: the rejects are not fixed or not re-imported yet.",
        ),
    ),
)
