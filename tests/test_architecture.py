"""Layers point one way: models <- ledger/ingest <- metrics <- charts/widgets/apps <- notebooks.

Imports are resolved to the modules they reach, however they are written: ``import
toolkit.metrics.base``, ``from toolkit.metrics import coverage`` (a submodule), ``from toolkit
import charts`` (a submodule of the package), ``from toolkit import Ledger`` (a name the package
re-exports from ``toolkit.ledger``) and relative imports all count.
"""

import ast
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "toolkit"
WIDGET_LAYER = ("apps", "widgets", "serve.py", "kernel.py", "workshop")
LOWER_LAYER = ("models", "events", "replay", "store", "ledger", "filters")
ABOVE_LOWER = ("toolkit.metrics", "toolkit.apps", "toolkit.charts", "toolkit.ingest", "toolkit.reports")
ABOVE_METRICS = (
    "toolkit.apps",
    "toolkit.charts",
    "toolkit.widgets",
    "toolkit.kernel",
    "toolkit.serve",
    "toolkit.reports",
    "toolkit.ingest",
)


def module_path(name: str) -> Path | None:
    """The file of module ``name`` in this repository (a package's ``__init__.py``), or None."""
    base = ROOT.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def reexports(package: str) -> dict[str, str]:
    """Names a package's ``__init__`` imports from its modules: ``Ledger`` -> ``toolkit.ledger``;
    also the names it loads on first use (a ``_LAZY`` table of name -> module)."""
    init = module_path(package)
    if init is None or init.name != "__init__.py":
        return {}
    out = {}
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["_LAZY"]:
            out.update(ast.literal_eval(node.value))
        if isinstance(node, ast.ImportFrom):
            source = absolute(node, package + ".__init__")
            for alias in node.names:
                out[alias.asname or alias.name] = source
    return out


def absolute(node: ast.ImportFrom, importer: str) -> str:
    """The absolute module an ``ImportFrom`` names (``from ..metrics import x`` in toolkit.apps.y
    -> toolkit.metrics)."""
    if node.level == 0:
        return node.module or ""
    package = importer.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    return ".".join(base + (node.module.split(".") if node.module else []))


def imports_of(path: Path, source: str | None = None) -> set[str]:
    """Every module ``path`` imports (its own text, or ``source`` as if it were that file)."""
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    importer = module_name(path) if path.name != "__init__.py" else module_name(path) + ".__init__"
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = absolute(node, importer)
            names.add(module)
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                if module_path(submodule) is not None:
                    names.add(submodule)
                elif alias.name in reexports(module):
                    names.add(reexports(module)[alias.name])
    return {n for n in names if n}


def violations(rel: str, names: set[str]) -> set[str]:
    """The imports of module file ``rel`` (relative to toolkit/) its layer may not make."""
    ours = {n for n in names if n.startswith("toolkit.")}
    bad = set()
    if rel.startswith("models"):
        bad |= {n for n in names if n == "toolkit" or n.startswith("toolkit.")}
    if rel.startswith(LOWER_LAYER):
        bad |= {n for n in ours if n.startswith(ABOVE_LOWER)}
    if rel.startswith("metrics"):
        bad |= {n for n in ours if n.startswith(ABOVE_METRICS)}
    if not rel.startswith(WIDGET_LAYER):
        bad |= {n for n in names if n.split(".")[0] in ("ipywidgets", "voila")}
    return bad


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_layers_point_one_way(path):
    rel = str(path.relative_to(PACKAGE))
    assert not violations(rel, imports_of(path)), rel


def test_every_import_form_is_resolved():
    fake = PACKAGE / "metrics" / "fake.py"
    assert imports_of(fake, "from toolkit import Ledger, charts") >= {
        "toolkit",
        "toolkit.ledger",
        "toolkit.charts",
    }
    assert imports_of(fake, "import toolkit.apps.shell as shell") == {"toolkit.apps.shell"}
    assert imports_of(fake, "from toolkit.metrics import coverage, REGISTRY") >= {
        "toolkit.metrics.coverage",
        "toolkit.metrics.base",
    }
    assert imports_of(fake, "from ..reports import quarterly") >= {"toolkit.reports.quarterly"}
    assert imports_of(fake, "from . import base") >= {"toolkit.metrics.base"}
    init = PACKAGE / "metrics" / "__init__.py"
    assert "toolkit.metrics.clues" in imports_of(init, "from .clues import outcomes")


@pytest.mark.parametrize(
    ("rel", "source"),
    [
        ("metrics/fake.py", "from toolkit import charts"),
        ("metrics/fake.py", "import toolkit.widgets"),
        ("metrics/fake.py", "from ..apps import overview"),
        ("filters.py", "from toolkit import metrics"),
        ("ledger.py", "from toolkit.metrics import REGISTRY"),
        ("models.py", "from toolkit import labels"),
        ("charts.py", "import ipywidgets as w"),
    ],
)
def test_a_forbidden_import_is_caught_however_it_is_written(rel, source):
    assert violations(rel, imports_of(PACKAGE / rel, source)), source


def test_importing_the_package_loads_no_data_library():
    """``toolkit`` commands and the server process import the package; the models load on use."""
    import subprocess
    import sys

    code = (
        "import sys, toolkit; heavy = [m for m in ('pandas', 'ibis', 'duckdb', 'pydantic') if m in sys.modules]; "
        "print(heavy); from toolkit import Ledger, UnitKind; print(Ledger.__module__, UnitKind.__module__)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split("\n")[:2] == ["[]", "toolkit.ledger toolkit.models"]
