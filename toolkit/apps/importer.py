"""导入台账: the analyst's import page (JupyterLab), the same import as ``toolkit import``.

Unlike the leaders' apps this page writes to the ledger, so its notebook lives in
``notebooks/analyst/`` and is not served by Voila. The analyst picks files, checks them with
试运行 (dry run, the default), reads the report and the rejected rows, then imports for real;
rejected rows go to a rejects workbook next to the ledger, to be fixed and imported again.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import ipywidgets as w
from IPython.display import display

from toolkit.apps import ledger_location
from toolkit.ingest import UnreadableFile, import_files
from toolkit.ingest.quarantine import write_rejects
from toolkit.ingest.report import ImportReport
from toolkit.safe_html import Markup
from toolkit.widgets import html


def save_uploads(uploads, folder: str | Path) -> list[Path]:
    """FileUpload values (name + bytes) as files in ``folder``, in the order picked."""
    paths = []
    for item in uploads:
        path = Path(folder) / Path(item["name"]).name
        path.write_bytes(bytes(item["content"]))
        paths.append(path)
    return paths


def run_import(
    uploads, ledger: str, *, dry_run: bool, progress=None, **options
) -> tuple[ImportReport, Path | None]:
    """Import uploaded files; rejects are written beside the ledger. Raises ``UnreadableFile``."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = save_uploads(uploads, tmp)
        report = import_files(paths, ledger, dry_run=dry_run, progress=progress, **options)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    rejects = write_rejects(report, Path(ledger).parent / f"拒收行-{stamp}.xlsx") if report.rejected else None
    return report, rejects


def app(ledger: str | None = None) -> w.Widget:
    """The import page as one widget."""
    target = ledger or ledger_location()
    upload = w.FileUpload(accept=".xlsx,.xlsm,.xls,.csv", multiple=True, description="选择文件")
    round_name = w.Text(description="巡察轮次", placeholder="表中无轮次列时填写")
    unit = w.Text(description="被巡察单位", placeholder="表中无单位列时填写")
    region = w.Text(description="区县", placeholder="新建单位所属区县")
    dry_run = w.Checkbox(value=True, description="试运行（只检查，不写入）")
    button = w.Button(description="导入", button_style="primary", icon="upload")
    bar = w.IntProgress(value=0, min=0, max=1, description="进度")
    out = w.Output()

    def progress(done: int, total: int) -> None:
        bar.max, bar.value = max(total, 1), done

    def on_click(_) -> None:
        out.clear_output()
        with out:
            try:
                report, rejects = run_import(
                    upload.value,
                    target,
                    dry_run=dry_run.value,
                    progress=progress,
                    round=round_name.value or None,
                    unit=unit.value or None,
                    region=region.value or None,
                )
            except UnreadableFile as err:
                display(html(Markup("<b>无法读取文件，未写入账本</b>：{}").format(str(err))))
                return
            display(html(Markup("<pre>{}</pre>").format(report.summary())))
            if rejects:
                display(html(Markup("拒收行已写入：<code>{}</code>").format(str(rejects))))
                display(report.rejected_frame())

    button.on_click(on_click)
    head = html(Markup("<h2>导入巡察台账</h2><div>账本：<code>{}</code></div>").format(str(target)))
    return w.VBox([head, upload, w.HBox([round_name, unit, region]), dry_run, w.HBox([button, bar]), out])
