"""The Voila apps: each a function returning one ipywidgets tree; notebooks just call it.

Only this package (and ``toolkit.widgets``) imports ipywidgets: the layers below never do.
Kernel plumbing (offline charts, the served ledger, deep links) lives in ``toolkit.kernel``.
"""

from __future__ import annotations

from toolkit.kernel import ledger_location, open_ledger, query_params, start_app
from toolkit.store import LedgerMissing

__all__ = ["LedgerMissing", "ledger_location", "open_ledger", "query_params", "start_app"]
