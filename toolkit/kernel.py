"""Helpers an app notebook calls inside its kernel: offline charts, the ledger, deep-link parameters.

Why explicit calls rather than a kernel start-up hook: the same notebooks run in JupyterLab, in
nbclient tests and in Voila, and a first cell ``from toolkit.kernel import prepare_kernel;
prepare_kernel()`` behaves the same in all three, where IPython start-up files or kernelspec tweaks
would only exist on a machine set up by ``toolkit serve``.

Typical first cell of an app::

    from toolkit.kernel import start_app
    ledger, params = start_app()     # params: {"round": "R1", "unit": "U3"} from the page URL

or, spelled out (when an app wants slow set-up done before the request arrives)::

    prepare_kernel()                 # charts offline, before any chart is displayed
    ledger = open_ledger()           # imports and set-up here run while the kernel is preheated
    params = query_params()          # waits for the request when preheated
    ledger.refresh()                 # the kernel may have sat in the pool for hours: latest data
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl

LEDGER_ENV = "XUNCHA_LEDGER"

# SVG: crisp CJK text in the page's own fonts and testable marks (``.mark-rect path``); no actions
# menu, whose "Open in Vega Editor" would send the ledger's data to an outside site.
EMBED_OPTIONS = {"renderer": "svg", "actions": False}

_prepared = False


def prepare_kernel() -> None:
    """Make altair charts work with no network: inline Vega JS in the widget, no CDN.

    ``JupyterChart.enable_offline()`` embeds the Vega bundles that ``vl-convert-python`` ships;
    enabling the ``jupyter`` renderer with ``offline=True`` makes plain ``alt.Chart`` objects display
    as offline JupyterCharts too (the default renderers load Vega from a CDN). Idempotent.
    """
    global _prepared
    if _prepared:
        return
    import altair as alt

    alt.JupyterChart.enable_offline()
    alt.renderers.enable("jupyter", offline=True, embed_options=EMBED_OPTIONS)
    _prepared = True


def jupyter_chart(chart, **kwargs):
    """An offline ``alt.JupyterChart`` with our embed options; use it when Python reads selections."""
    import altair as alt

    prepare_kernel()
    kwargs.setdefault("embed_options", EMBED_OPTIONS)
    return alt.JupyterChart(chart, **kwargs)


def ledger_location() -> str:
    """The ledger this kernel serves: ``XUNCHA_LEDGER`` (set by ``toolkit serve``), else the
    repository's sample ledger (an analyst opening an app notebook in JupyterLab)."""
    from pathlib import Path

    default = Path(__file__).resolve().parents[1] / "sample_data" / "ledger.duckdb"
    return os.environ.get(LEDGER_ENV) or str(default)


def open_ledger():
    """Open the served ledger read-only (a :class:`toolkit.ledger.Ledger`)."""
    from toolkit.ledger import Ledger

    return Ledger.open(ledger_location())


def query_string() -> str:
    """The raw query string of the page request (``round=R1&unit=U3``), or ``""`` outside Voila.

    With preheated kernels (``toolkit serve`` default) the notebook starts running before anyone
    asks for the page, so ``QUERY_STRING`` is empty at that point; Voila's
    ``voila.utils.get_query_string`` blocks until the request arrives and then returns it. Cells
    above this call are pre-rendered (put the slow ledger work there); cells below it run per request.
    """
    if os.environ.get("VOILA_PREHEAT") == "True":
        from voila.utils import get_query_string

        return get_query_string() or ""
    return os.environ.get("QUERY_STRING", "")


def query_params() -> dict[str, str]:
    """Deep-link parameters as a dict (last value wins), e.g. ``{"round": "R1", "unit": "U3"}``.

    The access ``token`` is dropped so an app can never display or log it.
    """
    params = dict(parse_qsl(query_string(), keep_blank_values=False))
    params.pop("token", None)
    return params


def start_app():
    """Prepare the kernel, open the ledger, read the deep link: ``(ledger, params)``.

    The order matters under preheating: everything before :func:`query_params` runs before the
    request, and the ledger is refreshed after it so a kernel that waited in the pool does not show
    a ledger older than the latest published import.
    """
    prepare_kernel()
    ledger = open_ledger()
    params = query_params()
    ledger.refresh()
    return ledger, params
