"""The app's stylesheet and the small browser-side care its charts need, as one hidden widget.

``static/app.css`` lays the app out for a desk, a 390 px phone and A4 paper (anywidget injects
it into the page once). ``static/layout.js`` re-measures charts whose box changed width (a chart
drawn while its panel was being attached would stay 0 px wide) and hides a Vega tooltip whose chart
was swapped away.
"""

from __future__ import annotations

import anywidget

from toolkit.apps.url import STATIC


class PageLayout(anywidget.AnyWidget):
    _esm = STATIC / "layout.js"
    _css = STATIC / "app.css"
