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
