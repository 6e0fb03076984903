"""Serve the notebooks as Voila apps for leaders: local-only, token-protected, no CDN.

Why this module exists: the apps show sensitive inspection ledgers, so how they are served is a
security decision, not a convenience. Every default here leans safe:

- Voila runs **standalone** (``python -m voila``), never as the JupyterLab server extension, so a
  leader's browser can reach rendered apps and nothing else (no file browser, no terminals, no code).
- It binds ``127.0.0.1`` unless a host is given, and requires a token (generated with
  :func:`secrets.token_urlsafe`) unless ``no_token=True`` is asked for explicitly.
- Tracebacks are never shown; idle kernels are culled so an office PC does not fill up with kernels.
- Kernels are preheated (a pool of 2 per notebook) so the first view is fast. Preheated kernels run
  the notebook *before* any request arrives, so apps must read deep-link query parameters through
  :func:`toolkit.kernel.query_params`, which waits for the request (see that module).
- Pages use our own template ``xuncha`` (Chinese title and loading message, nothing from a CDN).
- The ledger reaches kernels through the ``XUNCHA_LEDGER`` environment variable (an absolute path or a
  ``postgresql://`` URL); readers open it read-only.

:func:`voila_command` is pure (argv + environment) so the policy is unit-tested without a server;
:func:`serve` runs it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

LEDGER_ENV = "XUNCHA_LEDGER"
TEMPLATE_NAME = "xuncha"
TEMPLATE_DIR = Path(__file__).parent / "templates" / TEMPLATE_NAME
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_NOTEBOOK_DIR = REPO_ROOT / "notebooks"
DEFAULT_PORT = 8866
CULL_IDLE_TIMEOUT_S = 30 * 60  # a leader who walks away for half an hour gets a fresh kernel
CULL_INTERVAL_S = 5 * 60
POOL_SIZE = 2
_WILDCARD_HOSTS = {"", "0.0.0.0", "::"}


@dataclass(frozen=True)
class VoilaCommand:
    """What :func:`serve` will run: the argv, the extra environment, and the URL to print."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""


def ledger_location(ledger: str | os.PathLike) -> str:
    """What kernels get in ``XUNCHA_LEDGER``: URLs unchanged, file paths made absolute.

    Absolute, because Voila starts each kernel in the notebook's own directory.
    """
    from toolkit.store import is_url

    if is_url(ledger):
        return str(ledger)
    return str(Path(ledger).expanduser().resolve())


def app_url(host: str, port: int, token: str | None) -> str:
    """The URL a person opens, with the token in the query string as Jupyter prints it."""
    shown = "127.0.0.1" if host in _WILDCARD_HOSTS else host
    if ":" in shown:  # IPv6 literal
        shown = f"[{shown}]"
    base = f"http://{shown}:{port}/"
    return f"{base}?token={token}" if token else base


def voila_command(
    ledger: str | os.PathLike,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    token: str | None = None,
    no_token: bool = False,
    notebook_dir: str | os.PathLike = DEFAULT_NOTEBOOK_DIR,
    open_browser: bool = False,
    template_root: str | os.PathLike | None = None,
    pool_size: int = POOL_SIZE,
    python: str = sys.executable,
) -> VoilaCommand:
    """Build the Voila command line and environment; pure apart from generating a missing token.

    ``template_root`` is a Jupyter data directory holding ``voila/templates/xuncha`` (see
    :func:`template_root`); it is prepended to ``JUPYTER_PATH`` so Voila finds our template.
    """
    if no_token:
        token = None
    elif not token:
        token = secrets.token_urlsafe(32)
    argv = [
        python,
        "-m",
        "voila",
        str(Path(notebook_dir).resolve()),
        f"--Voila.ip={host}",
        f"--port={int(port)}",
        "--Voila.port_retries=0",  # fail on a busy port rather than move to one our printed URL lacks
        f"--Voila.open_browser={open_browser}",
        f"--token={token or ''}",
        f"--template={TEMPLATE_NAME}",
        "--theme=light",
        "--show_tracebacks=False",
        "--strip_sources=True",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_TIMEOUT_S}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
    ]
    if pool_size > 0:
        argv += ["--preheat_kernel=True", f"--pool_size={int(pool_size)}"]
    env = {LEDGER_ENV: ledger_location(ledger)}
    if template_root is not None:
        paths = [str(template_root)]
        if os.environ.get("JUPYTER_PATH"):
            paths.append(os.environ["JUPYTER_PATH"])
        env["JUPYTER_PATH"] = os.pathsep.join(paths)
    if host not in _WILDCARD_HOSTS:
        # voila.utils.wait_for_request (preheated kernels fetching their query string) dials
        # VOILA_APP_IP, which Voila leaves at 127.0.0.1: point it at the address we really bind.
        env["VOILA_APP_IP"] = host
    return VoilaCommand(argv=argv, env=env, url=app_url(host, port, token))


def template_root(into: str | os.PathLike) -> Path:
    """Lay out a Jupyter data directory ``<into>/voila/templates/xuncha`` pointing at our template.

    Voila only looks for templates under ``<jupyter path>/voila/templates/<name>``; the template
    ships as package data in ``toolkit/templates/xuncha`` so it works from an editable install and a
    wheel alike. A symlink keeps edits live; a copy is the fallback where symlinks are not allowed.
    """
    root = Path(into)
    target = root / "voila" / "templates" / TEMPLATE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        try:
            target.symlink_to(TEMPLATE_DIR, target_is_directory=True)
        except OSError:
            shutil.copytree(TEMPLATE_DIR, target)
    return root


def announce(url: str, ledger: str, *, no_token: bool) -> str:
    """The banner printed at start, Chinese first, like Jupyter prints its URL."""
    lines = [
        "巡察台账应用已启动，请在浏览器中打开 / Xuncha apps are being served at:",
        f"    {url}",
        f"台账 / ledger: {ledger}",
    ]
    if no_token:
        lines.append("警告：未设置访问令牌，任何能访问本端口的人都能查看台账 / WARNING: no token")
    lines.append("按 Ctrl+C 停止服务 / Press Ctrl+C to stop.")
    return "\n".join(lines)


def serve(
    ledger: str | os.PathLike,
    *,
    host: str = "127.0.0.1",
    port: int = DEFAULT_PORT,
    token: str | None = None,
    no_token: bool = False,
    notebook_dir: str | os.PathLike = DEFAULT_NOTEBOOK_DIR,
    open_browser: bool = False,
    pool_size: int = POOL_SIZE,
) -> int:
    """Run Voila on ``notebook_dir`` until interrupted; return its exit code (2: ledger missing)."""
    from toolkit.store import open_store

    location = ledger_location(ledger)
    if not open_store(location).exists():
        print(f"账本不存在 / ledger not found: {location}", file=sys.stderr)
        return 2
    if not Path(notebook_dir).is_dir():
        print(f"应用目录不存在 / notebook directory not found: {notebook_dir}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="xuncha-voila-") as tmp:
        cmd = voila_command(
            location,
            host=host,
            port=port,
            token=token,
            no_token=no_token,
            notebook_dir=notebook_dir,
            open_browser=open_browser,
            template_root=template_root(tmp),
            pool_size=pool_size,
        )
        print(announce(cmd.url, location, no_token=no_token), flush=True)
        proc = subprocess.Popen(cmd.argv, env={**os.environ, **cmd.env})
        # Forward SIGTERM (service managers, test fixtures) so Voila and its kernels stop with us.
        previous = signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
        try:
            code = proc.wait()
            if code > 0:
                print(
                    f"服务未能启动或异常退出（代码 {code}），见上方日志 / Voila exited with {code}",
                    file=sys.stderr,
                )
            return code
        except KeyboardInterrupt:
            proc.terminate()
            try:
                return proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                return proc.wait()
        finally:
            signal.signal(signal.SIGTERM, previous)
