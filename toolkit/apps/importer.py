"""导入台账: the analyst's import page (JupyterLab), the same import as ``toolkit import``.

Unlike the leaders' apps this page writes to the ledger, so its notebook lives in
``notebooks/analyst/`` and is never served by Voila. What makes it safe to use:

* the ledger it writes to is named on the page (a ``postgresql://`` password masked) and
  chosen in a text box: ``XUNCHA_LEDGER``, else the repository's sample ledger;
* 试运行 (a dry run) always comes first; 确认导入 appears only after a dry run that completed,
  and only for the same files, options and ledger (anything changed hides it again); rounds and
  units the import would create are listed and must be ticked as checked, with a one-click
  "use the existing unit" where the importer found a similar name;
* after 确认导入 the page says what it wrote: rows, records created, the ledger's events before
  and after (and the chain's receipt when the ledger offers one);
* rejected rows are offered as a download (a data: link built in memory), never written into a
  folder; every header is Chinese; a click with no file asks for a file.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import tempfile
from pathlib import Path
from types import SimpleNamespace

import ipywidgets as w
import pandas as pd

from toolkit.cli_errors import redact
from toolkit.ingest import UnreadableFile, import_files
from toolkit.ingest.quarantine import write_rejects
from toolkit.ingest.report import ImportReport
from toolkit.ingest.resolve import similar_unit
from toolkit.kernel import ledger_location, redact_location
from toolkit.safe_html import Markup, join
from toolkit.widgets import download_link, html, message, messages, spinner, table

ACCEPT = ".xlsx,.xlsm,.xls,.csv"
REJECT_COLUMNS = {
    "file": "文件",
    "sheet": "工作表",
    "row": "行号",
    "column": "列",
    "header": "表头",
    "reason_zh": "拒收原因",
}
FILE_COLUMNS = {
    "path": "文件",
    "data_rows": "数据行",
    "accepted": "接收",
    "rejected": "拒收",
    "duplicates": "重复",
}
FINDING_KINDS = {
    "similar_unit": "相似单位",
    "created_round": "新建轮次",
    "date_from_filing": "按填报时间记日期",
    "filing_date_ignored": "填报时间未采用",
    "unheaded_cells": "无表头的列",
}


def save_uploads(uploads, folder: str | Path) -> list[Path]:
    """FileUpload values (name + bytes) as files in ``folder``, in the order picked."""
    paths = []
    for item in uploads:
        path = Path(folder) / Path(item["name"]).name
        path.write_bytes(bytes(item["content"]))
        paths.append(path)
    return paths


def run_import(uploads, ledger: str, *, dry_run: bool, progress=None, **options) -> ImportReport:
    """Import uploaded files into ``ledger`` (a dry run writes nothing). Raises ``UnreadableFile``."""
    with tempfile.TemporaryDirectory() as tmp:
        paths = save_uploads(uploads, tmp)
        return import_files(paths, ledger, dry_run=dry_run, progress=progress, **options)


def rejects_workbook(report: ImportReport) -> bytes | None:
    """The rejects workbook of ``report`` as bytes (built in a temporary folder, kept nowhere)."""
    with tempfile.TemporaryDirectory() as tmp:
        written = write_rejects(report, Path(tmp) / "拒收行.xlsx")
        return written.read_bytes() if written else None


@dataclasses.dataclass(frozen=True)
class LedgerState:
    """What the page says about the ledger it would write to."""

    location: str
    exists: bool
    problems: int = 0
    events: int = 0
    receipt: str = ""
    error: str = ""

    @property
    def shown(self) -> str:
        return redact_location(self.location)


def ledger_state(location: str) -> LedgerState:
    """Open ``location`` read-only and count; a missing ledger is a state, not an error."""
    from toolkit.ledger import Ledger
    from toolkit.store import LedgerMissing

    try:
        with Ledger.open(location) as ledger:
            counts = ledger.counts()
            head = ledger.receipt() if callable(getattr(ledger, "receipt", None)) else None
            return LedgerState(location, True, counts["problems"], counts["events"], str(head or ""))
    except LedgerMissing:
        return LedgerState(location, False)
    except Exception as err:  # a URL that does not connect, a file that is not a ledger
        return LedgerState(location, False, error=_sentence(err))


@dataclasses.dataclass(frozen=True)
class Twin:
    """A unit the import would create, beside the existing unit it resembles."""

    new: str
    region: str
    existing: str
    existing_id: str


def similar_existing(report: ImportReport, location: str) -> list[Twin]:
    """For each unit ``report`` would create, the existing unit of its region it resembles."""
    from toolkit.ledger import Ledger
    from toolkit.store import LedgerMissing

    if not report.created_units:
        return []
    try:
        with Ledger.open(location) as ledger:
            units = ledger.table("units").select("id", "name", "region").execute()
    except LedgerMissing:
        return []
    existing = [SimpleNamespace(id=r.id, name=r.name, region=r.region) for r in units.itertuples()]
    twins = []
    for created in report.created_units:
        name, _, region = created.rpartition("（")
        region = region.rstrip("）")
        twin = similar_unit(SimpleNamespace(id="", name=name, region=region), existing)
        if twin is not None:
            twins.append(Twin(name, region, twin.name, twin.id))
    return twins


def fingerprint(uploads, location: str, options: dict) -> str:
    """What a dry run checked: the files' names and bytes, the ledger and the options."""
    digest = hashlib.sha256(location.encode())
    for item in uploads:
        digest.update(str(item["name"]).encode() + b"\0" + hashlib.sha256(bytes(item["content"])).digest())
    digest.update(repr(sorted(options.items())).encode())
    return digest.hexdigest()


class ImportPage:
    """The page's widgets and what it remembers between the dry run and 确认导入."""

    def __init__(self, ledger: str | None = None) -> None:
        start = ledger or ledger_location()
        self._typed_location = start
        self.ledger_box = w.Text(
            value=redact_location(start),
            description="账本",
            placeholder="账本文件路径，或 postgresql://…",
            layout=w.Layout(width="70%"),
        )
        self.ledger_info = html(Markup(""))
        self.upload = w.FileUpload(accept=ACCEPT, multiple=True, description="选择文件")
        self.round_box = w.Text(description="巡察轮次", placeholder="表中无轮次时填写")
        self.unit_box = w.Text(description="被巡察单位", placeholder="表中无单位或单位名称不同时填写")
        self.region_box = w.Text(description="区县", placeholder="新建单位所属区县")
        self.check_button = w.Button(description="试运行（只检查）", button_style="info", icon="search")
        self.confirm_button = w.Button(description="确认导入", button_style="danger", icon="upload")
        self.confirm_button.layout.display = "none"
        self.creations_ok = w.Checkbox(
            value=False, description="已核对：新建以上轮次、单位（或账本）", indent=False
        )
        self.progress_bar = w.IntProgress(value=0, min=0, max=1, description="进度")
        self.report_area = w.VBox()
        self.result_area = w.VBox()
        self.checked: str | None = None  # fingerprint of the last completed dry run
        self.report: ImportReport | None = None
        self.check_button.on_click(lambda _: self.dry_run())
        self.confirm_button.on_click(lambda _: self.confirm())
        self.creations_ok.observe(lambda _: self._enable_confirm(), "value")
        for widget in (self.upload, self.round_box, self.unit_box, self.region_box, self.ledger_box):
            widget.observe(self._changed, "value")
        self._show_ledger()

    # ---- what the analyst chose ---------------------------------------------------------------

    @property
    def location(self) -> str:
        """The ledger to write to: the box's text, or the real location behind a masked one."""
        typed = self.ledger_box.value.strip()
        if typed == redact_location(self._typed_location):
            return self._typed_location
        return typed

    def options(self) -> dict[str, str | None]:
        return {
            "round": self.round_box.value.strip() or None,
            "unit": self.unit_box.value.strip() or None,
            "region": self.region_box.value.strip() or None,
        }

    def _changed(self, change) -> None:
        """Files, options or ledger changed: what was checked no longer holds."""
        if change["owner"] is self.ledger_box:
            self._show_ledger()
        if self.checked is not None:
            self.checked = None
            self.confirm_button.layout.display = "none"
            self.result_area.children = [message("文件、选项或账本已改变，请重新试运行。", "info")]

    def _show_ledger(self) -> None:
        state = ledger_state(self.location)
        if state.exists:
            text = Markup("将写入账本 <code>{}</code>：现有问题 {:,} 个，事件 {:,} 条。").format(
                state.shown, state.problems, state.events
            )
        elif state.error:
            text = Markup("<b>无法打开账本</b> <code>{}</code>：{}").format(state.shown, state.error)
        else:
            text = Markup("账本 <code>{}</code> 尚不存在：确认导入时将新建一个账本。").format(state.shown)
        self.ledger_info.value = str(text)

    # ---- the two steps --------------------------------------------------------------------------

    def _progress(self, done: int, total: int) -> None:
        self.progress_bar.max, self.progress_bar.value = max(total, 1), done

    def dry_run(self) -> ImportReport | None:
        """试运行: check the files against the ledger, write nothing, show what would happen."""
        self.checked, self.report = None, None
        self.confirm_button.layout.display = "none"
        self.result_area.children = []
        # the last check's report goes first, so it is never on screen beside the new button
        self.report_area.children = [spinner("正在试运行：只检查，不写入……")]
        self.report_area.children = self._dry_run()
        if self.checked is not None:
            self.confirm_button.description = f"确认导入（写入 {self.report.accepted:,} 行）"
            self.confirm_button.layout.display = None
            self._enable_confirm()
        return self.report

    def _dry_run(self) -> list[w.Widget]:
        uploads = list(self.upload.value)
        if not uploads:
            return [message("请先点“选择文件”，选好要导入的 Excel 或 CSV 台账，再试运行。", "warning")]
        location, options = self.location, self.options()
        try:
            report = run_import(uploads, location, dry_run=True, progress=self._progress, **options)
        except UnreadableFile as err:
            return [
                message(Markup("<b>无法读取文件，什么也没有写入</b>：{}").format(_sentence(err)), "error")
            ]
        except Exception as err:  # a ledger that cannot be opened, a bad option
            return [
                message(Markup("<b>试运行未完成，什么也没有写入</b>：{}").format(_sentence(err)), "error")
            ]
        self.report = report
        shown = dry_run_view(report, similar_existing(report, location), self._use_existing)
        if not report.accepted:
            return shown + [message("没有可以写入的行（全部拒收或重复），所以没有“确认导入”。", "info")]
        self.checked = fingerprint(uploads, location, options)
        new_ledger = not ledger_state(location).exists
        needs_ok = bool(report.created_rounds or report.created_units or new_ledger)
        self.creations_ok.value = False
        if needs_ok:
            shown += [
                creations_view(report, redact_location(location) if new_ledger else None),
                self.creations_ok,
            ]
        return shown

    def _enable_confirm(self) -> None:
        needs_ok = self.report is not None and bool(
            self.report.created_rounds or self.report.created_units or not ledger_state(self.location).exists
        )
        self.confirm_button.disabled = needs_ok and not self.creations_ok.value

    def _use_existing(self, twin: Twin) -> None:
        """改用已有单位: put the existing name in 被巡察单位 and check again."""
        self.unit_box.value = twin.existing
        self.dry_run()

    def confirm(self) -> ImportReport | None:
        """确认导入: write what the dry run checked, then say what was written."""
        uploads = list(self.upload.value)
        location, options = self.location, self.options()
        if self.checked is None or self.checked != fingerprint(uploads, location, options):
            self.confirm_button.layout.display = "none"
            self.result_area.children = [
                message("请先试运行：确认导入只写入刚刚检查过的文件和选项。", "warning")
            ]
            return None
        if self.confirm_button.disabled:
            self.result_area.children = [
                message("请先勾选“已核对”：本次导入会新建轮次、单位或账本。", "warning")
            ]
            return None
        before = ledger_state(location)
        try:
            report = run_import(uploads, location, dry_run=False, progress=self._progress, **options)
        except Exception as err:
            self.result_area.children = [
                message(Markup("<b>导入未完成，账本没有改变</b>：{}").format(_sentence(err)), "error")
            ]
            return None
        self.checked = None
        self.confirm_button.layout.display = "none"
        self.result_area.children = [written_view(report, before, ledger_state(location))]
        self._show_ledger()
        return report

    @property
    def widget(self) -> w.Widget:
        head = html(Markup("<h2>导入巡察台账</h2>"))
        hint = html(
            Markup(
                "<div style='color:#5a6473;font-size:12px'>先试运行：只检查，不写入；检查无误后点“确认导入”。"
                "表中已写明轮次、单位的不必填写。示例文件 sample_data/messy/青溪县_整改台账.xlsx："
                "被巡察单位填 <code>青溪住房和城乡建设局党组</code>（试运行会提示）。</div>"
            )
        )
        return w.VBox(
            [
                head,
                self.ledger_box,
                self.ledger_info,
                self.upload,
                w.HBox([self.round_box, self.unit_box, self.region_box]),
                hint,
                w.HBox([self.check_button, self.progress_bar]),
                self.report_area,
                self.confirm_button,
                self.result_area,
            ]
        )


def _sentence(err: BaseException) -> str:
    """A ledger error's whole sentence (what, in Chinese and English, and where), else the first
    line of the error; any password in a URL in it masked."""
    sentence = getattr(err, "sentence", None)
    if isinstance(sentence, str):
        return redact(sentence)
    return redact(str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__)


def counts_frame(report: ImportReport) -> pd.DataFrame:
    rows = [dataclasses.asdict(f) for f in report.files]
    rows.append(
        {
            "path": "合计",
            "data_rows": report.data_rows,
            "accepted": report.accepted,
            "rejected": report.rejected,
            "duplicates": report.duplicates,
        }
    )
    return pd.DataFrame(rows)


def dry_run_view(report: ImportReport, twins: list[Twin], use_existing) -> list[w.Widget]:
    """The dry run in Chinese: counts per file, rejected rows, findings, similar units."""
    parts: list[w.Widget] = [
        html(Markup("<h3>试运行结果（没有写入）</h3>")),
        table(counts_frame(report), FILE_COLUMNS),
    ]
    if report.rejected:
        frame = report.rejected_frame()
        parts += [
            html(Markup("<h4>拒收的行：改正后再导入</h4>")),
            table(frame, REJECT_COLUMNS),
            rejects_button(report),
        ]
    if report.conflicts:
        parts.append(
            messages([f"{c.where}：{c.detail_zh}" for c in report.conflicts], "warning"),
        )
    for twin in twins:
        button = w.Button(
            description=f"改用已有单位：{twin.existing}", icon="exchange", layout=w.Layout(width="auto")
        )
        button.on_click(lambda _, t=twin: use_existing(t))
        parts.append(
            w.VBox(
                [
                    message(
                        Markup(
                            "将新建单位“{}”（{}），它与已有单位“{}”（{}）相似。若是同一单位，请改用已有单位"
                            "（“被巡察单位”一栏会用于本次导入的所有行；文件里还有别的单位时，请改正表中的名称）。"
                        ).format(twin.new, twin.region, twin.existing, twin.existing_id),
                        "warning",
                    ),
                    button,
                ]
            )
        )
    others = [f for f in report.findings if f.kind != "similar_unit"]
    if others:
        parts.append(html(Markup("<h4>请核对</h4>")))
        parts.append(
            messages(
                [f"【{FINDING_KINDS.get(f.kind, f.kind)}】{f.where}：{f.detail_zh}" for f in others], "info"
            )
        )
    parts.append(
        html(
            Markup("<details><summary>完整报告（中英文）</summary><pre>{}</pre></details>").format(
                report.summary()
            )
        )
    )
    return parts


def creations_view(report: ImportReport, new_ledger: str | None) -> w.Widget:
    """What 确认导入 would create, listed for the analyst to check before ticking 已核对."""
    lines = []
    if new_ledger:
        lines.append(f"新建账本：{new_ledger}")
    lines += [f"新建巡察轮次：{name}" for name in report.created_rounds]
    lines += [f"新建被巡察单位：{name}" for name in report.created_units]
    if report.created_inspections:
        lines.append(f"新建巡察记录：{report.created_inspections} 条")
    return messages(lines, "warning")


def rejects_button(report: ImportReport) -> w.Widget:
    """下载拒收行: the workbook is built only when asked, and handed to the browser as a link."""
    button = w.Button(description="生成拒收行工作簿", icon="download", layout=w.Layout(width="auto"))
    holder = w.VBox([button])

    def build(_) -> None:
        data = rejects_workbook(report)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M")
        holder.children = [button, download_link(data, f"拒收行-{stamp}.xlsx", "下载拒收行工作簿（.xlsx）")]

    button.on_click(build)
    return holder


def written_view(report: ImportReport, before: LedgerState, after: LedgerState) -> w.Widget:
    """After 确认导入: what was written, in sentences."""
    lines = [
        Markup("<b>已写入账本</b> <code>{}</code>").format(after.shown),
        Markup("接收 {:,} 行（拒收 {:,} 行，重复 {:,} 行）").format(
            report.accepted, report.rejected, report.duplicates
        ),
        Markup("新建：巡察轮次 {} 个，被巡察单位 {} 个，巡察记录 {} 条").format(
            len(report.created_rounds), len(report.created_units), report.created_inspections
        ),
    ]
    lines += [Markup("　新建巡察轮次：{}").format(name) for name in report.created_rounds]
    lines += [Markup("　新建被巡察单位：{}").format(name) for name in report.created_units]
    lines += [Markup("　请核对：{}").format(f.detail_zh) for f in report.findings if f.kind == "similar_unit"]
    if report.status_updates:
        lines.append(Markup("状态更新 {} 个").format(len(report.status_updates)))
    lines.append(
        Markup("账本事件：导入前 {:,} 条，导入后 {:,} 条（新增 {:,} 条）；问题：{:,} → {:,} 个").format(
            before.events, after.events, after.events - before.events, before.problems, after.problems
        )
    )
    if after.receipt:
        lines.append(Markup("账本回执（请留存）：<code>{}</code>").format(after.receipt))
    if report.rejected:
        lines.append(
            Markup("拒收的 {} 行没有写入：下载上面的拒收行工作簿，改正后再导入。").format(report.rejected)
        )
    return message(join(Markup("<br>"), lines), "info")


def app(ledger: str | None = None) -> w.Widget:
    """The import page as one widget (``ledger``: the ledger pre-filled in its box)."""
    return ImportPage(ledger).widget
