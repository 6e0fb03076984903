"""Xuncha Toolkit (巡察台账工具包): ledger models and metrics for inspection offices."""

import os as _os
import sys as _sys

if _os.environ.get("XUNCHA_SERVED") == "1" and "jsonschema" not in _sys.modules:
    # In the processes of ``toolkit serve`` (server and kernels): jsonschema, which altair and the
    # server import, builds an Earley parser for the "iri" format at import whenever rfc3987-syntax
    # is installed (jupyter-events pulls it in): 1-2.5 s of every kernel's start, for a format no
    # schema here uses. Without it jsonschema simply does not check that one format.
    _sys.modules.setdefault("rfc3987_syntax", None)

# The public names load on first use (PEP 562): ``toolkit serve``'s server process and every
# ``toolkit`` command import this package, and most of them never touch a ledger model, while
# pandas, ibis and pydantic take about a second to import.
_LAZY = {
    "Ledger": "toolkit.ledger",
    "LedgerError": "toolkit.ledger",
    "LedgerMissing": "toolkit.ledger",
    "LedgerView": "toolkit.ledger",
    "Transaction": "toolkit.ledger",
    "Verification": "toolkit.ledger",
    "Assignment": "toolkit.models",
    "Clue": "toolkit.models",
    "DeadlineKind": "toolkit.models",
    "Disposal": "toolkit.models",
    "Inspection": "toolkit.models",
    "Problem": "toolkit.models",
    "ProblemStatus": "toolkit.models",
    "Round": "toolkit.models",
    "RoundKind": "toolkit.models",
    "RoundLevel": "toolkit.models",
    "Unit": "toolkit.models",
    "UnitKind": "toolkit.models",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_LAZY])


__version__ = "0.1.0"

__all__ = [
    "Assignment",
    "Clue",
    "DeadlineKind",
    "Disposal",
    "Inspection",
    "Ledger",
    "LedgerError",
    "LedgerMissing",
    "LedgerView",
    "Problem",
    "ProblemStatus",
    "Round",
    "RoundKind",
    "RoundLevel",
    "Transaction",
    "Unit",
    "UnitKind",
    "Verification",
]


def load_ipython_extension(ipython) -> None:
    """``%load_ext toolkit``: offline charts, ``df.plot`` in Chinese, punctuation hints
    (``toolkit.notebook.setup``)."""
    from toolkit.notebook import setup

    setup(ipython)


def _in_a_notebook_kernel():
    """The IPython shell of the notebook kernel importing us, or None (a script, a test, a terminal)."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell if shell is not None and hasattr(shell, "kernel") else None


if (_shell := _in_a_notebook_kernel()) is not None:  # `import toolkit` is all a notebook needs
    load_ipython_extension(_shell)
