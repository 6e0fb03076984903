"""Helpers an app notebook calls inside its kernel: offline charts, the ledger, deep-link parameters,
and (in a kernel serving a leader's page) errors told as one sentence.

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

Where an app shows the ledger's location (the "ledger missing" message), it uses
:func:`redacted_ledger_location`: a ``postgresql://`` URL may carry a password.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
from collections.abc import Iterator
from urllib.parse import parse_qsl

from toolkit.location import LEDGER_ENV  # noqa: F401  (apps and serve read the name here)
from toolkit.redaction import redact_location

SERVED_ENV = "XUNCHA_SERVED"  # set by ``toolkit serve``: this kernel serves a leader's page

# What a leader's browser is told when something fails after the page has loaded (a widget
# callback, a comm); the traceback goes to the server log. Our template shows the same words.
ERROR_SENTENCE = (
    "此操作未能完成，请刷新页面重试；如仍出错，请联系巡察办信息员。\n"
    "This action could not be completed: reload the page and try again, "
    "or contact the office's information officer."
)

# SVG: crisp CJK text in the page's own fonts and testable marks (``.mark-rect path``); no actions
# menu, whose "Open in Vega Editor" would send the ledger's data to an outside site.
EMBED_OPTIONS = {"renderer": "svg", "actions": False}

# A chart whose width is "container" takes the width of the element around it. In a JupyterLab
# output area that element is an inline block sized by the chart itself, so the chart draws 0 px
# wide; outside a served app such a chart gets this width instead.
NOTEBOOK_CHART_WIDTH = 640

_prepared = False
_charts_offline = False


def prepare_kernel() -> None:
    """Make altair charts work with no network, and errors speak a sentence when served.

    Charts: :func:`offline_charts`. In a kernel started by ``toolkit serve`` it also installs
    :func:`install_error_sentences`. Idempotent.
    """
    global _prepared
    if _prepared:
        return
    if os.environ.get(SERVED_ENV) == "1":
        install_error_sentences()
    offline_charts()
    _prepared = True


def offline_charts() -> None:
    """离线图表: altair charts drawn with the Vega bundles ``vl-convert-python`` ships, never a CDN.

    ``JupyterChart.enable_offline()`` embeds the bundles in the widget (here from a cache, and in
    a served app fetched by URL: :mod:`toolkit.chart_bundle`); the ``jupyter`` renderer
    with ``offline=True`` makes a plain ``alt.Chart`` display as such an offline JupyterChart
    (altair's default renderers load Vega from jsDelivr) in JupyterLab, the notebook and Voila
    alike. Our version of that renderer also gives a ``width="container"`` chart
    :data:`NOTEBOOK_CHART_WIDTH` pixels outside a served app. Idempotent.
    """
    global _charts_offline
    if _charts_offline:
        return
    import altair as alt

    from toolkit import chart_bundle

    served = os.environ.get(SERVED_ENV) == "1"
    chart_bundle.use_offline(chart_bundle.served_name() if served else None)
    alt.renderers.enable("jupyter")
    altair_jupyter = alt.renderers.get()  # altair's own, before ours takes its name

    def jupyter(spec: dict, **metadata):
        if os.environ.get(SERVED_ENV) != "1":
            spec = fixed_width(spec, NOTEBOOK_CHART_WIDTH)
        return altair_jupyter(spec, **metadata)

    alt.renderers.register("jupyter", jupyter)
    alt.renderers.enable("jupyter", offline=True, embed_options=EMBED_OPTIONS)
    _charts_offline = True


def fixed_width(spec: dict, width: int) -> dict:
    """A copy of a Vega-Lite spec with every ``"width": "container"`` replaced by ``width``."""
    if isinstance(spec, dict):
        return {
            key: width if key == "width" and value == "container" else fixed_width(value, width)
            for key, value in spec.items()
        }
    if isinstance(spec, list):
        return [fixed_width(item, width) for item in spec]
    return spec


def jupyter_chart(chart, **kwargs):
    """An offline ``alt.JupyterChart`` with our embed options; use it when Python reads selections."""
    import altair as alt

    prepare_kernel()
    kwargs.setdefault("embed_options", EMBED_OPTIONS)
    return alt.JupyterChart(chart, **kwargs)


def ledger_location() -> str:
    """The ledger this kernel serves: ``XUNCHA_LEDGER`` (set by ``toolkit serve``), else the
    repository's sample ledger (an analyst opening an app notebook in JupyterLab)."""
    from toolkit.location import default_location

    return default_location()


def redacted_ledger_location() -> str:
    """:func:`ledger_location` fit for a page: what an app shows when the ledger is missing."""
    return redact_location(ledger_location())


class AppError(Exception):
    """What the browser is told failed; the real exception is in the server log."""


def _server_log_stream():
    """The server's stderr. ipykernel forwards whatever reaches fd 2 to the browser (and echoes it
    to its saved copy of the original fd 2): write to that copy, so the traceback stays on the server."""
    fd = getattr(sys.stderr, "_original_stdstream_copy", None)
    if isinstance(fd, int):
        try:
            return os.fdopen(fd, "w", encoding="utf-8", errors="replace", closefd=False)
        except OSError:
            pass
    return sys.__stderr__


_LOG_FORMAT = logging.Formatter("[%(levelname).1s %(asctime)s %(name)s] %(message)s")


class _SentenceHandler(logging.Handler):
    """Root log handler of a served kernel: records go to the server log; an error with a
    traceback (a failed comm_open, an exception in a comm message) also shows the sentence."""

    def __init__(self, shell, stream):
        super().__init__(logging.WARNING)
        self.shell, self.stream = shell, stream
        self.setFormatter(_LOG_FORMAT)

    def emit(self, record: logging.LogRecord) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.stream.write(self.format(record) + "\n")
            self.stream.flush()
        if record.exc_info and threading.current_thread() is threading.main_thread():
            _show_sentence(self.shell)


def _show_sentence(shell) -> None:
    """Publish :data:`ERROR_SENTENCE` as the error of the message being handled."""
    with contextlib.suppress(Exception):  # reporting an error must never raise another
        shell._showtraceback(AppError, ERROR_SENTENCE, [ERROR_SENTENCE])


def install_error_sentences(shell=None) -> bool:
    """In a kernel serving a leader's page: every traceback goes to the server log, the browser
    gets :data:`ERROR_SENTENCE` instead (a widget callback raising, a failed ``comm_open``, a cell).

    Replaces the shell's ``showtraceback`` (ipywidgets calls it for a failing callback; IPython
    for a failing cell) and puts a handler on the root logger (the comm managers log their
    failures with no handler of their own, which ipykernel would forward to the browser).
    Returns False outside a kernel. Idempotent.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "_showtraceback") or not hasattr(shell, "kernel"):
        return False
    if getattr(shell, "_xuncha_sentences", False):
        return True
    stream = _server_log_stream()
    log = logging.getLogger("xuncha.kernel")
    handler = _SentenceHandler(shell, stream)
    log.propagate = False
    to_server = logging.StreamHandler(stream)
    to_server.setFormatter(_LOG_FORMAT)
    log.addHandler(to_server)

    def showtraceback(exc_tuple=None, *args, **kwargs):
        etype, value, tb = exc_tuple or sys.exc_info()
        if value is not None:
            log.error("Error in an app kernel", exc_info=(etype, value, tb))
        _show_sentence(shell)

    shell.showtraceback = showtraceback
    shell.showsyntaxerror = lambda *args, **kwargs: showtraceback()
    logging.getLogger().addHandler(handler)
    shell._xuncha_sentences = True
    return True


def open_ledger():
    """Open the served ledger read-only (a :class:`toolkit.ledger.Ledger`)."""
    from toolkit.ledger import Ledger

    return Ledger.open(ledger_location())


def query_string(while_waiting: Iterator[object] | None = None) -> str:
    """The raw query string of the page request (``round=R1&unit=U3``), or ``""`` outside Voila.

    With preheated kernels (``toolkit serve`` default) the notebook starts running before anyone
    asks for the page, so ``QUERY_STRING`` is empty at that point; Voila's
    ``voila.utils.get_query_string`` blocks until the request arrives and then returns it. Cells
    above this call are pre-rendered (put the slow ledger work there); cells below it run per request.

    ``while_waiting``: short steps of work worth doing before the page is asked for (queries the
    first moves will need). They run one at a time while the kernel waits in the pool, and stop
    at the first step after the request arrives, so a request waits for one step at most. A
    failing step is logged and ends them.
    """
    if os.environ.get("VOILA_PREHEAT") != "True":
        return os.environ.get("QUERY_STRING", "")
    from voila.utils import get_query_string

    if while_waiting is None:
        return get_query_string() or ""
    arrived = threading.Event()
    outcome: dict[str, object] = {}

    def wait() -> None:
        try:
            outcome["query"] = get_query_string() or ""
        except BaseException as err:  # noqa: BLE001 - raised again in the notebook's thread
            outcome["error"] = err
        finally:
            arrived.set()

    threading.Thread(target=wait, name="xuncha-wait-for-request", daemon=True).start()
    try:
        for _ in while_waiting:
            if arrived.is_set():
                break
    except Exception:
        logging.getLogger("toolkit.kernel").exception("work while waiting for the request failed")
    arrived.wait()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return str(outcome["query"])


def query_params(while_waiting: Iterator[object] | None = None) -> dict[str, str]:
    """Deep-link parameters as a dict (last value wins), e.g. ``{"round": "R1", "unit": "U3"}``;
    ``while_waiting`` as in :func:`query_string`.

    The access ``token`` is dropped so an app can never display or log it.
    """
    params = dict(parse_qsl(query_string(while_waiting), keep_blank_values=False))
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
