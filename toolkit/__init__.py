"""Xuncha Toolkit (巡察台账工具包): ledger models and metrics for inspection offices."""

from toolkit.ledger import Ledger, LedgerError, LedgerMissing, LedgerView, Transaction, Verification
from toolkit.models import (
    Assignment,
    Clue,
    DeadlineKind,
    Disposal,
    Inspection,
    Problem,
    ProblemStatus,
    Round,
    RoundKind,
    RoundLevel,
    Unit,
    UnitKind,
)

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
