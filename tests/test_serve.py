"""The serving policy, checked on the command line we build (no server needed)."""

from __future__ import annotations

import os
from pathlib import Path

from click.testing import CliRunner

from toolkit import kernel, serve
from toolkit.cli import main


def opts(cmd: serve.VoilaCommand) -> dict[str, str]:
    """``--Name=value`` options of the argv as a dict."""
    out = {}
    for arg in cmd.argv:
        if arg.startswith("--") and "=" in arg:
            key, value = arg[2:].split("=", 1)
            out[key] = value
    return out


def test_runs_voila_standalone_on_the_notebook_dir(tmp_path):
    cmd = serve.voila_command(tmp_path / "l.duckdb", notebook_dir=tmp_path)
    assert cmd.argv[1:3] == ["-m", "voila"]
    assert str(tmp_path.resolve()) in cmd.argv
    assert not any("jupyter" in a and "lab" in a for a in cmd.argv)


def test_binds_loopback_by_default():
    cmd = serve.voila_command("l.duckdb")
    assert opts(cmd)["Voila.ip"] == "127.0.0.1"
    assert cmd.url.startswith("http://127.0.0.1:8866/")


def test_host_and_port_when_given():
    cmd = serve.voila_command("l.duckdb", host="10.1.2.3", port=9000, token="t")
    assert opts(cmd)["Voila.ip"] == "10.1.2.3"
    assert opts(cmd)["port"] == "9000"
    assert opts(cmd)["Voila.port_retries"] == "0"
    assert cmd.url == "http://10.1.2.3:9000/?token=t"
    assert cmd.env["VOILA_APP_IP"] == "10.1.2.3"  # preheated kernels fetch their query string there


def test_token_generated_when_missing_and_printed_in_url():
    a, b = serve.voila_command("l.duckdb"), serve.voila_command("l.duckdb")
    token = opts(a)["token"]
    assert len(token) >= 32
    assert token != opts(b)["token"]
    assert a.url == f"http://127.0.0.1:8866/?token={token}"


def test_given_token_used():
    cmd = serve.voila_command("l.duckdb", token="s3cret")
    assert opts(cmd)["token"] == "s3cret"
    assert cmd.url.endswith("?token=s3cret")


def test_no_token_only_when_explicit():
    cmd = serve.voila_command("l.duckdb", token="ignored", no_token=True)
    assert opts(cmd)["token"] == ""
    assert "token" not in cmd.url


def test_tracebacks_off_culling_on_template_set_preheat():
    o = opts(serve.voila_command("l.duckdb"))
    assert o["show_tracebacks"] == "False"
    assert int(o["MappingKernelManager.cull_idle_timeout"]) > 0
    assert int(o["MappingKernelManager.cull_interval"]) > 0
    assert o["template"] == "xuncha"
    assert o["preheat_kernel"] == "True"
    assert o["pool_size"] == "2"
    assert o["Voila.open_browser"] == "False"


def test_pool_size_zero_disables_preheat():
    assert "preheat_kernel" not in opts(serve.voila_command("l.duckdb", pool_size=0))


def test_ledger_passed_as_absolute_path_or_url(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cmd = serve.voila_command("sub/l.duckdb")
    assert cmd.env["XUNCHA_LEDGER"] == str(tmp_path.resolve() / "sub" / "l.duckdb")
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


def test_announce_is_bilingual():
    text = serve.announce("http://127.0.0.1:8866/?token=x", "/l.duckdb", no_token=False)
    assert "http://127.0.0.1:8866/?token=x" in text
    assert "请在浏览器中打开" in text


def test_serve_refuses_missing_ledger(tmp_path, capsys):
    assert serve.serve(tmp_path / "missing.duckdb", notebook_dir=tmp_path) == 2
    assert "账本不存在" in capsys.readouterr().err


def test_cli_serve_passes_options(monkeypatch, tmp_path):
    seen = {}

    def fake_serve(ledger, **kw):
        seen.update(kw, ledger=ledger)
        return 0

    monkeypatch.setattr(serve, "serve", fake_serve)
    result = CliRunner().invoke(
        main,
        ["serve", "--ledger", "x.duckdb", "--port", "9999", "--no-token", "--notebook-dir", str(tmp_path)],
    )
    assert result.exit_code == 0, result.output
    assert seen["ledger"] == "x.duckdb"
    assert seen["port"] == 9999 and seen["no_token"] is True and seen["host"] == "127.0.0.1"
    assert Path(seen["notebook_dir"]) == tmp_path


def test_cli_serve_default_ledger(monkeypatch):
    seen = {}
    monkeypatch.setattr(serve, "serve", lambda ledger, **kw: seen.update(ledger=ledger) or 0)
    assert CliRunner().invoke(main, ["serve"]).exit_code == 0
    assert seen["ledger"] == "sample_data/ledger.duckdb"


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
