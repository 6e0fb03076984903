"""JupyterLab for analysts and trainees: in Chinese, with no request to the internet.

``make lab`` (``python -m toolkit.lab``) starts JupyterLab at the repository root with the
settings the repository carries in ``toolkit/jupyter_config/`` (found through
``JUPYTER_CONFIG_PATH``, so nothing is written into the user's home):

* ``labconfig/default_setting_overrides.json``: the interface in Chinese (the
  ``jupyterlab-language-pack-zh-CN`` package of the ``lab`` extra), no "Jupyter news" prompt, no
  news or update checks, no extension manager (it lists extensions from PyPI); a notebook
  starts its preferred kernel (Python 3) without asking, where JupyterLab would otherwise put up
  选择内核 whenever the kernel list came late (a busy server);
* ``jupyter_server_config.json``: the server fetches no news feed and checks no versions.

A user's own choice in 设置 → 语言 still wins (JupyterLab keeps it in the user's settings).
``toolkit.classroom`` starts the workshop's JupyterLab the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CONFIG_DIR = Path(__file__).with_name("jupyter_config")
REPO = Path(__file__).resolve().parents[1]


def environment(base: dict[str, str] | None = None, **extra: str) -> dict[str, str]:
    """The environment JupyterLab runs in: ``base`` (default ``os.environ``) with our settings
    folder first on ``JUPYTER_CONFIG_PATH``, plus ``extra`` (``XUNCHA_LEDGER`` …)."""
    env = dict(os.environ if base is None else base)
    paths = [str(CONFIG_DIR)] + [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p]
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(dict.fromkeys(paths))
    env.update(extra)
    return env


def command(root: str | os.PathLike, *options: str) -> list[str]:
    """``jupyter lab`` rooted at ``root``, bound to this machine only (``--allow-root`` when run
    as root: a container or a trainer's sudo)."""
    argv = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={root}", "--ServerApp.ip=127.0.0.1"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")
    return argv + list(options)


def start(root: str | os.PathLike = REPO, *options: str, **extra: str) -> int:
    """Run JupyterLab in the foreground until Ctrl+C; returns its exit code."""
    try:
        return subprocess.call(command(root, *options), env=environment(**extra), cwd=root)
    except KeyboardInterrupt:
        return 130


def main(argv: list[str] | None = None) -> int:
    """``python -m toolkit.lab [jupyter lab options]``: the repository root, in Chinese."""
    return start(REPO, *(sys.argv[1:] if argv is None else argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
