"""One way text reaches HTML: ``markupsafe.Markup``, never a string with data pasted in.

Why: a region, round or unit name, a description or a deep-link parameter comes from someone
else's spreadsheet or URL; ``<img src=x onerror=...>`` in any of them runs as script in a
leader's browser if it is pasted into HTML. The rule is a type: HTML is a ``Markup``, built only
from a literal template whose placeholders escape what goes into them::

    Markup("<b data-round='{}'>{}</b>").format(round_id, name)   # both escaped, quotes too
    Markup("<br>").join(lines)                                     # each line escaped
    markup + text                                                  # text escaped

Anything that is not already ``Markup`` is text and gets escaped (:func:`escape`). The widget
helpers (``toolkit.widgets``) take ``Markup`` or text, never a plain string meant as HTML, and
``tests/test_safe_html.py`` fails on any f-string, ``%`` or ``str.format`` HTML in ``toolkit/``.
"""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

EMPTY = Markup("")


def join(separator: str | Markup, parts: Iterable) -> Markup:
    """``parts`` joined by ``separator``, every part escaped unless it is ``Markup`` already."""
    return escape(separator).join(parts)


def require_markup(value) -> Markup:
    """``value`` if it is ``Markup``; a plain string here is a bug (it would be HTML unescaped)."""
    if not isinstance(value, Markup):
        raise TypeError(
            f"expected Markup, got {type(value).__name__}; build HTML with Markup(template).format(text)"
        )
    return value


def truncate(text: str, limit: int) -> str:
    """Very long text cut for display (a pasted 10,000-character cell must not bury a table)."""
    return text if len(text) <= limit else text[:limit] + "…"


__all__ = ["EMPTY", "Markup", "escape", "join", "require_markup", "truncate"]
