"""The Vega bundle offline charts use: the same bytes altair would build, built once, handed out by
the server once per page; and the preheated kernel's work while it waits for its request."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from toolkit import chart_bundle, kernel, serve


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One build of the bundle into a cache of its own (a build takes seconds)."""
    cache = tmp_path_factory.mktemp("cache")
    os.environ[chart_bundle.CACHE_ENV] = str(cache)
    try:
        yield cache, chart_bundle.bundle_text()
    finally:
        os.environ.pop(chart_bundle.CACHE_ENV, None)


@pytest.fixture
def cache(built, monkeypatch):
    monkeypatch.setenv(chart_bundle.CACHE_ENV, str(built[0]))
    return built[0]


def test_the_bundle_is_what_altair_enable_offline_builds(built):
    code = (
        "import hashlib, altair as alt; alt.JupyterChart.enable_offline(); "
        "print(hashlib.sha256(alt.JupyterChart._esm.encode()).hexdigest())"
    )
    theirs = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    import hashlib

    assert hashlib.sha256(built[1].encode()).hexdigest() == theirs.stdout.strip()
    assert len(built[1]) > 100_000  # Vega, Vega-Lite and vega-embed, not a stub


def test_a_cached_bundle_is_read_not_built_again(cache, monkeypatch):
    import vl_convert

    def no_build(*_a, **_k):
        raise AssertionError("built again")

    monkeypatch.setattr(vl_convert, "javascript_bundle", no_build)
    assert (cache / chart_bundle.bundle_name()).is_file()
    assert chart_bundle.bundle_text().startswith(
        (cache / chart_bundle.bundle_name()).read_text(encoding="utf-8")[:200]
    )


def test_an_unwritable_cache_costs_only_the_build(built, tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x")
    monkeypatch.setenv(chart_bundle.CACHE_ENV, str(blocked / "cache"))
    import vl_convert

    calls = []
    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda *a, **k: calls.append(1) or built[1])
    assert chart_bundle.bundle_text() == built[1]
    assert calls == [1]
    assert list(tmp_path.iterdir()) == [blocked]  # nothing half-written anywhere


def test_a_killed_build_leaves_no_half_file(cache, tmp_path, monkeypatch):
    target = tmp_path / "static" / "b.js"

    class Killed(BaseException):
        pass

    real = os.replace

    def killed(*_a):
        raise Killed

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(Killed):
        chart_bundle._write_whole(target, "x" * 1000)
    monkeypatch.setattr(os, "replace", real)
    assert list(target.parent.iterdir()) == []


def test_a_cache_folder_made_for_the_bundle_is_the_users_alone(built, tmp_path, monkeypatch):
    monkeypatch.setenv(chart_bundle.CACHE_ENV, str(tmp_path / "new" / "cache"))
    import vl_convert

    monkeypatch.setattr(vl_convert, "javascript_bundle", lambda *a, **k: built[1])
    chart_bundle.bundle_text()
    assert (tmp_path / "new" / "cache" / chart_bundle.bundle_name()).is_file()
    assert (tmp_path / "new" / "cache").stat().st_mode & 0o077 == 0


def test_publish_puts_the_bundle_in_the_static_folder_once(cache, tmp_path):
    name = chart_bundle.publish(tmp_path)
    assert chart_bundle.NAME.fullmatch(name)
    first = (tmp_path / name).stat().st_mtime_ns
    assert chart_bundle.publish(tmp_path) == name
    assert (tmp_path / name).stat().st_mtime_ns == first
    assert (tmp_path / name).read_text(encoding="utf-8") == chart_bundle.bundle_text()


def test_a_served_chart_carries_a_module_that_imports_the_bundle_by_url(cache):
    name = chart_bundle.bundle_name()
    module = chart_bundle.served_module(name)
    assert f'config.baseUrl + "voila/static/{name}"' in module
    assert "export default bundle.default" in module
    assert len(module) < 400


@pytest.mark.parametrize(
    "value",
    ["", "../../etc/passwd", "vega-bundle-0123.js", 'vega-bundle-0123456789abcdef0123.js"+alert(1)+"'],
)
def test_kernels_take_only_a_bundle_name_from_the_environment(value, monkeypatch):
    monkeypatch.setenv(chart_bundle.MODULE_ENV, value)
    assert chart_bundle.served_name() is None


def test_a_served_kernel_sends_the_small_module_others_the_whole_bundle(cache, monkeypatch):
    import altair as alt

    name = chart_bundle.bundle_name()
    monkeypatch.setattr(alt.JupyterChart, "_esm", alt.JupyterChart._esm)
    chart_bundle.use_offline(name)
    assert alt.JupyterChart._esm == chart_bundle.served_module(name)
    chart_bundle.use_offline(None)
    assert alt.JupyterChart._esm == chart_bundle.bundle_text()
    assert alt.JupyterChart._is_offline


def test_serve_hands_the_bundle_out_and_tells_kernels_its_name(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", "/elsewhere")
    charts = serve.publish_chart_bundle(tmp_path / "charts")
    assert charts is not None
    root, name = charts
    assert (root / "voila" / "templates" / serve.TEMPLATE_NAME / "static" / name).is_file()
    templates = serve.template_root(tmp_path)
    cmd = serve.voila_command("l.duckdb", template_root=templates, chart_bundle=charts)
    assert cmd.env["JUPYTER_PATH"] == os.pathsep.join([str(templates), str(root), "/elsewhere"])
    assert cmd.env[chart_bundle.MODULE_ENV] == name


def test_serve_starts_without_the_bundle_when_it_cannot_be_built(tmp_path, monkeypatch, capsys):
    def fail(_static):
        raise OSError("disk full")

    monkeypatch.setattr(chart_bundle, "publish", fail)
    assert serve.publish_chart_bundle(tmp_path) is None
    assert "chart bundle not published: disk full" in capsys.readouterr().err
    cmd = serve.voila_command("l.duckdb", chart_bundle=None)
    assert chart_bundle.MODULE_ENV not in cmd.env


# ---------------------------------------------------------------- work while the kernel waits


@pytest.fixture
def preheated(monkeypatch):
    """A preheated kernel's wait for its request, the request sent by ``arrive``."""
    import voila.utils

    request = threading.Event()
    answer: dict[str, object] = {"query": "round=R1&token=secret"}

    def get_query_string():
        request.wait(10)
        if "error" in answer:
            raise answer["error"]
        return answer["query"]

    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setattr(voila.utils, "get_query_string", get_query_string)
    return request, answer


def test_steps_run_while_waiting_and_stop_when_the_request_arrives(preheated):
    request, _ = preheated
    done = []

    def steps():
        for i in range(1000):
            done.append(i)
            if i == 3:
                request.set()
            time.sleep(0.01)
            yield

    assert kernel.query_params(while_waiting=steps()) == {"round": "R1"}
    assert 4 <= len(done) <= 6  # the request waited for one step, not for all thousand


def test_steps_that_finish_first_then_wait_for_the_request(preheated):
    request, _ = preheated
    threading.Timer(0.2, request.set).start()
    assert kernel.query_string(while_waiting=iter(range(3))) == "round=R1&token=secret"


def test_a_failing_step_is_logged_and_the_page_still_comes(preheated, caplog):
    request, _ = preheated

    def steps():
        yield
        raise RuntimeError("query failed")

    threading.Timer(0.1, request.set).start()
    assert kernel.query_params(while_waiting=steps()) == {"round": "R1"}
    assert "work while waiting for the request failed" in caplog.text


def test_a_failed_wait_is_raised_in_the_notebook(preheated):
    request, answer = preheated
    answer["error"] = ConnectionError("server gone")
    request.set()
    with pytest.raises(ConnectionError, match="server gone"):
        kernel.query_string(while_waiting=iter(()))
