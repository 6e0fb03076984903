"""The serving policy, checked on the command line we build and on the server's parts (no server)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import json
import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from toolkit import kernel, serve
from toolkit.cli import main

TOKEN = serve.TOKEN_ENV


def opts(cmd: serve.VoilaCommand) -> dict[str, str]:
    """``--Name=value`` options of the argv as a dict."""
    out = {}
    for arg in cmd.argv:
        if arg.startswith("--") and "=" in arg:
            key, value = arg[2:].split("=", 1)
            out[key] = value
    return out


# ---------------------------------------------------------------- the command line


def test_runs_our_voila_standalone_on_the_notebook_dir(tmp_path):
    cmd = serve.voila_command(tmp_path / "l.duckdb", notebook_dir=tmp_path)
    assert cmd.argv[1:3] == ["-m", "toolkit.serve"]
    assert str(tmp_path.resolve()) in cmd.argv
    assert not any("jupyter" in a and "lab" in a for a in cmd.argv)


def test_binds_loopback_by_default_and_checks_the_host_header():
    cmd = serve.voila_command("l.duckdb")
    assert opts(cmd)["Voila.ip"] == "127.0.0.1"
    assert opts(cmd)["XunchaVoila.check_host"] == "True"
    assert cmd.url.startswith("http://127.0.0.1:8866/")


@pytest.mark.parametrize(
    ("host", "checked"),
    [("127.0.0.1", True), ("::1", True), ("localhost", True), ("0.0.0.0", False), ("10.1.2.3", False)],
)
def test_host_header_checked_only_on_loopback_binds(host, checked):
    assert serve.is_loopback(host) is checked
    assert opts(serve.voila_command("l.duckdb", host=host))["XunchaVoila.check_host"] == str(checked)


def test_host_and_port_when_given():
    cmd = serve.voila_command("l.duckdb", host="10.1.2.3", port=9000, token="t0ken")
    assert opts(cmd)["Voila.ip"] == "10.1.2.3"
    assert opts(cmd)["port"] == "9000"
    assert opts(cmd)["Voila.port_retries"] == "0"
    assert cmd.url == "http://10.1.2.3:9000/?token=t0ken"
    assert cmd.env["VOILA_APP_IP"] == "10.1.2.3"  # preheated kernels fetch their query string there


def test_token_generated_travels_in_the_environment_never_the_command_line():
    a, b = serve.voila_command("l.duckdb"), serve.voila_command("l.duckdb")
    token = a.env[TOKEN]
    assert len(token) >= 32
    assert token != b.env[TOKEN]
    assert a.url == f"http://127.0.0.1:8866/?token={token}"
    assert not any(token in arg for arg in a.argv)  # /proc/<pid>/cmdline is readable by every user
    assert "token" not in opts(a)


def test_given_token_used():
    cmd = serve.voila_command("l.duckdb", token="s3cret-token")
    assert cmd.env[TOKEN] == "s3cret-token"
    assert cmd.url.endswith("?token=s3cret-token")


def test_a_token_with_odd_characters_still_makes_a_working_url():
    assert serve.voila_command("l.duckdb", token="a b&c=d").url.endswith("?token=a%20b%26c%3Dd")


def test_no_token_only_when_explicit():
    cmd = serve.voila_command("l.duckdb", token="ignored", no_token=True)
    assert cmd.env[TOKEN] == ""
    assert "token" not in cmd.url


def test_tracebacks_off_kernels_reclaimed_template_set_preheat():
    o = opts(serve.voila_command("l.duckdb"))
    assert o["show_tracebacks"] == "False"
    assert o["MappingKernelManager.cull_idle_timeout"] == str(serve.IDLE_TIMEOUT_S) == "300"
    assert o["MappingKernelManager.cull_interval"] == str(serve.CULL_INTERVAL_S)
    assert o["MappingKernelManager.cull_connected"] == "False"  # an open page keeps its kernel
    assert o["XunchaVoila.connect_timeout"] == "60"
    assert o["XunchaVoila.max_kernels"] == "16"
    assert o["template"] == "xuncha"
    assert o["VoilaConfiguration.allow_template_override"] == "NO"  # no ?template=lab for visitors
    assert o["VoilaConfiguration.allow_theme_override"] == "NO"
    assert o["preheat_kernel"] == "True"
    assert o["pool_size"] == "2"
    assert o["Voila.open_browser"] == "False"


def test_limits_when_given():
    o = opts(serve.voila_command("l.duckdb", max_kernels=5, connect_timeout=7, idle_timeout=40))
    assert o["XunchaVoila.max_kernels"] == "5"
    assert o["XunchaVoila.connect_timeout"] == "7"
    assert o["MappingKernelManager.cull_idle_timeout"] == "40"


def test_kernels_listen_on_unix_sockets_not_tcp_ports():
    transport = opts(serve.voila_command("l.duckdb")).get("KernelManager.transport")
    assert transport == ("ipc" if os.name == "posix" else None)  # Windows has no Unix sockets


def test_pool_size_zero_disables_preheat():
    assert "preheat_kernel" not in opts(serve.voila_command("l.duckdb", pool_size=0))


def test_kernels_know_they_serve_a_page_and_where_the_ledger_is(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cmd = serve.voila_command("sub/l.duckdb")
    assert cmd.env["XUNCHA_LEDGER"] == str(tmp_path.resolve() / "sub" / "l.duckdb")
    assert cmd.env[kernel.SERVED_ENV] == "1"
    url = "postgresql://reader@localhost/xuncha"
    assert serve.voila_command(url).env["XUNCHA_LEDGER"] == url


def test_template_root_is_prepended_to_jupyter_path(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", "/elsewhere")
    root = serve.template_root(tmp_path)
    assert (root / "voila" / "templates" / "xuncha" / "index.html.j2").exists()
    cmd = serve.voila_command("l.duckdb", template_root=root)
    assert cmd.env["JUPYTER_PATH"] == os.pathsep.join([str(root), "/elsewhere"])


def test_template_ships_without_cdn_links():
    for f in serve.TEMPLATE_DIR.rglob("*"):
        if f.is_file():
            text = f.read_text()
            assert "http://" not in text and "https://" not in text, f
    assert "正在加载巡察台账" in (serve.TEMPLATE_DIR / "xuncha_spinner.macro.html.j2").read_text()


def test_busy_page_is_chinese_first_then_english():
    text = (serve.TEMPLATE_DIR / "busy.html").read_text()
    assert text.index("访问人数较多，请稍后再试") < text.index("Too many people")
    assert 'http-equiv="refresh"' in text  # it retries by itself


def test_the_page_guard_says_the_kernel_error_sentence():
    guard = (serve.TEMPLATE_DIR / "xuncha_guard.macro.html.j2").read_text()
    assert json.dumps(kernel.ERROR_SENTENCE, ensure_ascii=False) in guard
    assert "voila/api/shutdown/" in guard and "pagehide" in guard and "_xsrf" in guard
    assert "innerHTML" not in guard  # notices are text, never markup
    index = (serve.TEMPLATE_DIR / "index.html.j2").read_text()
    assert "xuncha_guard.js()" in index and "xuncha_guard.css()" in index


def test_announce_is_bilingual_and_hides_the_ledger_password():
    text = serve.announce(
        "http://127.0.0.1:8866/?token=x1", "postgresql://leader:pa55word@db/x", no_token=False, preheated=10
    )
    assert "http://127.0.0.1:8866/?token=x1" in text  # the one place the token is printed
    assert "请在浏览器中打开" in text
    assert "pa55word" not in text and "postgresql://leader:***@db/x" in text
    assert "16" in text and "10" in text


# ---------------------------------------------------------------- the command, refusing to start


def test_serve_refuses_missing_ledger(tmp_path, capsys):
    assert serve.serve(tmp_path / "missing.duckdb", notebook_dir=tmp_path) == 2
    assert "账本不存在" in capsys.readouterr().err


@pytest.fixture
def two_apps(tmp_path):
    from toolkit.ledger import Ledger

    ledger = tmp_path / "l.duckdb"
    Ledger.create(ledger).close()
    apps = tmp_path / "apps"
    apps.mkdir()
    for name in ("a.ipynb", "b.ipynb"):
        (apps / name).write_text("{}")
    return ledger, apps


def test_serve_refuses_limits_that_leave_no_room_for_a_page(two_apps, capsys):
    ledger, apps = two_apps
    assert serve.serve(ledger, notebook_dir=apps, pool_size=2, max_kernels=4) == 2
    err = capsys.readouterr().err
    assert "--max-kernels 4" in err and "4" in err and "预热" in err
    assert "Traceback" not in err


def test_serve_refuses_a_busy_port(two_apps, capsys):
    ledger, apps = two_apps
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert serve.serve(ledger, notebook_dir=apps, port=port) == 2
    assert f"端口 {port} 已被占用" in capsys.readouterr().err


def test_cli_serve_passes_options(monkeypatch, tmp_path):
    seen = {}

    def fake_serve(ledger, **kw):
        seen.update(kw, ledger=ledger)
        return 0

    monkeypatch.setattr(serve, "serve", fake_serve)
    result = CliRunner().invoke(
        main,
        [
            "serve", "--ledger", "x.duckdb", "--port", "9999", "--no-token", "--notebook-dir", str(tmp_path),
            "--max-kernels", "6", "--connect-timeout", "20", "--idle-timeout", "90",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert seen["ledger"] == "x.duckdb"
    assert seen["port"] == 9999 and seen["no_token"] is True and seen["host"] == "127.0.0.1"
    assert Path(seen["notebook_dir"]) == tmp_path
    assert (seen["max_kernels"], seen["connect_timeout"], seen["idle_timeout"]) == (6, 20, 90)


def test_cli_serve_defaults_are_the_serving_policy(monkeypatch):
    seen = {}
    monkeypatch.setattr(serve, "serve", lambda ledger, **kw: seen.update(kw, ledger=ledger) or 0)
    assert CliRunner().invoke(main, ["serve"]).exit_code == 0
    from toolkit.location import default_location

    assert seen["ledger"] == default_location()  # XUNCHA_LEDGER, the checkout's sample, or the user's
    assert seen["max_kernels"] == serve.MAX_KERNELS
    assert seen["connect_timeout"] == serve.CONNECT_TIMEOUT_S
    assert seen["idle_timeout"] == serve.IDLE_TIMEOUT_S
    assert seen["pool_size"] == serve.POOL_SIZE


@pytest.mark.parametrize("args", [["--max-kernels", "0"], ["--pool-size", "-1"], ["--connect-timeout", "0"]])
def test_cli_serve_rejects_nonsense_limits(args):
    result = CliRunner().invoke(main, ["serve", *args])
    assert result.exit_code == 2
    assert "Invalid value" in result.output and "Traceback" not in result.output


def test_the_server_process_refuses_to_start_without_its_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != TOKEN}
    proc = subprocess.run(
        [sys.executable, "-m", "toolkit.serve", str(tmp_path)], env=env, capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert "toolkit serve" in proc.stderr and "Traceback" not in proc.stderr


# ---------------------------------------------------------------- secrets and log lines


@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("postgresql://leader:pa55@db.lan/x", "pa55"),
        ("postgresql://leader:p@ss:w0rd@db.lan:5432/x", "p@ss:w0rd"),
        ("postgresql://leader@db.lan/x?password=pa55&sslmode=require", "pa55"),
        ("host=db password=pa55 dbname=x", "pa55"),
        ("GET /voila/render/a.ipynb?round=R1&token=abcdef123", "abcdef123"),
        ('"http://127.0.0.1:8866/?token=abcdef123"', "abcdef123"),
    ],
)
def test_redact_removes_passwords_and_tokens(text, hidden):
    out = serve.redact(text)
    assert hidden not in out and "***" in out


def test_redact_removes_known_secrets_in_any_form():
    secret = "s3cr/et+value"
    text = f"plain {secret} quoted {serve.quote(secret, safe='')} end"
    out = serve.redact(text, (secret,))
    assert secret not in out and serve.quote(secret, safe="") not in out
    assert out.startswith("plain *** quoted *** end")


def test_clean_log_line_drops_colours_and_control_characters():
    line = "\x1b[31mred\x1b[0m bell\x07 cr\r bidi\u202egnp.exe tab\tkept 中文"
    assert serve.clean_log_line(line) == "red bell cr bidignp.exe tab\tkept 中文"


def test_ledger_secrets_of_a_url():
    assert serve.ledger_secrets("postgresql://u:p%40ss@db/x") == ("p@ss",)
    assert serve.ledger_secrets("postgresql://u@db/x?password=pw1") == ("pw1",)
    assert serve.ledger_secrets("/srv/ledger.duckdb") == ()


@pytest.mark.parametrize(
    ("location", "shown"),
    [
        ("postgresql://leader:pa55@db.lan:5432/x", "postgresql://leader:***@db.lan:5432/x"),
        (
            "postgresql://leader@db.lan/x?password=pa55&sslmode=require",
            "postgresql://leader@db.lan/x?password=***&sslmode=require",
        ),
        ("postgresql://leader@db.lan/x", "postgresql://leader@db.lan/x"),
        ("/srv/xuncha/ledger.duckdb", "/srv/xuncha/ledger.duckdb"),
        ("C:\\台账\\ledger.duckdb", "C:\\台账\\ledger.duckdb"),
    ],
)
def test_redact_location_for_pages(location, shown):
    assert kernel.redact_location(location) == shown


def test_redacted_ledger_location_reads_the_served_ledger(monkeypatch):
    monkeypatch.setenv("XUNCHA_LEDGER", "postgresql://leader:pa55@db/x")
    assert kernel.redacted_ledger_location() == "postgresql://leader:***@db/x"


def test_supervisor_cleans_the_server_output(capfd):
    child = (
        "import sys;"
        "print('ledger postgresql://u:S3cretPw@db/x token=abc12345 \\x1b[31mred\\x07');"
        "print('again S3cretPw', file=sys.stderr)"
    )
    cmd = serve.VoilaCommand(argv=[sys.executable, "-c", child])
    assert serve._supervise(cmd, ("S3cretPw",)) == 0
    err = capfd.readouterr().err
    assert "S3cretPw" not in err and "abc12345" not in err
    assert "\x1b" not in err and "\x07" not in err
    assert "postgresql://u:***@db/x token=*** red" in err and "again ***" in err


def test_supervisor_says_when_the_server_failed(capfd):
    cmd = serve.VoilaCommand(argv=[sys.executable, "-c", "import sys; sys.exit(3)"])
    assert serve._supervise(cmd, ()) == 2
    assert "服务异常退出（代码 3）" in capfd.readouterr().err


def get_request(uri: str):
    from tornado.httputil import HTTPHeaders, HTTPServerRequest, RequestStartLine

    return HTTPServerRequest(
        start_line=RequestStartLine("GET", uri, "HTTP/1.1"), headers=HTTPHeaders({"Host": "127.0.0.1"})
    )


def test_access_log_never_shows_the_token(caplog):
    class Handler:
        settings: dict = {}
        request = get_request("/voila/render/a.ipynb?round=R1&token=tok123456")

        def get_status(self):
            return 404

    with caplog.at_level(logging.DEBUG, logger="XunchaVoila"):
        serve.log_request(Handler())
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert "tok123456" not in record.getMessage() and "round=R1&token=***" in record.getMessage()


def test_token_dropped_from_a_checked_request():
    request = get_request("/voila/render/a.ipynb?token=tok1&round=R%201&lang=en")
    serve.drop_query_param(request, "token")
    assert "token" not in request.query_arguments and "token" not in request.arguments
    assert request.uri == "/voila/render/a.ipynb?round=R+1&lang=en"
    assert request.query_arguments["round"] == [b"R 1"]
    untouched = get_request("/voila/render/a.ipynb?round=R1")
    serve.drop_query_param(untouched, "token")
    assert untouched.uri == "/voila/render/a.ipynb?round=R1"


# ---------------------------------------------------------------- kernel messages to the browser


def frame(msg_type: str, content: dict, *, buffers=(), v1: bool = True):
    from jupyter_client.session import Session
    from jupyter_server.services.kernels.connection.base import serialize_msg_to_ws_v1

    msg = Session().msg(msg_type, content)
    if not v1:
        return json.dumps({**msg, "channel": "iopub"}, default=str)
    parts = [
        json.dumps(msg[k], default=str).encode() for k in ("header", "parent_header", "metadata", "content")
    ]
    return serialize_msg_to_ws_v1([*parts, *buffers], "iopub")


def content_of(ws_frame, v1: bool = True) -> dict:
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

    if not v1:
        return json.loads(ws_frame)["content"]
    channel, parts = deserialize_msg_from_ws_v1(ws_frame)
    assert channel == "iopub"
    return json.loads(parts[3])


TRACE = {
    "ename": "ValueError",
    "evalue": "机密 /srv/x",
    "traceback": ['File "/srv/app.py"', "ValueError: 机密"],
}


@pytest.mark.parametrize("v1", [True, False])
def test_errors_reach_the_browser_as_the_sentence(v1):
    safe, withheld = serve.sanitize_frame(frame("error", TRACE, v1=v1), v1=v1)
    assert content_of(safe, v1) == serve.SAFE_ERROR
    assert "机密" in withheld  # kept for the server log
    reply = frame("execute_reply", {"status": "error", "execution_count": 3, **TRACE}, v1=v1)
    safe, _ = serve.sanitize_frame(reply, v1=v1)
    shown = content_of(safe, v1)
    assert shown["status"] == "error" and shown["traceback"] == [kernel.ERROR_SENTENCE]
    assert "机密" not in json.dumps(shown, ensure_ascii=False)


@pytest.mark.parametrize("v1", [True, False])
def test_stderr_never_reaches_the_browser_stdout_does(v1):
    safe, withheld = serve.sanitize_frame(
        frame("stream", {"name": "stderr", "text": "Traceback /srv"}, v1=v1), v1=v1
    )
    assert safe is None and "Traceback" in withheld
    out = frame("stream", {"name": "stdout", "text": "ok"}, v1=v1)
    assert serve.sanitize_frame(out, v1=v1) == (out, None)


@pytest.mark.parametrize(
    "junk",
    [
        b"",
        b"\xff" * 8 + b"short",
        (2**60).to_bytes(8, "little") + b"x" * 64,
        '{"header": "error"',
        'not json "error"',
    ],
)
def test_frames_that_do_not_parse_pass_untouched(junk):
    assert serve.sanitize_frame(junk, v1=isinstance(junk, bytes)) == (junk, None)


def test_other_messages_pass_untouched_buffers_and_all():
    comm = frame("comm_msg", {"comm_id": "c", "data": {"method": "update"}}, buffers=[b"\x00\x01binary"])
    assert serve.sanitize_frame(comm, v1=True) == (comm, None)
    error_with_buffer = frame("error", TRACE, buffers=[b"\x00buf"])
    from jupyter_server.services.kernels.connection.base import deserialize_msg_from_ws_v1

    safe, _ = serve.sanitize_frame(error_with_buffer, v1=True)
    assert deserialize_msg_from_ws_v1(safe)[1][4] == b"\x00buf"
    assert (
        serve.sanitize_frame(b"\x00\x00\x00\x01legacy-binary", v1=False)[0]
        == b"\x00\x00\x00\x01legacy-binary"
    )


# ---------------------------------------------------------------- page kernels: cap and reclaim


@pytest.mark.parametrize(
    ("state", "expired"),
    [
        (dict(connections=1, browser_seen=True, busy=False, quiet_s=10_000), False),
        (dict(connections=0, browser_seen=False, busy=False, quiet_s=59), False),
        (dict(connections=0, browser_seen=False, busy=False, quiet_s=61), True),  # bare GET
        (dict(connections=0, browser_seen=False, busy=True, quiet_s=61), False),  # still rendering
        (dict(connections=0, browser_seen=False, busy=True, quiet_s=301), True),
        (dict(connections=0, browser_seen=True, busy=False, quiet_s=200), False),  # may reconnect
        (dict(connections=0, browser_seen=True, busy=False, quiet_s=301), True),  # went away
    ],
)
def test_when_a_page_kernel_is_given_back(state, expired):
    assert serve.page_kernel_expired(**state, connect_timeout_s=60, idle_timeout_s=300) is expired


class StubManager:
    """The calls PageKernelManager makes on Voila's kernel manager, recorded."""

    cull_idle_timeout = 300

    def __init__(self, **kwargs):
        self._kernels, self._kernel_connections = {}, {}
        self._pools = {"a.ipynb": [], "b.ipynb": []}
        self.kernel_pools_config = {"default": {"pool_size": 2}}
        self.log = logging.getLogger("stub")
        self.shut, self.culled, self.filled = [], [], []

    async def _new(self):
        await asyncio.sleep(0)
        kernel_id = f"k{len(self._kernels)}"
        self._kernels[kernel_id] = type("K", (), {"execution_state": "idle", "last_activity": None})()
        self._kernels[kernel_id].last_activity = serve.dt.datetime.now(serve.dt.UTC)
        self._kernel_connections[kernel_id] = 0
        return kernel_id

    async def get_rendered_notebook(self, notebook_name, **kwargs):
        return None, [], await self._new()

    async def start_kernel(self, **kwargs):
        return await self._new()

    def kernel_model(self, kernel_id):
        return {"id": kernel_id}

    def notify_connect(self, kernel_id):
        self._kernel_connections[kernel_id] += 1

    def notify_disconnect(self, kernel_id):
        self._kernel_connections[kernel_id] -= 1

    async def shutdown_kernel(self, kernel_id, *args, **kwargs):
        self.shut.append(kernel_id)
        self._kernels.pop(kernel_id)

    async def cull_kernel_if_idle(self, kernel_id):
        self.culled.append(kernel_id)

    async def cull_kernels(self):
        for kernel_id in list(self._kernels):
            await self.cull_kernel_if_idle(kernel_id)

    def fill_if_needed(self, delay=None, notebook_name=None, **kwargs):
        self.filled.append(notebook_name)


def run_async(coroutine):
    """``asyncio.run`` in a thread of its own: Playwright's sync API (browser tests in the same
    worker) leaves an event loop running in the main thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def manager(max_kernels=6, connect_timeout=60):
    km = serve.page_kernel_manager(StubManager)()
    km.max_kernels, km.connect_timeout = max_kernels, connect_timeout
    return km


def test_the_cap_counts_the_pool_and_pages_still_choosing_a_kernel():
    km = manager(max_kernels=6)  # pools: 2 notebooks x 2 = 4 preheated, so 2 pages

    async def page(path):
        reservation = km.reserve()
        try:
            await km.get_rendered_notebook(path)
        finally:
            km.release(reservation)

    async def scenario():
        assert km.preheated() == 4 and not km.full()
        first = km.reserve()  # a request in flight, kernel not chosen yet
        assert km.pages_open() == 1 and not km.full()
        second = km.reserve()
        assert km.full()  # two requests in flight fill the two page places
        km.release(first), km.release(second)
        await asyncio.gather(asyncio.create_task(page("a.ipynb")), asyncio.create_task(page("b.ipynb")))
        assert km.pages_open() == 2 and km.full()  # each page counted once, not twice
        await km.shutdown_kernel("k0")
        assert km.pages_open() == 1 and not km.full() and km.shut == ["k0"]
        assert not km.is_page_kernel("k0") and km.is_page_kernel("k1")

    run_async(scenario())


def test_a_cold_kernel_started_for_a_page_counts_too():
    km = manager(max_kernels=5)

    async def scenario():
        with_page = asyncio.create_task(km.start_kernel(kernel_name="python3"))
        reservation = km.reserve()
        kernel_id = await with_page
        assert km.is_page_kernel(kernel_id)
        assert km.pages_open() == 2  # the reservation is not this task's: still counted
        km.release(reservation)
        assert km.pages_open() == 1 and km.full()

    run_async(scenario())


def test_reclaim_page_kernels_leave_the_pool_to_voila_and_refill_it():
    km = manager(connect_timeout=60)

    async def scenario():
        _, _, never = await km.get_rendered_notebook("a.ipynb")
        _, _, opened = await km.get_rendered_notebook("a.ipynb")
        _, _, loading = await km.get_rendered_notebook("b.ipynb")
        pooled = await km._new()  # a preheated kernel: not a page's
        km.notify_connect(opened)
        assert km.kernel_model(loading) == {"id": loading}  # the page guard asked: a browser is here
        for kernel_id in (never, opened, loading):  # handed out two minutes ago
            km._pages[kernel_id].handed_out -= 120
            km._kernels[kernel_id].last_activity -= serve.dt.timedelta(seconds=120)
        await km.cull_kernels()
        assert km.shut == [never]  # the bare GET goes; the open page and the slow one stay
        assert km.culled == [pooled]  # Voila decides about its pool
        assert km.filled == ["a.ipynb", "b.ipynb"]  # pools topped up every round
        km.notify_disconnect(opened)
        await km.cull_kernels()
        assert opened not in km.shut  # left just now: it may reconnect
        km._pages[opened].left_at -= 301
        for kernel_id in (opened, loading):
            km._pages[kernel_id].handed_out -= 301
            km._kernels[kernel_id].last_activity -= serve.dt.timedelta(seconds=301)
        await km.cull_kernels()
        assert km.shut == [never, opened, loading]  # gone for good / never connected after all

    run_async(scenario())


def test_voila_app_class_builds_on_voila_0_5():
    app_class = serve.voila_app_class()
    from voila.app import Voila

    assert issubclass(app_class, Voila)
    assert app_class.class_traits()["max_kernels"].default_value == serve.MAX_KERNELS
    assert app_class.class_traits()["check_host"].default_value is True


def test_kernel_processes_finds_kernels_by_their_launcher():
    child = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(30)", "ipykernel_launcher", "-f", "k.json"]
    )
    try:
        pids = [p.pid for p in serve.kernel_processes(os.getpid())]
        assert child.pid in pids
    finally:
        child.kill()
        child.wait()
    assert serve.kernel_processes(child.pid) == []  # a process that is gone has no kernels


# ---------------------------------------------------------------- inside the kernel


def test_query_params_outside_preheat(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "round=R1&unit=U%203&token=abc")
    assert kernel.query_params() == {"round": "R1", "unit": "U 3"}
    monkeypatch.delenv("QUERY_STRING")
    assert kernel.query_params() == {}


def test_ledger_location_env_else_the_sample_ledger(monkeypatch):
    monkeypatch.delenv("XUNCHA_LEDGER", raising=False)
    assert kernel.ledger_location().endswith("sample_data/ledger.duckdb")
    monkeypatch.setenv("XUNCHA_LEDGER", "/x.duckdb")
    assert kernel.ledger_location() == "/x.duckdb"


def test_prepare_kernel_enables_offline_charts():
    import altair as alt

    kernel.prepare_kernel()
    assert alt.JupyterChart._is_offline
    assert alt.renderers.active == "jupyter"
    assert alt.renderers.options.get("offline") is True
    chart = kernel.jupyter_chart(alt.Chart({"values": [{"a": 1}]}).mark_bar().encode(x="a:Q"))
    assert chart.embed_options == kernel.EMBED_OPTIONS


def test_start_app_outside_voila(tmp_path, monkeypatch):
    from toolkit.ledger import Ledger

    Ledger.create(tmp_path / "l.duckdb").close()
    monkeypatch.setenv("XUNCHA_LEDGER", str(tmp_path / "l.duckdb"))
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "round=R2")
    ledger, params = kernel.start_app()
    try:
        assert params == {"round": "R2"}
        assert ledger.counts()["events"] == 0
    finally:
        ledger.close()


class FakeShell:
    """What install_error_sentences uses of an ipykernel shell."""

    kernel = object()

    def __init__(self):
        self.published = []

    def _showtraceback(self, etype, evalue, stb):
        self.published.append((etype.__name__, evalue, stb))


@pytest.fixture
def served_shell(monkeypatch):
    server_log = io.StringIO()
    monkeypatch.setattr(kernel, "_server_log_stream", lambda: server_log)
    shell = FakeShell()
    root = logging.getLogger()
    before = list(root.handlers)
    assert kernel.install_error_sentences(shell) is True
    yield shell, server_log
    root.handlers[:] = before
    logging.getLogger("xuncha.kernel").handlers[:] = []


def test_a_failing_callback_shows_the_sentence_and_logs_the_traceback(served_shell):
    shell, server_log = served_shell
    try:
        raise ValueError("机密 /srv/app/secret.py")
    except ValueError:
        shell.showtraceback()  # what ipywidgets does for a callback that raised
    assert shell.published == [("AppError", kernel.ERROR_SENTENCE, [kernel.ERROR_SENTENCE])]
    assert "Traceback" in server_log.getvalue() and "机密 /srv/app/secret.py" in server_log.getvalue()
    assert kernel.install_error_sentences(shell) is True  # idempotent
    handlers = logging.getLogger("xuncha.kernel").handlers
    assert sum(type(h) is logging.StreamHandler for h in handlers) == 1


def test_a_failed_comm_open_logged_by_ipykernel_shows_the_sentence(served_shell):
    shell, server_log = served_shell
    try:
        raise RuntimeError("comm target failed /srv/secret")
    except RuntimeError:
        logging.getLogger("ipykernel.comm").error("Exception opening comm with target: x", exc_info=True)
    logging.getLogger("Comm").warning("No such comm: abc")  # no traceback: logged, nothing shown
    assert shell.published == [("AppError", kernel.ERROR_SENTENCE, [kernel.ERROR_SENTENCE])]
    assert "comm target failed /srv/secret" in server_log.getvalue()
    assert "No such comm: abc" in server_log.getvalue()


def test_error_sentences_only_in_a_kernel():
    assert kernel.install_error_sentences(object()) is False


def test_a_base_url_prefixes_every_route_and_the_printed_address():
    cmd = serve.voila_command("l.duckdb", token="t", base_url="xuncha")
    assert "--Voila.base_url=/xuncha/" in cmd.argv
    assert cmd.url == "http://127.0.0.1:8866/xuncha/?token=t"
    assert not any("base_url" in a for a in serve.voila_command("l.duckdb", token="t").argv)
    assert serve.normalise_base_url("/a/b") == "/a/b/" and serve.normalise_base_url("/") == "/"
    with pytest.raises(ValueError, match="base-url"):
        serve.normalise_base_url("/x?y=<script>/")


def test_the_token_can_come_from_the_environment_not_the_command_line(monkeypatch):
    from click.testing import CliRunner

    from toolkit.cli import main

    seen = {}
    monkeypatch.setattr(serve, "serve", lambda ledger, **kw: seen.update(kw) or 0)
    result = CliRunner().invoke(
        main, ["serve", "--base-url", "/xuncha"], env={"XUNCHA_SERVE_TOKEN": "from-env"}
    )
    assert result.exit_code == 0, result.output
    assert seen["token"] == "from-env" and seen["base_url"] == "/xuncha"
