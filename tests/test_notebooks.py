"""Notebooks are thin and clean, and every one of them runs."""

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from toolkit.serve import DEFAULT_NOTEBOOK_DIR

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
APP_NOTEBOOKS = sorted(DEFAULT_NOTEBOOK_DIR.glob("*.ipynb"))  # shipped in the package, served
EXPLORE = NOTEBOOKS / "analyst" / "探索地区与轮次.ipynb"
ALL_NOTEBOOKS = sorted(
    p for p in [*NOTEBOOKS.rglob("*.ipynb"), *APP_NOTEBOOKS] if ".ipynb_checkpoints" not in p.parts
)
LOGIC = re.compile(r"^\s*(def |class |for |while |if |with |try:|lambda)", re.M)


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_committed_without_outputs_and_without_logic(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        assert not cell.get("outputs"), f"{path.name}: outputs committed"
        assert cell.get("execution_count") is None, f"{path.name}: execution count committed"
        assert not LOGIC.search(cell.source), (
            f"{path.name}: logic belongs in toolkit, not in a notebook:\n{cell.source}"
        )


@pytest.mark.parametrize("path", APP_NOTEBOOKS, ids=lambda p: p.name)
def test_app_notebook_executes(path, sample_path, monkeypatch):
    monkeypatch.setenv("XUNCHA_LEDGER", str(sample_path))
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    widgets = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert widgets, f"{path.name} displayed no app widget"
    assert os.environ["XUNCHA_LEDGER"] == str(sample_path)


def test_the_app_notebook_shows_a_message_without_a_ledger(tmp_path, monkeypatch):
    monkeypatch.setenv("XUNCHA_LEDGER", str(tmp_path / "missing.duckdb"))
    nb = nbformat.read(DEFAULT_NOTEBOOK_DIR / "app.ipynb", as_version=4)
    NotebookClient(nb, timeout=180, kernel_name="python3").execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    values = [m["state"].get("value", "") for m in state.values()]
    assert any("未找到巡察台账" in str(v) for v in values)


def test_exploration_notebook_runs_with_charts_and_chinese_tables(sample_path, monkeypatch):
    """The analyst's walk through a region and a round: every chart an offline widget (not a
    CDN-loading vega output), results as Chinese tables, the problems in the paging grid."""
    monkeypatch.setenv("XUNCHA_LEDGER", str(sample_path))
    nb = nbformat.read(EXPLORE, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(EXPLORE.parent)}}
    ).execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    plain = [str(o.get("data", {}).get("text/plain", "")) for o in outputs]
    assert sum("JupyterChart" in p for p in plain) == 4
    assert sum("ITable" in p for p in plain) == 1
    assert not [o for o in outputs if any("vega" in k for k in o.get("data", {}))]  # no CDN renderer
    tables = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    for header in ("地区", "发现问题", "已整改", "比率", "红色预警", "被巡察单位"):
        assert f">{header}<" in tables, header
    assert "%<" in tables  # rates as percent
