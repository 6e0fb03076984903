"""分析人员的笔记本: what an analyst's JupyterLab notebook needs from the toolkit, in one place.

* charts that draw with no network: altair through the offline JupyterChart, sized for an output
  area (``toolkit.kernel.offline_charts``); ``df.plot`` through matplotlib with a Chinese font
  (``toolkit.plotting``);
* results in Chinese: :func:`show` displays a metric or listing with Chinese headers and words
  (已整改, 谈话函询, 88.6%), names of persons masked; a large frame (the 10,000 problems of a
  ledger) opens in :func:`grid`, an offline table with paging, sorting and search (itables, whose
  DataTables bundle ships inside the package);
* a Chinese hint under a SyntaxError caused by full-width punctuation (``toolkit.punctuation``).

``import toolkit`` in a notebook kernel runs :func:`setup` (it is also the ``toolkit`` IPython
extension: ``%load_ext toolkit`` for a notebook that uses altair without the toolkit).
"""

from __future__ import annotations

import os
import sys

import pandas as pd

from toolkit.kernel import SERVED_ENV, offline_charts
from toolkit.readable import chinese

# Up to this many rows a frame is shown as a plain table; above, in the paging grid.
SMALL_TABLE = 20
GRID_PAGE = 20
# What the grid may send to the browser (the 10,000-problem sample is about 4 MB); above, itables
# shows a sample of the rows and says so.
GRID_MAX_BYTES = 16 * 2**20
# DataTables' words, in Chinese (inline: its language files would be fetched from a CDN).
GRID_LANGUAGE = {
    "search": "搜索：",
    "lengthMenu": "每页 _MENU_ 行",
    "info": "第 _START_–_END_ 行，共 _TOTAL_ 行",
    "infoEmpty": "没有数据",
    "infoFiltered": "（从 _MAX_ 行中筛选）",
    "zeroRecords": "没有符合条件的行",
    "emptyTable": "表中没有数据",
    "loadingRecords": "正在加载……",
    "paginate": {"first": "首页", "last": "末页", "next": "下一页", "previous": "上一页"},
    "aria": {"sortAscending": "：升序排列", "sortDescending": "：降序排列"},
}

_ready = False


# Where altair defines the class every chart inherits (altair 5 and 6).
ALTAIR_CHART_CLASSES = (
    ("altair.vegalite.v6.api", "TopLevelMixin"),
    ("altair.vegalite.v5.api", "TopLevelMixin"),
)


def setup(shell=None) -> None:
    """笔记本设置: offline altair charts sized for JupyterLab, ``df.plot`` in Chinese, and the
    full-width punctuation hint. ``import toolkit`` calls it in a notebook kernel. Idempotent.

    Charts are made offline the first time one is displayed (or now, if altair is already
    imported), so a notebook that draws none does not wait for altair and its Vega bundles.
    """
    global _ready
    if _ready:
        return
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if "altair" in sys.modules:
        offline_charts()
    elif shell is not None:
        formatter = shell.display_formatter.mimebundle_formatter
        for module, name in ALTAIR_CHART_CLASSES:
            formatter.for_type_by_name(module, name, _offline_chart)
    pd.options.plotting.backend = "toolkit.plotting"
    if "matplotlib" in sys.modules:  # already imported by the notebook: fonts now
        from toolkit.plotting import chinese_fonts

        chinese_fonts()
    if shell is not None and os.environ.get(SERVED_ENV) != "1":  # served: errors told its own way
        from toolkit import punctuation

        punctuation.install(shell)
    _ready = True


def _offline_chart(chart, include=None, exclude=None):
    """The first chart displayed: make altair offline, then let the chart render itself."""
    offline_charts()
    return chart._repr_mimebundle_(include=include, exclude=exclude)


def _frame(data) -> pd.DataFrame:
    if isinstance(data, pd.Series):
        return data.to_frame()
    if not isinstance(data, pd.DataFrame):
        raise TypeError(
            f"show: 需要一个表（DataFrame），得到的是 {type(data).__name__} / a DataFrame is needed"
        )
    return data


def table(data, *, ledger=None, names: bool = False):
    """小表: a small frame in Chinese as an HTML table (pandas Styler, every cell escaped), the
    row numbers hidden and whole numbers with thousands separators (10,782)."""
    view = chinese(_frame(data), ledger=ledger, names=names)
    styler = view.style.format(escape="html", thousands=",", precision=2, na_rep="—")
    styler = styler.format_index(escape="html", axis=1)
    if isinstance(view.index, pd.RangeIndex):
        styler = styler.hide(axis="index")
    else:
        styler = styler.format_index(escape="html", axis=0)
    return styler


def grid(data, *, ledger=None, names: bool = False, page: int = GRID_PAGE):
    """表格浏览: a frame in Chinese in an offline grid (itables): pages of ``page`` rows,
    sorting by any column, a search box over every cell. Text is escaped (no HTML runs)."""
    from itables.widget import ITable

    view = chinese(_frame(data), ledger=ledger, names=names, missing="")
    return ITable(
        view,
        pageLength=page,
        lengthMenu=[10, 20, 50, 100],
        maxBytes=GRID_MAX_BYTES,
        language=GRID_LANGUAGE,
        classes="display compact nowrap",
        scrollX=True,
        allow_html=False,
    )


def show(data, *, ledger=None, names: bool = False) -> None:
    """显示结果: display a metric result or a listing as an office reads it.

    Chinese headers and words, rates as 88.6%, names of persons masked (``ledger``: mask every
    subject it records; ``names=True`` only with the right to see them). Up to
    :data:`SMALL_TABLE` rows as a table, more in :func:`grid`. For reading: computations use the
    original frame (``df["rate"][0]`` is the fraction 0.886).
    """
    from IPython.display import display

    frame = _frame(data)
    if len(frame) > SMALL_TABLE:
        display(grid(frame, ledger=ledger, names=names))
    else:
        display(table(frame, ledger=ledger, names=names))
