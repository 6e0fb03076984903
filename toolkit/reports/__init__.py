"""Reports offices hand in: the quarterly report, the 一报一单 and the reconciliation.

Each report is a function of the ledger returning values or bytes, so a notebook, the CLI
(``toolkit report ...``) and the apps' download buttons make the same file:

* ``reconcile(ledger) -> list[Mismatch]``: 定期对账, cross-checks before a ledger goes upward.
* ``quarterly(ledger, quarter, *, region=None, team=None, fmt="docx", show_names=False) -> bytes``.
* ``portrait(ledger, unit_id, *, as_of=None, show_names=False) -> bytes``: 一报一单 (.docx).

Names of persons are masked (``toolkit.masking``) unless ``show_names=True``, and a file made
with the names shown says so under its title (or on a first sheet 说明).
"""

from toolkit.reports.portrait import portrait, portrait_figures
from toolkit.reports.quarterly import quarter_bounds, quarterly, quarterly_sheets
from toolkit.reports.reconcile import CHECKS, Check, Mismatch, mismatch_frame, reconcile

__all__ = [
    "CHECKS",
    "Check",
    "Mismatch",
    "mismatch_frame",
    "portrait",
    "portrait_figures",
    "quarter_bounds",
    "quarterly",
    "quarterly_sheets",
    "reconcile",
]
