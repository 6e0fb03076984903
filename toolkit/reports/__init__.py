"""Reports offices hand in (issue 7): the quarterly report, the 一报一单 and the reconciliation.

Each report is a function of the ledger returning values or bytes, so a notebook, the CLI
(``toolkit report ...``) and the apps' download buttons make the same file:

* ``reconcile(ledger) -> list[Mismatch]``: 定期对账, cross-checks before a ledger goes upward.
"""

from toolkit.reports.reconcile import CHECKS, Check, Mismatch, mismatch_frame, reconcile

__all__ = ["CHECKS", "Check", "Mismatch", "mismatch_frame", "reconcile"]
