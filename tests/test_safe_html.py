"""One way text reaches HTML: the widget helpers escape, and no code in toolkit/ builds HTML by
pasting data into a string (checked on the syntax tree, so a new app cannot slip one in)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from toolkit.safe_html import Markup, join, require_markup, truncate

PACKAGE = Path(__file__).resolve().parents[1] / "toolkit"
MODULES = sorted(PACKAGE.rglob("*.py"))
# An HTML tag (<b, </td, <!--): a letter run ended by space, / or >; not a regex group (?P<name>)
# nor a code point shown as <U+0007>.
TAG = re.compile(r"(?<!\?P)(?<!\(\?)<\s*(?:/\s*)?[a-zA-Z][a-zA-Z0-9-]*(?=[\s/>]|$)|<!")
PAYLOAD = "<img src=x onerror=window.__xss=1>"


def _literal(node) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _html_in(node) -> bool:
    """An f-string, ``%`` or ``+`` expression whose literal text holds an HTML tag."""
    if isinstance(node, ast.JoinedStr):
        return any(TAG.search(_literal(v) or "") for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod | ast.Add):
        return any(TAG.search(_literal(side) or "") or _html_in(side) for side in (node.left, node.right))
    return False


def html_building(tree: ast.AST, rel: str) -> list[str]:
    """Every place ``tree`` builds HTML from a string with data in it, or hands a widget raw HTML."""
    found = []
    allowed_html_call = rel == "widgets.py"
    functions = {
        id(child): node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        for child in ast.walk(node)
    }
    for node in ast.walk(tree):
        where = f"{rel}:{getattr(node, 'lineno', '?')}"
        if _html_in(node):
            found.append(f"{where}: HTML in an f-string / % / + with data")
        if isinstance(node, ast.Import) and any(a.name == "html" for a in node.names):
            found.append(f"{where}: stdlib html (escape with toolkit.safe_html)")
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name == "HTML" and not (allowed_html_call and functions.get(id(node)) == "html"):
            found.append(f"{where}: HTML(...) outside widgets.html (pass Markup to widgets.html)")
        if name == "Markup" and node.args and _literal(node.args[0]) is None:
            found.append(f"{where}: Markup(...) of something else than a literal template")
        if (
            name == "format"
            and isinstance(node.func, ast.Attribute)
            and TAG.search(_literal(node.func.value) or "")
        ):
            found.append(f"{where}: str.format HTML (use Markup(template).format)")
        for kw in node.keywords:
            unsafe = {"escape": False, "description_allow_html": True}
            if kw.arg in unsafe and isinstance(kw.value, ast.Constant) and kw.value.value is unsafe[kw.arg]:
                found.append(f"{where}: {kw.arg}={kw.value.value}")
    return found


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_html_is_built_from_strings_with_data(path):
    rel = str(path.relative_to(PACKAGE))
    assert html_building(ast.parse(path.read_text(encoding="utf-8")), rel) == []


@pytest.mark.parametrize(
    "source",
    [
        'w.HTML(f"<b>{name}</b>")',
        'HTML("<b>" + name + "</b>")',
        'x = "<td>%s</td>" % name',
        'x = "<td>{}</td>".format(name)',
        "Markup(f'<b>{name}</b>')",
        "Markup(name)",
        "df.to_html(escape=False)",
        "w.Label(description_allow_html=True)",
        "import html",
    ],
)
def test_the_scan_catches_each_unsafe_form(source):
    assert html_building(ast.parse(source), "apps/x.py"), source


def test_the_scan_lets_the_safe_forms_pass():
    safe = "Markup('<b>{}</b>').format(name)\nMarkup('<br>').join(lines)\nhtml(Markup('<i>x</i>') + name)\n"
    assert html_building(ast.parse(safe), "apps/x.py") == []


def test_markup_escapes_what_goes_into_it():
    out = Markup("<b data-x='{}'>{}</b>").format("'\"><svg onload=1>", PAYLOAD)
    assert "<img" not in out and "<svg" not in out and "&#39;" in out and "&lt;img" in out
    assert join(Markup("<br>"), [PAYLOAD, "二"]) == Markup("&lt;img src=x onerror=window.__xss=1&gt;<br>二")
    with pytest.raises(TypeError):
        require_markup("<b>raw</b>")
    assert truncate("长" * 10, 4) == "长长长长…" and truncate("短", 4) == "短"


def test_widget_helpers_escape_text_and_refuse_raw_html():
    from toolkit import widgets

    with pytest.raises(TypeError):
        widgets.html("<b>raw</b>")
    for widget in (
        widgets.message(PAYLOAD),
        widgets.note(PAYLOAD),
        widgets.heading(PAYLOAD, PAYLOAD),
        widgets.kpi_card("k", PAYLOAD, PAYLOAD, PAYLOAD),
        widgets.spinner(PAYLOAD),
        widgets.messages([PAYLOAD, PAYLOAD]),
        widgets.download_link(b"x", f"一报一单_{PAYLOAD}.docx", PAYLOAD),
    ):
        assert "<img" not in widget.value and "&lt;img" in widget.value


def test_table_cells_are_text_unless_the_app_draws_markup():
    import pandas as pd

    from toolkit import widgets

    df = pd.DataFrame({"a": [PAYLOAD, None], "b": ["x" * 1000, "y"], "c": ["red", PAYLOAD]})
    dot = {"c": lambda v: Markup("<span class='dot'>●</span>{}").format(v)}
    value = widgets.table(df, {"a": PAYLOAD, "b": "b", "c": "c"}, markup=dot).value
    assert "<img" not in value and value.count("&lt;img") == 3  # the cell, the header, the drawn cell
    assert value.count("<span class='dot'>●</span>") == 2 and "—" in value
    assert "x" * widgets.CELL_LIMIT + "…" in value and "x" * (widgets.CELL_LIMIT + 1) not in value
    with pytest.raises(TypeError):  # a drawing function must return Markup, not a string
        widgets.table(df, {"c": "c"}, markup={"c": lambda v: f"<b>{v}</b>"})


def test_safe_filename():
    from toolkit.widgets import safe_filename

    assert safe_filename("一报一单_a/b\\c:*?<>|\x07.docx") == "一报一单_a_b_c_______.docx"
    assert safe_filename("很" * 500 + ".docx") == "很" * 80 + ".docx"
