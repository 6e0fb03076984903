"""Real-browser harness: ``toolkit serve`` in a subprocess, headless Debian Chromium via Playwright.

Why: what leaders see is what the browser renders (widgets, Vega charts, CJK fonts, the loading
screen), and the security promises (token, loopback bind, no CDN) only hold if checked end to end.

Fixtures other browser tests use:

- ``voila_server`` (session): the app notebook shipped in the package, served against ``served_ledger``.
- ``serve_notebooks`` (session): ``serve_notebooks(notebook_dir, ledger=None, options=()) -> VoilaServer``
  for a test's own notebook directory (``options``: more ``toolkit serve`` options); servers are
  started once per (dir, ledger, options) and stopped at the end. ``VoilaServer.kernels()`` lists
  its kernel processes.
- ``served_ledger`` (session): path of the ledger served (an empty ledger unless overridden).
- ``browser`` (session), ``page`` (function; Chinese locale; every request recorded).
- ``request_monitor`` (function): ``.external`` lists requests whose host is not loopback;
  tests assert it is empty (no CDN).
- ``screenshot(name) -> Path``: a PNG in ``test-artifacts/screenshots/``.
- ``wait_for_voila`` (function): ``wait_for_voila(page, text=None, selector=None, timeout_ms=120_000)``.

Without Chromium or a CJK font every browser test is skipped, loudly, naming the install command.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO / "test-artifacts" / "screenshots"


def _find_chromium() -> str | None:
    """Debian's Chromium (``XUNCHA_CHROMIUM`` overrides); never a Playwright-downloaded build."""
    if os.environ.get("XUNCHA_CHROMIUM"):
        return os.environ["XUNCHA_CHROMIUM"] if Path(os.environ["XUNCHA_CHROMIUM"]).exists() else None
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = _find_chromium()
INSTALL_HINT = "sudo apt-get install -y chromium fonts-noto-cjk"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
SERVER_START_TIMEOUT_S = 90
NAVIGATION_TIMEOUT_MS = 120_000


def missing_prerequisites() -> str | None:
    """Why browser tests cannot run here, or None when they can."""
    missing = []
    if CHROMIUM is None:
        missing.append(f"Chromium ({os.environ.get('XUNCHA_CHROMIUM', '/usr/bin/chromium')})")
    if not _has_cjk_font():
        missing.append("a CJK font (fonts-noto-cjk)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("python playwright (pip install -e '.[dev]')")
    if not missing:
        return None
    return f"BROWSER TESTS SKIPPED: missing {' and '.join(missing)}. Install with: {INSTALL_HINT}"


def _has_cjk_font() -> bool:
    if shutil.which("fc-list"):
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True).stdout
        return bool(out.strip())
    return any(Path(p).exists() for p in ("/usr/share/fonts/opentype/noto", "/usr/share/fonts/truetype/noto"))


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    reason = missing_prerequisites()
    for item in items:
        if here not in Path(str(item.fspath)).parents:
            continue
        item.add_marker(pytest.mark.browser)
        if reason:
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_report_header(config):
    reason = missing_prerequisites()
    return reason or f"browser tests: chromium at {CHROMIUM}"


# ---------------------------------------------------------------- the server


@dataclass
class VoilaServer:
    """A running ``toolkit serve``: where it listens, its token, and its log."""

    base_url: str
    token: str
    port: int
    notebook_dir: Path
    ledger: str
    log_path: Path
    proc: subprocess.Popen = field(repr=False)

    def url(self, notebook: str = "", *, token: bool = True, **query: str) -> str:
        """URL of a rendered notebook (or the tree when ``notebook`` is empty), token included."""
        params = {"token": self.token} if token else {}
        params.update(query)
        path = f"voila/render/{notebook}" if notebook else ""
        qs = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}{path}{qs}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kernels(self) -> list:
        """The server's kernel processes (psutil), the preheated pool included."""
        from toolkit.serve import kernel_processes

        return kernel_processes(self.proc.pid)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=2)
        return True
    except urllib.error.HTTPError:
        return True  # a 302/403 is an answer: the server is up
    except OSError:
        return False


def start_server(
    notebook_dir: Path | None,
    ledger: str,
    log_path: Path,
    *,
    pool_size: int = 2,
    options: tuple[str, ...] = (),
    toolkit: tuple[str, ...] = (sys.executable, "-m", "toolkit.cli"),
    cwd: Path = REPO,
) -> VoilaServer:
    """Start ``toolkit serve`` (the real CLI; ``toolkit``: how to run it, by default this checkout's)
    and wait until it answers HTTP. ``notebook_dir`` None: the app the package ships."""
    port = free_port()
    token = "test-" + os.urandom(8).hex()
    argv = [
        *toolkit, "serve",
        "--ledger", str(ledger),
        "--port", str(port),
        "--token", token,
        *(["--notebook-dir", str(notebook_dir)] if notebook_dir else []),
        "--pool-size", str(pool_size),
        *options,
    ]  # fmt: skip
    log = log_path.open("wb")
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True)
    server = VoilaServer(
        f"http://127.0.0.1:{port}/", token, port, Path(notebook_dir or "."), str(ledger), log_path, proc
    )
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"toolkit serve exited with {proc.returncode}:\n{server.log()}")
        if _answers(server.base_url):
            return server
        time.sleep(0.3)
    stop_server(server)
    raise RuntimeError(f"toolkit serve did not answer within {SERVER_START_TIMEOUT_S} s:\n{server.log()}")


def stop_server(server: VoilaServer) -> None:
    """SIGTERM the CLI (it forwards to Voila, which stops its kernels); SIGKILL the group after 20 s."""
    if server.proc.poll() is None:
        server.proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            server.proc.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(server.proc.pid, signal.SIGKILL)  # whatever is left of the session's processes
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.proc.wait(timeout=10)


@pytest.fixture(scope="session")
def served_ledger(tmp_path_factory) -> str:
    """The ledger the session's servers read: a fresh empty ledger (override for real data)."""
    from toolkit.ledger import Ledger

    path = tmp_path_factory.mktemp("ledger") / "ledger.duckdb"
    Ledger.create(path).close()
    return str(path)


@pytest.fixture(scope="session")
def serve_notebooks(tmp_path_factory, served_ledger):
    """Factory: ``serve_notebooks(notebook_dir, ledger=None, options=()) -> VoilaServer``, cached,
    stopped at exit."""
    servers: dict[tuple[str, str, tuple[str, ...]], VoilaServer] = {}

    def start(
        notebook_dir: str | os.PathLike, ledger: str | None = None, options: tuple[str, ...] = ()
    ) -> VoilaServer:
        key = (str(Path(notebook_dir).resolve()), str(ledger or served_ledger), tuple(options))
        if key not in servers:
            log_path = tmp_path_factory.mktemp("serve") / "serve.log"
            servers[key] = start_server(Path(key[0]), key[1], log_path, options=key[2])
        return servers[key]

    yield start
    for server in servers.values():
        stop_server(server)


@pytest.fixture(scope="session")
def voila_server(serve_notebooks) -> VoilaServer:
    """The repository's app notebooks, served like ``toolkit serve`` does for leaders."""
    from toolkit.serve import DEFAULT_NOTEBOOK_DIR

    return serve_notebooks(DEFAULT_NOTEBOOK_DIR)


# ---------------------------------------------------------------- the browser


@dataclass
class RequestMonitor:
    """Every request the page made; ``external`` are those leaving the machine (must stay empty)."""

    all: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)

    def record(self, url: str) -> None:
        self.all.append(url)
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about", "chrome", "chrome-extension"):
            return
        if (parts.hostname or "") not in LOOPBACK:
            self.external.append(url)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def request_monitor() -> RequestMonitor:
    return RequestMonitor()


@pytest.fixture
def page(browser, request_monitor):
    """A fresh page (zh-CN, 1280x900) whose every request and websocket is recorded."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    context.on("request", lambda req: request_monitor.record(req.url))
    pg = context.new_page()
    # Voila streams the page while cells run: "load" fires only at the end, slow on a busy machine.
    pg.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    pg.set_default_timeout(NAVIGATION_TIMEOUT_MS)
    pg.on("websocket", lambda ws: request_monitor.record(ws.url))
    yield pg
    context.close()


@pytest.fixture
def screenshot(page):
    """``screenshot(name) -> Path``: full-page PNG in test-artifacts/screenshots/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOT_DIR / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def _wait_for_voila(
    page, text: str | None = None, selector: str | None = None, timeout_ms: int = NAVIGATION_TIMEOUT_MS
) -> None:
    """Wait until Voila has shown the cells (loading screen gone), then for ``selector``/``text``.

    Generous default: a cold first view takes ~5 s, a loaded CI machine (or ``pytest -n``, where
    each worker starts its own servers and kernel pools) much longer. Navigate with
    ``page.goto(url, wait_until="commit")`` and let this do the waiting.
    """
    page.wait_for_selector("#rendered_cells", state="visible", timeout=timeout_ms)
    page.wait_for_selector("#loading", state="detached", timeout=timeout_ms)
    if selector:
        page.wait_for_selector(selector, state="visible", timeout=timeout_ms)
    if text:
        page.get_by_text(text).first.wait_for(state="visible", timeout=timeout_ms)


@pytest.fixture
def wait_for_voila():
    """``wait_for_voila(page, text=None, selector=None, timeout_ms=120_000)``: see ``_wait_for_voila``."""
    return _wait_for_voila
