"""Layers point one way: models <- ledger/ingest <- metrics <- charts/widgets/apps <- notebooks."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit"
WIDGET_LAYER = ("apps", "widgets", "serve.py", "kernel.py", "workshop")


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_models_import_nothing_of_ours():
    assert not {n for n in imports_of(PACKAGE / "models.py") if n.startswith("toolkit")}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_only_the_widget_layer_imports_ipywidgets(path):
    rel = str(path.relative_to(PACKAGE))
    if rel.startswith(WIDGET_LAYER):
        return
    assert not {n for n in imports_of(path) if n.split(".")[0] in ("ipywidgets", "voila")}, rel


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_lower_layers_never_import_upper_ones(path):
    rel = str(path.relative_to(PACKAGE))
    ours = {n for n in imports_of(path) if n.startswith("toolkit.")}
    if rel.startswith(("models", "events", "replay", "store", "ledger", "filters")):
        assert not {
            n
            for n in ours
            if n.startswith(
                ("toolkit.metrics", "toolkit.apps", "toolkit.charts", "toolkit.ingest", "toolkit.reports")
            )
        }, rel
    if rel.startswith("metrics"):
        assert not {n for n in ours if n.startswith(("toolkit.apps", "toolkit.charts", "toolkit.widgets"))}, (
            rel
        )
