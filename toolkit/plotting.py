"""``df.plot`` in Chinese: pandas' matplotlib plots, with a font that has Chinese characters.

Why a pandas plotting backend of our own (``toolkit.notebook.setup`` selects it): matplotlib's
default font has no Chinese glyphs, so 地区 and 整改率 come out as empty boxes; the font is set
the first time something is plotted, so a notebook that never plots never loads matplotlib.
Without matplotlib, ``df.plot`` says in Chinese what to install or use instead.
"""

from __future__ import annotations

# Fonts tried in order: Debian's Noto CJK, then what Windows and macOS offices have.
CJK_FONTS = [
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
]
MISSING = (
    "画图需要 matplotlib：运行 make lab（或 pip install -e '.[lab]'）安装；"
    "也可以用 toolkit.charts 或 altair 画图（不需要 matplotlib）。"
    " / df.plot needs matplotlib: run `make lab` (or pip install -e '.[lab]'), or draw with "
    "toolkit.charts or altair."
)


def chinese_fonts() -> None:
    """中文字体: put the CJK fonts first in matplotlib's sans-serif list; minus signs stay ASCII
    (CJK fonts often lack U+2212)."""
    import matplotlib

    current = [f for f in matplotlib.rcParams["font.sans-serif"] if f not in CJK_FONTS]
    matplotlib.rcParams["font.sans-serif"] = CJK_FONTS + current
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False


def _matplotlib_backend():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ImportError(MISSING) from None
    chinese_fonts()
    from pandas.plotting import _matplotlib

    return _matplotlib


def plot(data, kind, **kwargs):
    """What ``df.plot(...)`` calls: pandas' own matplotlib plot, with Chinese fonts."""
    return _matplotlib_backend().plot(data, kind, **kwargs)


def __getattr__(name: str):
    """Every other plotting entry pandas looks up (``hist_frame``, ``boxplot`` …), delegated."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_matplotlib_backend(), name)
