"""中文标点提示: a SyntaxError caused by full-width punctuation gets a hint in Chinese.

Why: with a Chinese input method on, ``print（1）`` or ``x = 1，2`` is typed as easily as the
ASCII form, and Python answers ``SyntaxError: invalid character '（' (U+FF08)``, in English,
pointing at a character that looks right. The hint names the character, says to switch the
input method to English punctuation, and shows the line corrected (outside quotes only: text
inside a string may keep its Chinese punctuation). Installed in a notebook kernel by
``toolkit.notebook.setup`` and ``toolkit.workshop.start``; it wraps IPython's
``showsyntaxerror`` and prints below the usual message.
"""

from __future__ import annotations

import re
import sys

# Full-width (or typographic) punctuation a Chinese IME types, and what Python expects instead.
ASCII_FOR = {
    "（": "(",
    "）": ")",
    "【": "[",
    "】": "]",
    "｛": "{",
    "｝": "}",
    "：": ":",
    "，": ",",
    "；": ";",
    "。": ".",
    "、": ",",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "《": "<",
    "》": ">",
    "！": "!",
    "？": "?",
    "＝": "=",
    "＋": "+",
    "－": "-",
    "＊": "*",
    "／": "/",
    "％": "%",
    "＃": "#",
    "＿": "_",
    "［": "[",
    "］": "]",
    "＜": "<",
    "＞": ">",
    "\u3000": " ",
}
_CLOSING = {'"': '"', "'": "'", "“": "”", "‘": "’"}
_INVALID = re.compile(r"invalid (?:non-printable )?character (?:'(.)' )?\(?U\+([0-9A-Fa-f]{4})\)?")


def offending_character(error: SyntaxError) -> str | None:
    """The full-width character a SyntaxError complains about, or None if it is about something else."""
    match = _INVALID.search(str(error.msg or ""))
    if not match:
        return None
    char = chr(int(match.group(2), 16))
    return char if char in ASCII_FOR else None


def corrected(line: str) -> str:
    """``line`` with full-width punctuation outside strings made ASCII; a string opened with a
    full-width quote (“ or ‘) becomes an ASCII-quoted string with its text as typed."""
    out, closing, escaped = [], None, False
    for ch in line:
        if closing is None:
            closing = _CLOSING.get(ch)
            out.append(ASCII_FOR.get(ch, ch))
        elif escaped:
            escaped = False
            out.append(ch)
        elif ch == "\\":
            escaped = True
            out.append(ch)
        elif ch in (closing, ASCII_FOR.get(closing)):
            closing = None
            out.append(ASCII_FOR.get(ch, ch))
        else:
            out.append(ch)
    return "".join(out)


def hint(error: SyntaxError) -> str | None:
    """The Chinese hint for ``error`` (English after it), or None when punctuation is not the cause."""
    char = offending_character(error)
    if char is None:
        return None
    shown = "全角空格" if char == "\u3000" else f"「{char}」"
    wanted = "半角空格" if char == "\u3000" else f"「{ASCII_FOR[char]}」"
    lines = [
        f"提示：这一行有中文（全角）标点{shown}，Python 要的是英文（半角）的{wanted}。"
        "请把输入法切换到英文标点（一般按 Shift 或 Ctrl+. 切换）后重新输入；引号里的文字可以保留中文标点。",
        f"Hint: this line holds the full-width character {char!r}; type Python's punctuation with the "
        "input method in English mode.",
    ]
    if error.text:
        fixed = corrected(error.text.rstrip("\n"))
        if fixed != error.text.rstrip("\n"):
            lines.insert(1, f"改成 / corrected:  {fixed}")
    return "\n".join(lines)


def install(shell=None) -> bool:
    """Print :func:`hint` after every SyntaxError IPython shows in this kernel. Idempotent;
    returns False outside IPython."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "showsyntaxerror"):
        return False
    if getattr(shell, "_xuncha_punctuation", False):
        return True
    original = shell.showsyntaxerror

    def showsyntaxerror(*args, **kwargs):
        original(*args, **kwargs)
        error = sys.exc_info()[1] or getattr(sys, "last_value", None)
        text = hint(error) if isinstance(error, SyntaxError) else None
        if text:
            print(text)

    shell.showsyntaxerror = showsyntaxerror
    shell._xuncha_punctuation = True
    return True
