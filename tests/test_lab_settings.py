"""The settings ``toolkit.lab`` gives JupyterLab name real settings of the installed JupyterLab:
a misspelt plugin or key would be ignored without a word, and the analyst would get English
menus, the news prompt or the 选择内核 dialog back."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from toolkit import lab

OVERRIDES = lab.CONFIG_DIR / "labconfig" / "default_setting_overrides.json"
SCHEMAS = Path(sys.prefix) / "share" / "jupyter" / "lab" / "schemas"


def test_the_settings_folder_is_first_on_jupyters_config_path():
    env = lab.environment({"JUPYTER_CONFIG_PATH": "/elsewhere"})
    assert env["JUPYTER_CONFIG_PATH"].split(":")[0] == str(lab.CONFIG_DIR)


def test_every_override_is_a_setting_of_the_installed_jupyterlab():
    if not SCHEMAS.is_dir():
        pytest.skip(f"JupyterLab is not installed in {sys.prefix} (make test installs it)")
    overrides = json.loads(OVERRIDES.read_text())
    assert overrides["@jupyterlab/notebook-extension:tracker"] == {"autoStartDefaultKernel": True}
    assert overrides["@jupyterlab/translation-extension:plugin"]["locale"] == "zh_CN"
    for plugin, values in overrides.items():
        package, _, name = plugin.partition(":")
        schema = json.loads((SCHEMAS / package / f"{name}.json").read_text())
        for key, value in values.items():
            assert key in schema["properties"], f"{plugin}: no setting {key!r}"
            allowed = schema["properties"][key].get("enum")
            assert allowed is None or value in allowed, f"{plugin}.{key}: {value!r} not in {allowed}"
