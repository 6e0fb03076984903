"""Serve the notebooks as Voila apps for leaders: local-only, token-protected, no CDN, kernels returned.

Why this module exists: the apps show sensitive inspection ledgers on an office PC that many people
visit, so how they are served is a security and capacity decision, not a convenience. Every default
leans safe:

- Voila runs **standalone**, never as the JupyterLab server extension, so a leader's browser can
  reach rendered apps and nothing else (no file browser, no terminals, no code).
- It binds ``127.0.0.1`` unless a host is given, and requires a token (generated with
  :func:`secrets.token_urlsafe`) unless ``no_token=True`` is asked for explicitly. On a loopback bind
  the ``Host`` header must name a loopback address or ``localhost`` (no DNS rebinding). Kernels
  listen on Unix sockets in a private directory, not on TCP ports other users could reach.
- **Kernels come back.** A page that is closed or reloaded shuts its kernel down at once (its
  beacon is accepted because our page handler sets the ``_xsrf`` cookie Voila's beacon sends back;
  our template sends one too, on ``pagehide``). A page never opened by a browser (a bare GET) gives
  its kernel back after ``connect_timeout`` seconds, a page whose browser went away after
  ``idle_timeout``. At most ``max_kernels`` kernels run, the preheated pool included; beyond that a
  visitor gets the Chinese "访问人数较多，请稍后再试" page with HTTP 503.
- Kernels are preheated (a pool of 2 per notebook, refilled) so the first view is fast. Preheated
  kernels run the notebook *before* any request arrives, so apps read deep-link parameters through
  :func:`toolkit.kernel.query_params`, which waits for the request (see that module).
- Secrets never leave: the token is taken off each page request once it has been checked (so it
  reaches neither the kernel nor the access log), passes to the server process in its environment
  (not its command line, which every local user can read), and every line the server and its
  kernels print passes through :func:`clean_log_line` (token, ledger password, control characters).
- Kernel errors reach the browser as one sentence: the kernel-side handler is in
  :mod:`toolkit.kernel`; here every message to the browser is filtered too (:func:`sanitize_frame`).
- Pages use our own template ``xuncha`` (Chinese title, loading and busy pages, nothing from a CDN).
- The ledger reaches kernels through the ``XUNCHA_LEDGER`` environment variable (an absolute path or
  a ``postgresql://`` URL); readers open it read-only.

Two processes: ``toolkit serve`` runs :func:`serve` (checks, banner, supervision, redaction of the
server's output), which starts the server, ``python -m toolkit.serve`` (:func:`run_server`, our
Voila subclass from :func:`voila_app_class`). :func:`voila_command` is pure (argv + environment)
so the policy is unit-tested without a server.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import errno
import ipaddress
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit

from toolkit import chart_bundle as chart_bundles
from toolkit.kernel import ERROR_SENTENCE, LEDGER_ENV, SERVED_ENV
from toolkit.redaction import redact, redact_location

TOKEN_ENV = "XUNCHA_SERVE_TOKEN"  # how the token reaches the server process (never its argv)
TEMPLATE_NAME = "xuncha"
TEMPLATE_DIR = Path(__file__).parent / "templates" / TEMPLATE_NAME
DEFAULT_NOTEBOOK_DIR = Path(__file__).parent / "apps" / "served"  # shipped in the package (the wheel)
DEFAULT_PORT = 8866
POOL_SIZE = 2
MAX_KERNELS = 16  # ~300 MB each: ~5 GB on a 2-core office PC, the five apps' pool of 10 included
KERNEL_MB = 300  # what one app kernel holds, for the banner's estimate (see BENCHMARKS.md)
CONNECT_TIMEOUT_S = 60  # a page whose browser never connected (a bare GET, a crawler)
IDLE_TIMEOUT_S = 5 * 60  # a page whose browser went away without saying so (crash, sleep)
CULL_INTERVAL_S = 10
EXIT_REFUSED = 2  # toolkit.cli_errors.EXIT_REFUSED: not done (arguments, files, a busy port)
_WILDCARD_HOSTS = {"", "0.0.0.0", "::"}
_WS_V1 = "v1.kernel.websocket.jupyter.org"


@dataclass(frozen=True)
class VoilaCommand:
    """What :func:`serve` will run: the argv, the extra environment, and the URL to print."""

    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""


# ---------------------------------------------------------------- secrets


_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[@-_]")
# C0/C1 controls except tab and newline, DEL, bidirectional overrides: they rewrite a terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean_log_line(line: str, secrets_: tuple[str, ...] | list[str] = ()) -> str:
    """One line of server output made safe for a terminal and a log file: no colour codes, no
    control characters (ledger text is hostile), no secrets."""
    return redact(_CONTROL.sub("", _ANSI.sub("", line)), secrets_)


def ledger_secrets(ledger: str) -> tuple[str, ...]:
    """The password inside a ``postgresql://`` ledger URL (userinfo or ``?password=``), if any."""
    parts = urlsplit(ledger)
    found = [parts.password] if parts.scheme and parts.password else []
    found += [v for k, v in parse_qsl(parts.query) if k.lower() == "password"]
    return tuple(unquote(p) for p in found if p)


# ---------------------------------------------------------------- the command line


def ledger_location(ledger: str | os.PathLike) -> str:
    """What kernels get in ``XUNCHA_LEDGER``: URLs unchanged, file paths made absolute.

    Absolute, because Voila starts each kernel in the notebook's own directory.
    """
    from toolkit.store import is_url

    if is_url(ledger):
        return str(ledger)
    return str(Path(ledger).expanduser().resolve())


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the server on this PC (so the Host header can be checked)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def normalise_base_url(base_url: str) -> str:
    """``xuncha`` / ``/xuncha`` / ``/xuncha/`` -> ``/xuncha/``: the path prefix a reverse proxy
    forwards (``location /xuncha/``); the server answers only under it."""
    parts = [p for p in str(base_url).split("/") if p]
    if any(not re.fullmatch(r"[A-Za-z0-9._~-]+", p) for p in parts):
        raise ValueError(f"--base-url: only letters, digits and . _ ~ - between slashes, got {base_url!r}")
    return "/" + "".join(p + "/" for p in parts)


def app_url(host: str, port: int, token: str | None, base_url: str = "/") -> str:
    """The URL a person opens, with the token in the query string as Jupyter prints it."""
    shown = "127.0.0.1" if host in _WILDCARD_HOSTS else host
    if ":" in shown:  # IPv6 literal
        shown = f"[{shown}]"
    base = f"http://{shown}:{port}{normalise_base_url(base_url)}"
    return f"{base}?token={quote(token, safe='')}" if token else base


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
    chart_bundle: tuple[str | os.PathLike, str] | None = None,
    pool_size: int = POOL_SIZE,
    max_kernels: int = MAX_KERNELS,
    connect_timeout: int = CONNECT_TIMEOUT_S,
    idle_timeout: int = IDLE_TIMEOUT_S,
    base_url: str = "/",
    python: str = sys.executable,
) -> VoilaCommand:
    """Build the server's command line and environment; pure apart from generating a missing token.

    ``template_root`` is a Jupyter data directory holding ``voila/templates/xuncha`` (see
    :func:`template_root`); it is prepended to ``JUPYTER_PATH`` so Voila finds our template.
    ``chart_bundle`` is (a Jupyter data directory, a file name) from :func:`publish_chart_bundle`:
    the server hands the Vega bundle out as a static file and kernels are told its name.
    The token travels in the environment: a command line is readable by every user of the PC.
    """
    if no_token:
        token = None
    elif not token:
        token = secrets.token_urlsafe(32)
    argv = [
        python,
        "-m",
        "toolkit.serve",
        str(Path(notebook_dir).resolve()),
        f"--Voila.ip={host}",
        f"--port={int(port)}",
        "--Voila.port_retries=0",  # fail on a busy port rather than move to one our printed URL lacks
        f"--Voila.open_browser={open_browser}",
        f"--template={TEMPLATE_NAME}",
        "--theme=light",
        "--show_tracebacks=False",
        "--strip_sources=True",
        # A visitor's ?template=lab would swap in Voila's own template (CDN links, no beacon).
        "--VoilaConfiguration.allow_template_override=NO",
        "--VoilaConfiguration.allow_theme_override=NO",
        f"--XunchaVoila.max_kernels={int(max_kernels)}",
        f"--XunchaVoila.connect_timeout={int(connect_timeout)}",
        f"--XunchaVoila.check_host={is_loopback(host)}",
        f"--MappingKernelManager.cull_idle_timeout={int(idle_timeout)}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_S}",
        "--MappingKernelManager.cull_connected=False",
        "--MappingKernelManager.cull_busy=False",
    ]
    base_url = normalise_base_url(base_url)
    if base_url != "/":
        argv.append(f"--Voila.base_url={base_url}")  # every route, link and websocket under it
    if pool_size > 0:
        argv += ["--preheat_kernel=True", f"--pool_size={int(pool_size)}"]
    if os.name == "posix":
        # Kernels listen on Unix sockets in Voila's private (0700) directory, not on TCP ports
        # any user of the PC could reach.
        argv.append("--KernelManager.transport=ipc")
    env = {LEDGER_ENV: ledger_location(ledger), TOKEN_ENV: token or "", SERVED_ENV: "1"}
    paths = []
    if template_root is not None:
        paths.append(str(template_root))
    if chart_bundle is not None:
        paths.append(str(chart_bundle[0]))
        env[chart_bundles.MODULE_ENV] = chart_bundle[1]
    if paths:
        if os.environ.get("JUPYTER_PATH"):
            paths.append(os.environ["JUPYTER_PATH"])
        env["JUPYTER_PATH"] = os.pathsep.join(paths)
    if host not in _WILDCARD_HOSTS:
        # voila.utils.wait_for_request (preheated kernels fetching their query string) dials
        # VOILA_APP_IP, which Voila leaves at 127.0.0.1: point it at the address we really bind.
        env["VOILA_APP_IP"] = host
    return VoilaCommand(argv=argv, env=env, url=app_url(host, port, token, base_url))


def publish_chart_bundle(into: str | os.PathLike) -> tuple[Path, str] | None:
    """Lay out ``<into>/voila/templates/xuncha/static/<bundle>`` (a second Jupyter data directory:
    the template's own folder is the package's) so the server hands the Vega bundle out once per
    page; None (charts then carry the bundle themselves) when it cannot be built or written."""
    root = Path(into)
    try:
        name = chart_bundles.publish(root / "voila" / "templates" / TEMPLATE_NAME / "static")
    except Exception as err:  # noqa: BLE001 - slower charts, never no server
        print(f"图表脚本未能预先生成，图表将各自携带 / chart bundle not published: {err}", file=sys.stderr)
        return None
    return root, name


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


def announce(
    url: str,
    ledger: str,
    *,
    no_token: bool,
    max_kernels: int = MAX_KERNELS,
    preheated: int = 0,
) -> str:
    """The banner printed at start, Chinese first. The only place the token is ever printed."""
    lines = [
        "巡察台账应用已启动，请在浏览器中打开 / Xuncha apps are being served at:",
        f"    {url}",
        f"台账 / ledger: {redact_location(ledger)}",
        f"最多同时运行 {max_kernels} 个内核（含预热 {preheated} 个，每个约 {KERNEL_MB} MB），"
        f"页面关闭即回收 / at most {max_kernels} kernels ({preheated} preheated, ~{KERNEL_MB} MB each); "
        "a closed page gives its kernel back",
    ]
    if no_token:
        lines.append("警告：未设置访问令牌，任何能访问本端口的人都能查看台账 / WARNING: no token")
    lines.append("按 Ctrl+C 停止服务 / Press Ctrl+C to stop.")
    return "\n".join(lines)


def served_copy(notebook_dir: str | os.PathLike, target: Path) -> Path:
    """Copy only the top-level notebooks of ``notebook_dir`` into ``target`` and serve that.

    Sub-folders never reach a leader's browser: the workshop's solutions, the analyst's import
    page (which writes) and anything else kept beside the apps. Trainers project the workshop with
    ``toolkit serve --notebook-dir notebooks/workshop``. It also keeps Voila from preheating a
    kernel pool for every notebook in the tree.
    """
    target.mkdir(parents=True, exist_ok=True)
    for notebook in sorted(Path(notebook_dir).glob("*.ipynb")):
        shutil.copy2(notebook, target / notebook.name)
    return target


def port_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (a sentence), or None when it can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does
        try:
            sock.bind((host.strip("[]"), port))
        except OSError as err:
            if err.errno == errno.EADDRINUSE:
                return f"端口 {port} 已被占用 / port {port} is already in use"
            return f"无法在 {host}:{port} 上监听 / cannot listen on {host}:{port} ({err.strerror})"
    return None


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
    max_kernels: int = MAX_KERNELS,
    connect_timeout: int = CONNECT_TIMEOUT_S,
    idle_timeout: int = IDLE_TIMEOUT_S,
    base_url: str = "/",
) -> int:
    """Run the apps' server until interrupted; 0 when stopped, 2 (a sentence on stderr) when it
    cannot start: ledger or notebooks missing, limits that leave no room for a page, a busy port."""
    from toolkit.store import open_store

    location = ledger_location(ledger)
    if not open_store(location).exists():
        shown = redact_location(location)
        print(
            f"账本不存在：{shown}。请用 --ledger 指定账本（或设置环境变量 {LEDGER_ENV}）；还没有账本时，先运行"
            f" toolkit sample --out {shown} 生成样例台账。 / ledger not found: {shown}. Pass --ledger (or set "
            f"{LEDGER_ENV}); to start with the sample, run toolkit sample --out {shown}",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    if not Path(notebook_dir).is_dir():
        print(f"应用目录不存在 / notebook directory not found: {notebook_dir}", file=sys.stderr)
        return EXIT_REFUSED
    notebooks = len(list(Path(notebook_dir).glob("*.ipynb")))
    preheated = max(pool_size, 0) * notebooks
    if max_kernels <= preheated:
        print(
            f"--max-kernels {max_kernels} 不大于预热内核数 {preheated}（{notebooks} 个应用 × 每个 {pool_size} 个），"
            "没有页面可用；请调大 --max-kernels 或调小 --pool-size / "
            f"--max-kernels {max_kernels} leaves no kernel for a page: {preheated} are preheated "
            f"({notebooks} apps x pool {pool_size})",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    try:
        base_url = normalise_base_url(base_url)
    except ValueError as err:
        print(f"--base-url 无效 / invalid --base-url: {err}", file=sys.stderr)
        return EXIT_REFUSED
    problem = port_problem(host, port)
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_REFUSED
    with tempfile.TemporaryDirectory(prefix="xuncha-voila-") as tmp:
        served = served_copy(notebook_dir, Path(tmp) / "apps")
        cmd = voila_command(
            location,
            host=host,
            port=port,
            token=token,
            no_token=no_token,
            notebook_dir=served,
            open_browser=open_browser,
            template_root=template_root(tmp),
            chart_bundle=publish_chart_bundle(Path(tmp) / "charts"),
            pool_size=pool_size,
            max_kernels=max_kernels,
            connect_timeout=connect_timeout,
            idle_timeout=idle_timeout,
            base_url=base_url,
        )
        print(
            announce(cmd.url, location, no_token=no_token, max_kernels=max_kernels, preheated=preheated),
            flush=True,
        )
        hidden = (*ledger_secrets(location), cmd.env[TOKEN_ENV])
        return _supervise(cmd, hidden)


def _die_with_parent() -> None:
    """In the server process, before exec: be sent SIGTERM when ``toolkit serve`` dies (Linux),
    so a killed supervisor never leaves a server (and its kernels) running unwatched."""
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _pump(stream, secrets_: tuple[str, ...]) -> None:
    """Copy the server's output (its log and its kernels' stderr) to ours, line by line, cleaned."""
    for raw in iter(stream.readline, b""):
        line = clean_log_line(raw.decode("utf-8", errors="replace").rstrip("\r\n"), secrets_)
        # If our stderr is closed, keep draining so the server never blocks on a full pipe.
        with contextlib.suppress(OSError, ValueError):
            print(line, file=sys.stderr, flush=True)


def _supervise(cmd: VoilaCommand, secrets_: tuple[str, ...]) -> int:
    """Run the server; forward SIGTERM and Ctrl+C to it; 0 once it stopped, 2 if it failed."""
    preexec = _die_with_parent if sys.platform.startswith("linux") else None
    proc = subprocess.Popen(
        cmd.argv,
        env={**os.environ, **cmd.env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=preexec,  # before any thread of ours starts
    )
    pump = threading.Thread(target=_pump, args=(proc.stdout, secrets_), daemon=True)
    pump.start()
    # Forward SIGTERM (service managers, test fixtures) so Voila and its kernels stop with us.
    previous = signal.signal(signal.SIGTERM, lambda *_: proc.terminate())
    stopping = False
    try:
        code = proc.wait()
    except KeyboardInterrupt:
        stopping = True
        proc.terminate()
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            code = proc.wait()
    finally:
        signal.signal(signal.SIGTERM, previous)
        pump.join(timeout=5)  # a kernel orphaned by a crash may hold the pipe open: don't hang
    if code == 0 or stopping or code == -signal.SIGTERM:
        return 0
    print(f"服务异常退出（代码 {code}），见上方日志 / the server stopped with code {code}", file=sys.stderr)
    return EXIT_REFUSED


def kernel_processes(pid: int) -> list:
    """The kernel processes (``psutil.Process``) under a ``toolkit serve`` or server process:
    what an operator, a test or a benchmark counts to see kernels come back."""
    import psutil

    try:
        children = psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    kernels = []
    for child in children:
        try:
            if any("ipykernel_launcher" in part for part in child.cmdline()):
                kernels.append(child)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return kernels


# ---------------------------------------------------------------- what runs inside the server


def page_kernel_expired(
    *,
    connections: int,
    browser_seen: bool,
    busy: bool,
    quiet_s: float,
    connect_timeout_s: float,
    idle_timeout_s: float,
) -> bool:
    """Whether a page's kernel should be given back: nobody is connected and nothing happened for
    ``connect_timeout_s`` (no browser ever showed up for the page: a bare GET, a crawler) or
    ``idle_timeout_s`` (a browser came and went without its beacon, or is still loading the page's
    scripts on a busy machine, or the kernel is busy with no one watching). ``quiet_s``: seconds
    since the last kernel activity, hand-out or disconnection."""
    if connections > 0:
        return False
    limit = idle_timeout_s if (browser_seen or busy) else connect_timeout_s
    return quiet_s > limit


def drop_query_param(request, name: str) -> None:
    """Take ``name`` out of a tornado request (uri, query, arguments) once it has done its job."""
    if name not in request.query_arguments:
        return
    kept = [(k, v) for k, v in parse_qsl(request.query, keep_blank_values=True) if k != name]
    request.query = urlencode(kept)
    request.uri = request.path + (f"?{request.query}" if request.query else "")
    request.query_arguments.pop(name, None)
    request.arguments.pop(name, None)


def log_request(handler) -> None:
    """Tornado's access log, without secrets: pages and errors at INFO/WARNING, assets at DEBUG."""
    status, request = handler.get_status(), handler.request
    if status >= 500:
        level = logging.ERROR
    elif status >= 400:
        level = logging.WARNING
    elif "/voila/render/" in request.path or "/voila/api/shutdown/" in request.path:
        level = logging.INFO
    else:
        level = logging.DEBUG
    log = handler.settings.get("xuncha_log") or logging.getLogger("XunchaVoila")
    log.log(
        level,
        "%d %s %s (%s) %.0fms",
        status,
        request.method,
        clean_log_line(request.uri or ""),
        request.remote_ip,
        1000 * request.request_time(),
    )


SAFE_ERROR = {"ename": "Error", "evalue": ERROR_SENTENCE, "traceback": [ERROR_SENTENCE]}


def _sanitize(msg_type: str, content: dict) -> dict | None:
    """What the browser may see of one kernel message's content (None: nothing at all)."""
    if msg_type == "error":
        return dict(SAFE_ERROR)
    if msg_type == "execute_reply" and content.get("status") == "error":
        return {**content, **SAFE_ERROR}
    if msg_type == "stream" and content.get("name") == "stderr":
        return None
    return content


def sanitize_frame(frame: bytes | str, *, v1: bool) -> tuple[bytes | str | None, str | None]:
    """A websocket frame from a kernel to the browser, with tracebacks and stderr taken out.

    Returns ``(frame to send or None, text withheld for the server log or None)``. Frames in the
    ``v1.kernel.websocket.jupyter.org`` protocol (bytes) and the legacy JSON protocol (str) are
    understood; anything else, or anything that does not parse, passes untouched (binary comm
    messages carry no error, and jupyter_server builds every frame itself).
    """
    try:
        if v1 and isinstance(frame, bytes):
            return _sanitize_v1(frame)
        if isinstance(frame, str) and ('"error"' in frame or '"stream"' in frame):
            return _sanitize_json(frame)
    except (ValueError, TypeError, KeyError, AttributeError):
        pass
    return frame, None


def _sanitize_v1(frame: bytes) -> tuple[bytes | None, str | None]:
    """``sanitize_frame`` for the v1 protocol: count, offsets (little-endian uint64), channel,
    header, parent header, metadata, content, buffers."""
    count = int.from_bytes(frame[:8], "little")
    if count < 6 or 8 * (count + 1) > len(frame):
        return frame, None
    offsets = [int.from_bytes(frame[8 * (i + 1) : 8 * (i + 2)], "little") for i in range(count)]
    msg_type = json.loads(frame[offsets[1] : offsets[2]]).get("msg_type", "")
    if msg_type not in ("error", "execute_reply", "stream"):
        return frame, None
    content = json.loads(frame[offsets[4] : offsets[5]])
    safe = _sanitize(msg_type, content)
    if safe is content:
        return frame, None
    withheld = json.dumps(content, ensure_ascii=False)
    if safe is None:
        return None, withheld
    parts = [frame[offsets[i] : offsets[i + 1]] for i in range(count - 1)]
    parts[4] = json.dumps(safe).encode()
    new_offsets = [offsets[0]]
    for part in parts:
        new_offsets.append(new_offsets[-1] + len(part))
    head = b"".join(o.to_bytes(8, "little") for o in [len(new_offsets), *new_offsets])
    return head + b"".join(parts), withheld


def _sanitize_json(frame: str) -> tuple[str | None, str | None]:
    """``sanitize_frame`` for the legacy protocol: one JSON message per frame."""
    msg = json.loads(frame)
    content = msg.get("content", {})
    safe = _sanitize(msg.get("header", {}).get("msg_type", ""), content)
    if safe is content:
        return frame, None
    withheld = json.dumps(content, ensure_ascii=False)
    if safe is None:
        return None, withheld
    return json.dumps({**msg, "content": safe}), withheld


@dataclass(eq=False)
class _Reservation:
    """A page request choosing its kernel: counted against the cap until its kernel is known."""

    kernel_id: str | None = None


@dataclass
class _PageKernel:
    """A kernel serving a page: when it was handed out, whether a browser showed up for it (asked
    for the kernel or connected to it), when its last connection closed."""

    handed_out: float
    browser_seen: bool = False
    left_at: float | None = None


def _age_s(moment: dt.datetime) -> float:
    """Seconds since ``moment`` (jupyter_server keeps kernels' last activity in UTC)."""
    now = dt.datetime.now(dt.UTC)
    return (now - (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC))).total_seconds()


_RESERVATION: contextvars.ContextVar[_Reservation | None] = contextvars.ContextVar(
    "xuncha_page_reservation", default=None
)
# Browser websockets open on each kernel: closed when the kernel is shut down, so the page knows
# (jupyter_server leaves them open on a dead kernel; the page would wait forever).
_CHANNELS: dict[str, set] = {}


def page_kernel_manager(base: type) -> type:
    """Voila's kernel manager class ``base``, told which kernels serve pages (not the preheated
    pool), capped, and reclaiming page kernels by :func:`page_kernel_expired`.

    It sits above Voila's preheating class, so only the page handler's calls are seen here:
    ``get_rendered_notebook`` (a preheated kernel handed to a page) and ``start_kernel`` (a cold
    one, when the pool is empty); Voila's own pool refills call the class below.
    """
    from jupyter_core.utils import ensure_async
    from voila.request_info_handler import RequestInfoSocketHandler

    class PageKernelManager(base):
        max_kernels: int = MAX_KERNELS
        connect_timeout: int = CONNECT_TIMEOUT_S

        def __init__(self, **kwargs):
            self._pages: dict[str, _PageKernel] = {}
            self._opening: set[_Reservation] = set()
            super().__init__(**kwargs)

        # -- counting

        def preheated(self) -> int:
            """How many kernels the pools keep ready (counted against the cap whether started or not)."""
            pools = getattr(self, "_pools", {})
            config = getattr(self, "kernel_pools_config", {})
            default = config.get("default", {}).get("pool_size", 0)
            return sum(config.get(name, {}).get("pool_size", default) for name in pools)

        def pages_open(self) -> int:
            claimed = {r.kernel_id for r in self._opening}
            return len(self._opening) + len(self._pages.keys() - claimed)

        def full(self) -> bool:
            return self.pages_open() >= self.max_kernels - self.preheated()

        def is_page_kernel(self, kernel_id: str) -> bool:
            return kernel_id in self._pages

        def reserve(self) -> _Reservation:
            reservation = _Reservation()
            self._opening.add(reservation)
            _RESERVATION.set(reservation)
            return reservation

        def release(self, reservation: _Reservation) -> None:
            self._opening.discard(reservation)
            _RESERVATION.set(None)

        def _claim(self, kernel_id: str) -> None:
            self._pages[kernel_id] = _PageKernel(handed_out=time.monotonic())
            self.log.info("Kernel %s serves a page (%d open)", kernel_id, len(self._pages))
            reservation = _RESERVATION.get()
            if reservation is not None:
                reservation.kernel_id = kernel_id

        # -- the page handler's calls

        if hasattr(base, "get_rendered_notebook"):

            async def get_rendered_notebook(self, *args, **kwargs):
                result = await super().get_rendered_notebook(*args, **kwargs)
                self._claim(result[2])
                return result

        async def start_kernel(self, **kwargs):
            kernel_id = await ensure_async(super().start_kernel(**kwargs))
            self._claim(kernel_id)
            return kernel_id

        # -- browsers coming and going

        def kernel_model(self, kernel_id):
            # GET /api/kernels/<id>: our page guard asks as soon as the page config arrives, long
            # before the widgets connect on a busy machine (Voila's widget manager asks too).
            if kernel_id in self._pages:
                self._pages[kernel_id].browser_seen = True
            return super().kernel_model(kernel_id)

        def notify_connect(self, kernel_id):
            super().notify_connect(kernel_id)
            if kernel_id in self._pages:
                self._pages[kernel_id].browser_seen = True

        def notify_disconnect(self, kernel_id):
            super().notify_disconnect(kernel_id)
            if kernel_id in self._pages:
                self._pages[kernel_id].left_at = time.monotonic()

        async def shutdown_kernel(self, kernel_id, *args, **kwargs):
            self._pages.pop(kernel_id, None)
            RequestInfoSocketHandler._cache.pop(kernel_id, None)  # Voila keeps every request's info
            try:
                return await ensure_async(super().shutdown_kernel(kernel_id, *args, **kwargs))
            finally:
                for socket_ in list(_CHANNELS.pop(kernel_id, ())):
                    socket_.close(1001, "kernel shut down")

        # -- reclaiming

        async def cull_kernel_if_idle(self, kernel_id):
            page = self._pages.get(kernel_id)
            kernel = self._kernels.get(kernel_id)
            if page is None or kernel is None or getattr(kernel, "execution_state", "") == "dead":
                return await ensure_async(super().cull_kernel_if_idle(kernel_id))
            now = time.monotonic()
            quiet = min(
                _age_s(kernel.last_activity),
                now - page.handed_out,
                now - page.left_at if page.left_at is not None else float("inf"),
            )
            if page_kernel_expired(
                connections=self._kernel_connections.get(kernel_id, 0),
                browser_seen=page.browser_seen,
                busy=getattr(kernel, "execution_state", "") == "busy",
                quiet_s=quiet,
                connect_timeout_s=self.connect_timeout,
                idle_timeout_s=self.cull_idle_timeout,
            ):
                self.log.info(
                    "Giving back kernel %s: its page %s (quiet %.0f s)",
                    kernel_id,
                    "went away" if page.browser_seen else "was never opened by a browser",
                    quiet,
                )
                await ensure_async(self.shutdown_kernel(kernel_id))

        async def cull_kernels(self):
            await super().cull_kernels()
            self._refill_pools()

        def _refill_pools(self) -> None:
            """Drop preheated kernels that failed or died and top every pool up again (Voila
            refills a pool only when a page takes from it)."""
            pools = getattr(self, "_pools", None)
            if not pools:
                return
            for name, pool in pools.items():
                alive = []
                for task in pool:
                    if task.done():
                        if task.cancelled() or task.exception() is not None:
                            continue
                        kernel = self._kernels.get(task.result()["kernel_id"])
                        if kernel is None or getattr(kernel, "execution_state", "") == "dead":
                            continue
                    alive.append(task)
                if len(alive) < len(pool):
                    self.log.warning("Replacing %d preheated kernel(s) of %s", len(pool) - len(alive), name)
                pool[:] = alive
                self.fill_if_needed(delay=0, notebook_name=name)

    PageKernelManager.__name__ = PageKernelManager.__qualname__ = f"Page{base.__name__}"
    return PageKernelManager


def voila_app_class() -> type:
    """Our Voila application: Voila 0.5 with the handlers and kernel manager this module describes.

    Built on demand because importing Voila takes a second and ~50 MB: ``toolkit serve`` itself
    and every kernel import this module without ever needing it.
    """
    import tornado.web
    from jupyter_core.utils import ensure_async
    from jupyter_server.base.handlers import APIHandler
    from traitlets import Bool, Integer
    from voila import app as voila_app
    from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.kernel_websocket_handler import VoilaKernelWebsocketHandler

    class PageHandler(TornadoVoilaHandler):
        """A notebook page: refused (503) when the server is full; sets the ``_xsrf`` cookie the
        page's shutdown beacon needs; the token is dropped once checked."""

        async def prepare(self):
            await super().prepare()  # Host check, then the token (which sets the login cookie)
            if not self._finished:
                # ?template= and ?theme= are ignored (see voila_command) but would still make
                # Voila start a cold kernel instead of a preheated one.
                for name in ("token", "template", "theme"):
                    drop_query_param(self.request, name)

        @tornado.web.authenticated
        async def get(self, path=None):
            manager = self.kernel_manager
            if manager.full():
                self.log.warning(
                    "Server full (%d pages open): 503 for %s", manager.pages_open(), self.request.path
                )
                self.set_status(503)
                self.set_header("Retry-After", "30")
                self.set_header("Cache-Control", "no-store")
                self.finish(self.render_template("busy.html"))
                return
            self.xsrf_token  # noqa: B018 - reading it sets the cookie Voila's beacon sends back
            reservation = manager.reserve()
            try:
                await super().get(path)
            finally:
                manager.release(reservation)

    class ShutdownHandler(APIHandler):
        """The page's beacon when it closes: give its kernel back at once. Never a preheated kernel;
        a kernel already gone is fine (the page sends two beacons)."""

        @tornado.web.authenticated
        async def post(self, kernel_id):
            if self.kernel_manager.is_page_kernel(kernel_id):
                await ensure_async(self.kernel_manager.shutdown_kernel(kernel_id))
            self.set_status(204)
            self.finish()

    class ChannelsHandler(VoilaKernelWebsocketHandler):
        """Kernel messages to the browser, errors as one sentence, stderr kept in the server log."""

        async def open(self, kernel_id):
            await super().open(kernel_id)
            _CHANNELS.setdefault(kernel_id, set()).add(self)

        def on_close(self):
            _CHANNELS.get(getattr(self, "kernel_id", ""), set()).discard(self)
            super().on_close()

        def write_message(self, message, binary=False):
            safe, withheld = sanitize_frame(message, v1=self.selected_subprotocol == _WS_V1)
            if withheld is not None:
                self.log.info("Kernel output kept from the browser: %s", withheld[:2000])
            if safe is None:
                return None
            return super().write_message(safe, binary=binary)

    app_handlers = one_app_handlers()

    swaps = {
        TornadoVoilaHandler: PageHandler,
        VoilaShutdownKernelHandler: ShutdownHandler,
        VoilaKernelWebsocketHandler: ChannelsHandler,
    }

    class XunchaVoila(voila_app.Voila):
        """Voila 0.5 standalone, as ``toolkit serve`` runs it."""

        name = "xuncha-voila"
        max_kernels = Integer(MAX_KERNELS, help="Kernels running at most, the preheated ones included.").tag(
            config=True
        )
        connect_timeout = Integer(
            CONNECT_TIMEOUT_S, help="Seconds a page's kernel waits for its browser to connect."
        ).tag(config=True)
        check_host = Bool(True, help="Answer only requests whose Host is a loopback name.").tag(config=True)

        def init_settings(self):
            # Voila builds its kernel manager class inside init_settings; wrap what it builds.
            build = voila_app.voila_kernel_manager_factory
            voila_app.voila_kernel_manager_factory = lambda *a, **k: page_kernel_manager(build(*a, **k))
            try:
                settings = super().init_settings()
            finally:
                voila_app.voila_kernel_manager_factory = build
            if not hasattr(self.kernel_manager, "pages_open"):
                raise RuntimeError("this Voila version builds its kernel manager differently")
            self.kernel_manager.max_kernels = self.max_kernels
            self.kernel_manager.connect_timeout = self.connect_timeout
            settings.update(
                allow_remote_access=not self.check_host,
                local_hostnames=["localhost"],
                log_function=log_request,
                xuncha_log=self.log,
            )
            return settings

        def init_handlers(self):
            handlers = [(spec[0], swaps.get(spec[1], spec[1]), *spec[2:]) for spec in super().init_handlers()]
            if (Path(self.root_dir) / APP_NOTEBOOK).is_file():  # the leaders' app: / and old links open it
                handlers = app_handlers.routes(self.server_url) + handlers
            handlers = [
                (spec[0], app_handlers.login, *spec[2:]) if spec[0].endswith("/login") else spec
                for spec in handlers
            ]
            missing = set(swaps.values()) - {spec[1] for spec in handlers}
            if missing:
                raise RuntimeError(
                    f"this Voila version lacks the routes of {sorted(c.__name__ for c in missing)}"
                )
            return handlers

    return XunchaVoila


# ---------------------------------------------------------------- the one app: its doors


APP_NOTEBOOK = "app.ipynb"
# The five pages the app replaced, and the view each one's links now open.
OLD_PAGES = {
    "overview.ipynb": "overview",
    "round.ipynb": "round",
    "unit.ipynb": "unit",
    "tracker.ipynb": "tracker",
    "scoreboard.ipynb": "scoreboard",
}


def app_location(base_url: str, query: str, view: str | None = None) -> str:
    """Where ``/`` or an old page's link goes: the app, the link's parameters kept (the token
    too: the app page checks it and takes it off), ``view=`` added for an old page."""
    pairs = parse_qsl(query, keep_blank_values=True)
    if view and not any(k == "view" for k, _ in pairs):
        pairs.insert(0, ("view", view))
    target = f"{base_url.rstrip('/')}/voila/render/{APP_NOTEBOOK}"
    return target + (f"?{urlencode(pairs)}" if pairs else "")


def one_app_handlers():
    """Tornado handlers for the one app: ``/`` and the old pages' URLs redirect to it (one page,
    one preheated pool), and a link without the token gets our Chinese token page, which then
    continues to the linked state. Built on demand (imports jupyter_server)."""
    import jinja2
    from jupyter_server.base.handlers import JupyterHandler
    from voila.voila_identity_provider import VoilaLoginHandler

    login_page = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True)

    class ToApp(JupyterHandler):
        """302 to the app; JupyterHandler.prepare checks the Host first. No data here."""

        def initialize(self, view: str | None = None):
            self.view = view

        @_allow_unauthenticated
        def get(self, *_args):
            self.redirect(app_location(self.base_url, self.request.query, self.view))

    class LoginHandler(VoilaLoginHandler):
        """The token page, in Chinese; it posts to itself, so ``next`` (the linked state) is kept."""

        def _render(self, message=None):
            self.write(
                login_page.get_template("login.html").render(
                    action=self.request.uri, xsrf=self.xsrf_token.decode(), error=bool(message)
                )
            )

    class AppDoors:
        login = LoginHandler

        @staticmethod
        def routes(server_url: str) -> list:
            base = server_url.rstrip("/")
            found: list = [(base + "/", ToApp), (base + "/voila/tree/?", ToApp)]
            found += [
                (f"{base}/voila/render/{re.escape(p)}", ToApp, {"view": v}) for p, v in OLD_PAGES.items()
            ]
            return found

    return AppDoors


def _allow_unauthenticated(method):
    try:
        from jupyter_server.auth.decorator import allow_unauthenticated
    except ImportError:  # older jupyter_server: nothing to mark
        return method
    return allow_unauthenticated(method)


def run_server(argv: list[str] | None = None) -> None:
    """The server process (``python -m toolkit.serve DIR --Voila.ip=...``), started by :func:`serve`."""
    token = os.environ.pop(TOKEN_ENV, None)  # kernels inherit our environment: not the token
    if token is None:
        print(
            f"请用 toolkit serve 启动 / start the server with `toolkit serve` ({TOKEN_ENV} not set)",
            file=sys.stderr,
        )
        sys.exit(EXIT_REFUSED)
    voila_app_class().launch_instance(argv, token=token)


if __name__ == "__main__":
    run_server(sys.argv[1:])
