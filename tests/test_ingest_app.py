"""The import page: its logic runs without a browser, and its notebook executes."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tests.ingest_workbooks import ROUND, simple_ledger
from toolkit.apps import importer
from toolkit.ingest import examples

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "analyst" / "import.ipynb"


def uploads(*paths):
    return [{"name": p.name, "content": memoryview(p.read_bytes())} for p in paths]


def test_dry_run_then_import(tmp_path):
    ledger = tmp_path / "l.duckdb"
    files = uploads(simple_ledger(tmp_path / "a.xlsx"))
    report, rejects = importer.run_import(files, str(ledger), dry_run=True, round=ROUND)
    assert report.accepted == 3 and not ledger.exists() and rejects is None
    report, _ = importer.run_import(files, str(ledger), dry_run=False, round=ROUND)
    assert report.written and ledger.exists()


def test_rejects_written_beside_the_ledger(tmp_path):
    ledger = tmp_path / "l.duckdb"
    seen = []
    files = uploads(examples.county_ledger(tmp_path / "c.xlsx"))
    report, rejects = importer.run_import(
        files, str(ledger), dry_run=False, progress=lambda d, t: seen.append((d, t))
    )
    assert report.rejected == 3 and rejects.parent == tmp_path and rejects.exists()
    assert seen[-1] == (11, 11)


def test_import_notebook_executes_and_shows_the_page(tmp_path, monkeypatch):
    monkeypatch.setenv("XUNCHA_LEDGER", str(tmp_path / "l.duckdb"))
    nb = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3").execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
