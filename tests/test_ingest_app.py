"""The import page: dry run first, 确认导入 only for what was checked, and a page that says what it
wrote. Driven through its widgets (the browser test clicks the same buttons in JupyterLab)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import openpyxl
from nbclient import NotebookClient

from tests.ingest_workbooks import ROUND, simple_ledger
from toolkit import Ledger
from toolkit.apps import importer
from toolkit.ingest import examples
from toolkit.store import open_store

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "analyst" / "import.ipynb"
SAMPLE_DATA = Path(__file__).resolve().parents[1] / "sample_data"


def uploads(*paths: Path) -> tuple[dict, ...]:
    """What FileUpload holds after the analyst picked ``paths``."""
    return tuple(
        {
            "name": p.name,
            "type": "",
            "size": p.stat().st_size,
            "content": memoryview(p.read_bytes()),
            "last_modified": dt.datetime(2023, 9, 1),
        }
        for p in paths
    )


def copy_of(ledger: Path, target: Path) -> Path:
    """A private copy of a ledger (its published generation) that a test may write."""
    store = open_store(ledger)
    shutil.copyfile(store.current_generation() or ledger, target)
    return target


def texts(widget) -> str:
    """Every text a widget tree shows (HTML values and button labels), tags removed."""
    parts = []
    value = getattr(widget, "value", None)
    if isinstance(value, str):
        parts.append(value)
    if isinstance(getattr(widget, "description", None), str):
        parts.append(widget.description)
    for child in getattr(widget, "children", ()):
        parts.append(texts(child))
    return re.sub(r"<[^>]+>", " ", "\n".join(parts))


def buttons(widget) -> list:
    found = [widget] if widget.__class__.__name__ == "Button" else []
    for child in getattr(widget, "children", ()):
        found += buttons(child)
    return found


def counts(ledger: Path) -> dict[str, int]:
    with Ledger.open(ledger) as led:
        return led.counts()


def test_a_click_without_a_file_asks_for_one(tmp_path):
    page = importer.ImportPage(str(tmp_path / "l.duckdb"))
    assert page.dry_run() is None
    assert "请先点“选择文件”" in texts(page.report_area)
    assert page.confirm_button.layout.display == "none"


def test_dry_run_then_confirm_writes_and_says_what_it_wrote(sample_path, tmp_path):
    ledger = copy_of(sample_path, tmp_path / "ledger.duckdb")
    before = counts(ledger)
    page = importer.ImportPage(str(ledger))
    assert f"现有问题 {before['problems']:,} 个" in texts(page.ledger_info)
    page.upload.value = uploads(examples.county_ledger(tmp_path / "青溪县_整改台账.xlsx"))

    report = page.dry_run()
    shown = texts(page.report_area)
    assert "试运行结果（没有写入）" in shown and counts(ledger) == before
    assert (report.accepted, report.rejected) == (8, 3)
    # the county's spelling of the unit: listed as a creation, its existing twin offered
    assert "县住房和城乡建设局党组（青溪县）" in shown and "青溪住房和城乡建设局党组" in shown
    assert page.confirm_button.layout.display is None and page.confirm_button.disabled  # tick first
    use_existing = next(b for b in buttons(page.report_area) if b.description.startswith("改用已有单位"))

    use_existing.click()  # fills 被巡察单位 and checks again
    assert page.unit_box.value == examples.LEDGER_UNIT
    assert page.report.created_units == [] and page.report.created_rounds == []
    assert not page.confirm_button.disabled and page.confirm_button.description == "确认导入（写入 8 行）"

    page.confirm_button.click()
    after = counts(ledger)
    assert after["problems"] == before["problems"] + 8 and after["units"] == before["units"]
    written = texts(page.result_area)
    assert "已写入账本" in written and "接收 8 行（拒收 3 行，重复 0 行）" in written
    assert f"导入前 {before['events']:,} 条，导入后 {after['events']:,} 条" in written
    assert "新建：巡察轮次 0 个，被巡察单位 0 个" in written
    assert f"现有问题 {after['problems']:,} 个" in texts(page.ledger_info)
    assert page.confirm_button.layout.display == "none"  # the next file starts with a dry run again


def test_confirm_is_refused_once_anything_changed(sample_path, tmp_path):
    ledger = copy_of(sample_path, tmp_path / "ledger.duckdb")
    before = counts(ledger)
    page = importer.ImportPage(str(ledger))
    page.upload.value = uploads(examples.county_ledger(tmp_path / "c.xlsx"))
    page.unit_box.value = examples.LEDGER_UNIT
    page.dry_run()
    assert page.confirm_button.layout.display is None
    page.round_box.value = "七届青溪县委第四轮巡察"  # an option changed after the check
    assert page.confirm_button.layout.display == "none"
    assert "请重新试运行" in texts(page.result_area)
    assert page.confirm() is None and counts(ledger) == before
    assert "请先试运行" in texts(page.result_area)


def test_a_ledger_another_kernel_holds_is_a_sentence_not_a_wait(sample_path, tmp_path):
    """Another notebook's kernel reading a never-published ledger file holds it: 确认导入 says at
    once that the ledger is busy, in Chinese, and what to do; nothing is written."""
    ledger = copy_of(sample_path, tmp_path / "ledger.duckdb")  # the file alone: never published
    before = counts(ledger)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LEDGER, str(ledger)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        page = importer.ImportPage(str(ledger))
        page.upload.value = uploads(examples.county_ledger(tmp_path / "c.xlsx"))
        page.unit_box.value = examples.LEDGER_UNIT
        assert page.dry_run().accepted == 8
        assert page.confirm() is None
        said = texts(page.result_area)
        assert "导入未完成，账本没有改变" in said and "账本被占用" in said and "重启该内核" in said
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert counts(ledger) == before


HOLD_LEDGER = """
import sys
from toolkit import Ledger
ledger = Ledger.open(sys.argv[1])
ledger.counts()
print("open", flush=True)
sys.stdin.read()
"""


def test_what_the_import_creates_must_be_ticked_first(tmp_path):
    ledger = tmp_path / "new.duckdb"
    page = importer.ImportPage(str(ledger))
    assert "尚不存在" in texts(page.ledger_info)
    page.upload.value = uploads(simple_ledger(tmp_path / "a.xlsx"))
    page.round_box.value = ROUND
    page.dry_run()
    shown = texts(page.report_area)
    assert f"新建巡察轮次：{ROUND}" in shown and "新建账本" in shown
    assert page.confirm_button.disabled
    assert page.confirm() is None and not ledger.exists()
    assert "请先勾选“已核对”" in texts(page.result_area)
    page.creations_ok.value = True
    assert not page.confirm_button.disabled
    report = page.confirm()
    assert report.written and counts(ledger)["problems"] == 3
    assert f"新建巡察轮次：{ROUND}" in texts(page.result_area)


def workbooks(*folders: Path) -> set[Path]:
    return {p for folder in folders for p in folder.rglob("*.xlsx")}


def test_rejects_are_a_download_built_only_when_asked(sample_path, tmp_path):
    (tmp_path / "ledger").mkdir()
    ledger = copy_of(sample_path, tmp_path / "ledger" / "ledger.duckdb")
    before = workbooks(tmp_path / "ledger", SAMPLE_DATA)
    page = importer.ImportPage(str(ledger))
    page.upload.value = uploads(examples.county_ledger(tmp_path / "c.xlsx"))
    page.unit_box.value = examples.LEDGER_UNIT
    page.dry_run()
    page.confirm()
    assert workbooks(tmp_path / "ledger", SAMPLE_DATA) == before  # no rejects workbook anywhere
    build = next(b for b in buttons(page.report_area) if b.description == "生成拒收行工作簿")
    build.click()
    link = next(c.value for c in _walk(page.report_area) if "data:" in str(getattr(c, "value", "")))
    data = base64.b64decode(re.search(r"base64,([A-Za-z0-9+/=]+)", link).group(1))
    sheet = openpyxl.load_workbook(io.BytesIO(data)).worksheets[0]
    assert sheet.max_row == 1 + 3 and "download='拒收行-" in link
    assert workbooks(tmp_path / "ledger", SAMPLE_DATA) == before


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_every_header_on_the_page_is_chinese(sample_path, tmp_path):
    ledger = copy_of(sample_path, tmp_path / "ledger.duckdb")
    page = importer.ImportPage(str(ledger))
    page.upload.value = uploads(examples.county_ledger(tmp_path / "c.xlsx"))
    page.dry_run()
    headers = [
        h
        for c in _walk(page.report_area)
        for h in re.findall(r"<th>(.*?)</th>", getattr(c, "value", "") or "")
    ]
    assert {"文件", "数据行", "接收", "拒收", "重复", "行号", "表头", "拒收原因"} <= set(headers)
    assert all(re.search(r"[\u4e00-\u9fff]", h) for h in headers), headers


def test_the_ledger_is_shown_without_its_password(monkeypatch):
    url = "postgresql://analyst:s3cret-pw@127.0.0.1:1/xuncha"
    monkeypatch.setenv("XUNCHA_LEDGER", url)
    page = importer.ImportPage()
    assert page.location == url  # the real location is used ...
    assert "s3cret-pw" not in page.ledger_box.value and "***" in page.ledger_box.value  # ... never shown
    assert "s3cret-pw" not in texts(page.widget) and "无法打开账本" in texts(page.ledger_info)


def test_the_default_ledger_is_xuncha_ledger_and_can_be_changed(tmp_path, monkeypatch):
    monkeypatch.setenv("XUNCHA_LEDGER", str(tmp_path / "a.duckdb"))
    page = importer.ImportPage()
    assert page.location == str(tmp_path / "a.duckdb")
    page.ledger_box.value = str(tmp_path / "b.duckdb")
    assert page.location == str(tmp_path / "b.duckdb") and "b.duckdb" in texts(page.ledger_info)


def test_an_unreadable_file_is_a_sentence_and_nothing_is_written(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    page = importer.ImportPage(str(tmp_path / "l.duckdb"))
    page.upload.value = uploads(bad)
    assert page.dry_run() is None
    assert "无法读取文件，什么也没有写入" in texts(page.report_area) and "bad.xlsx" in texts(page.report_area)
    assert page.confirm_button.layout.display == "none" and not (tmp_path / "l.duckdb").exists()


def test_import_notebook_executes_and_shows_the_page(tmp_path, monkeypatch):
    monkeypatch.setenv("XUNCHA_LEDGER", str(tmp_path / "l.duckdb"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3").execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
