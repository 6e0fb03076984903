"""The Vega bundle altair's offline ``JupyterChart`` needs: built once per installed version, kept on
disk, and in a served app fetched by the browser once per page rather than once per chart.

Why: ``JupyterChart.enable_offline()`` has vl-convert bundle Vega, Vega-Lite and vega-embed
(~0.9 MB of JavaScript) in every kernel, 1.5-3 s of each kernel's start, and every chart widget
then carries the whole bundle: 0.9 MB per chart over the websocket, compiled again by the browser
for each chart (the overview draws three). Here:

- :func:`bundle_text` builds the bundle exactly as altair does, once per (altair, vl-convert,
  Vega-Lite) version, into the user's cache (written whole or not at all);
- :func:`publish` puts it where ``toolkit serve``'s server hands it out as a static file, and
  :func:`served_module` is the three-line module each chart then carries: it imports the bundle
  by URL, so the browser fetches and compiles it once per page (and caches it across pages);
- :func:`use_offline` installs either on ``JupyterChart``, as ``enable_offline()`` would.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from pathlib import Path

CACHE_ENV = "XUNCHA_CACHE_DIR"  # where built bundles are kept (default: the user's cache folder)
MODULE_ENV = "XUNCHA_CHART_MODULE"  # set by ``toolkit serve``: the bundle's file name on the server
STATIC_ROUTE = "voila/static/"  # the server's route for its template's static files
NAME = re.compile(r"vega-bundle-[0-9a-f]{20}\.js")


def cache_dir() -> Path:
    """``$XUNCHA_CACHE_DIR``, else ``$XDG_CACHE_HOME/xuncha-toolkit``, else ``~/.cache/xuncha-toolkit``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "xuncha-toolkit"


def _source_and_version() -> tuple[str, str]:
    """altair's chart module without its CDN imports (as ``enable_offline`` strips them), and
    the Vega-Lite version vl-convert is to bundle."""
    from altair.jupyter.jupyter_chart import load_js_src
    from altair.utils._importers import vl_version_for_vl_convert

    lines = load_js_src().split("\n")
    while lines and (not lines[0].strip() or lines[0].startswith(("import", "//"))):
        lines.pop(0)
    return "\n".join(lines), vl_version_for_vl_convert()


def bundle_name() -> str:
    """The bundle's file name: it changes whenever altair, vl-convert or the chart module does."""
    import altair
    import vl_convert

    source, vl_version = _source_and_version()
    key = "\0".join((altair.__version__, vl_convert.__version__, vl_version, source))
    return f"vega-bundle-{hashlib.sha256(key.encode()).hexdigest()[:20]}.js"


def bundle_text() -> str:
    """The bundle, from the cache when it was built before; built (and cached) otherwise. A cache
    that cannot be written (read-only home) only costs the build."""
    path = cache_dir() / bundle_name()
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return path.read_text(encoding="utf-8")
    import vl_convert

    source, vl_version = _source_and_version()
    text = vl_convert.javascript_bundle(source, vl_version=vl_version)
    with contextlib.suppress(OSError):
        _write_whole(path, text)
    return text


def _write_whole(path: Path, text: str) -> None:
    """Write to a temporary file beside ``path`` and rename: a killed build leaves no half file.
    A folder made here is the user's alone: what is in it runs in leaders' browsers."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".js")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def publish(static_dir: str | os.PathLike) -> str:
    """Put the bundle in ``static_dir`` (served under :data:`STATIC_ROUTE`); returns its file name."""
    name = bundle_name()
    target = Path(static_dir) / name
    if not target.exists():
        _write_whole(target, bundle_text())
    return name


def served_module(name: str) -> str:
    """The module a served chart carries: it imports the published bundle by URL.

    anywidget loads a widget's module from a blob URL, where a relative import would not resolve;
    the absolute URL is made in the browser from the page's base URL (which also holds behind a
    reverse proxy's prefix). The browser keeps one copy of a module per URL.
    """
    path = json.dumps(STATIC_ROUTE + name)
    return (
        'const config = JSON.parse(document.getElementById("jupyter-config-data").textContent);\n'
        f"const bundle = await import(new URL(config.baseUrl + {path}, location.href).href);\n"
        "export default bundle.default;\n"
    )


def served_name() -> str | None:
    """The bundle ``toolkit serve`` published (:data:`MODULE_ENV`), or None outside it."""
    name = os.environ.get(MODULE_ENV, "")
    return name if NAME.fullmatch(name) else None


def use_offline(published: str | None = None) -> None:
    """What ``JupyterChart.enable_offline()`` does, from the cache; with ``published`` (a bundle
    :func:`publish` put on the server) each chart carries only :func:`served_module`."""
    import altair as alt

    alt.JupyterChart._esm = served_module(published) if published else bundle_text()
    alt.JupyterChart._is_offline = True
