"""The Voila apps: each a function returning one ipywidgets tree; notebooks just call it.

Only this package (and ``toolkit.widgets``) imports ipywidgets: the layers below never do.
"""

from __future__ import annotations

import os
from pathlib import Path

from toolkit.ledger import Ledger
from toolkit.store import LedgerMissing

REPO = Path(__file__).resolve().parents[2]
DEFAULT_LEDGER = REPO / "sample_data" / "ledger.duckdb"
LEDGER_ENV = "XUNCHA_LEDGER"


def ledger_target() -> str:
    """Where the apps read: ``$XUNCHA_LEDGER`` (set by ``toolkit serve``) or the sample ledger."""
    return os.environ.get(LEDGER_ENV) or str(DEFAULT_LEDGER)


def open_ledger() -> Ledger:
    """Open the app's ledger read-only; raises ``LedgerMissing`` for the app to show a message."""
    return Ledger.open(ledger_target())


__all__ = ["LedgerMissing", "ledger_target", "open_ledger"]
