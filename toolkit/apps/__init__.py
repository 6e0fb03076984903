"""The leaders' app: one page, one kernel, five views (``toolkit.apps.router``); and the analyst's
import page (``toolkit.apps.importer``).

Only this package (and ``toolkit.widgets``) imports ipywidgets: the layers below never do.
Kernel plumbing (offline charts, the served ledger, deep links) lives in ``toolkit.kernel``.
The served notebook ``toolkit/apps/served/app.ipynb`` (shipped in the package) calls :func:`app`.
"""

from __future__ import annotations

from toolkit.kernel import ledger_location, open_ledger, query_params, start_app
from toolkit.store import LedgerMissing


def app():
    """The app for the page being served (or a sentence saying what is missing)."""
    from toolkit.apps.router import launch

    return launch()


__all__ = ["LedgerMissing", "app", "ledger_location", "open_ledger", "query_params", "start_app"]
