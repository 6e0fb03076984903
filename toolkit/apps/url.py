"""The browser's address bar as a widget: the app's state in the URL, Back and Forward inside the app.

Why a widget of our own: Voila has no router, and a page load means a new kernel (seconds). The
JavaScript (``static/url.js``) pushes a history entry when ``query`` changes in Python and sets
``query`` back when the leader presses Back or Forward (popstate), so the page never reloads and
every state is a link. The first entry is seeded with ``replaceState`` (Back would otherwise find
no state), which also takes the access token out of the address bar.
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

STATIC = Path(__file__).parent / "static"


class UrlSync(anywidget.AnyWidget):
    _esm = STATIC / "url.js"
    query = traitlets.Unicode("").tag(sync=True)

    def replace(self, query: str) -> None:
        """Put ``query`` in the current history entry (no new entry: Back skips it)."""
        self.send({"replace": query})
        self.query = query
