"""Secrets out of every line a person or a log sees: one place for what counts as a secret.

A ``postgresql://`` ledger URL may carry a password (in its userinfo or as ``?password=``), the
server has an access token, and both can end up in a banner, a log line, an error sentence or a
page. Everything that prints or shows such text calls :func:`redact` (free text) or
:func:`redact_location` (a ledger location shown whole). Standard library only: the server, the
command line and the kernels all import it cheaply.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

_URL_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/?#@\s]*):[^/?#\s]*@", re.I)
_SECRET_PARAM = re.compile(r"(\b(?:token|password|passwd|pwd)=)[^&\s#'\"<>]+", re.I)


def redact(text: str, secrets_: tuple[str, ...] | list[str] = ()) -> str:
    """Remove secrets from ``text``: the given values (plain or URL-encoded), URL passwords
    (``postgresql://leader:***@db``), and ``token=`` / ``password=`` parameters."""
    for value in secrets_:
        if value and len(value) >= 4:
            for form in {value, quote(value, safe=""), quote(value)}:
                text = text.replace(form, "***")
    text = _URL_USERINFO.sub(r"\1:***@", text)
    return _SECRET_PARAM.sub(r"\1***", text)


def redact_location(location: str) -> str:
    """A ledger location fit to show or log: a ``postgresql://`` URL without its password
    (``postgresql://leader:***@db/x``, ``?password=***``); file paths unchanged."""
    try:
        parts = urlsplit(location)
        if not parts.scheme or len(parts.scheme) < 2:  # a path (``C:`` is a drive, not a scheme)
            return location
        netloc = parts.netloc
        if parts.password is not None:
            netloc = f"{parts.username or ''}:***@{netloc.rpartition('@')[2]}"
        query = parse_qsl(parts.query, keep_blank_values=True)
        query = [(k, "***" if k.lower() in ("password", "passfile") else v) for k, v in query]
        return urlunsplit((parts.scheme, netloc, parts.path, urlencode(query, safe="*"), parts.fragment))
    except ValueError:  # not a URL after all: hide anything between '://' and '@'
        return re.sub(r"://[^/@\s]*@", "://***@", location)
