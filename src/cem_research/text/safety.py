"""Customer text made safe to show: PII masking (e-mail, card and phone numbers) and HTML-safe excerpts.

Customer text shown in any report must go through :func:`safe_text`.
"""

from __future__ import annotations

import html
import re
from typing import Any

from cem_research.text.common import as_text

__all__ = ["mask_pii", "safe_text"]

_EMAIL = re.compile(r"(?<![\w.+-])[\w.%+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?!\w)")
# Card-like numbers: 13-19 digits, contiguous or grouped 4-4-4-x / 4-6-4(5) with single spaces or dashes.
_CARD = re.compile(
    r"(?<![\w+.,])"
    r"(?:\d{13,19}|\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7}|\d{4}[ -]\d{6}[ -]\d{4,5})"
    r"(?![\w]|[.,]\d)"
)
# Phone candidates: optional + / 00 prefix, digit groups (optionally in parentheses) separated by one space,
# dash, dot or no-break space. Whether a candidate is a phone number is decided in _phone_or_keep().
_PHONE = re.compile(
    r"(?<![\w+.,/\-])"
    r"(?:\+\s?)?\(?\d{1,5}\)?(?:[ \u00a0.\-]?\(?\d{1,5}\)?){1,7}"
    r"(?![\w/]|[.,]\d)"
)
_DIGIT_GROUP = re.compile(r"(?<![(\d])\d+")  # digit groups not opened by "(", e.g. "(0)20" -> ["20"]
_DATE = re.compile(r"\d{1,2}([.\- ])\d{1,2}\1\d{2,4}|\d{4}([.\-])\d{1,2}\2\d{1,2}")


def _phone_or_keep(match: re.Match) -> str:
    s = match.group(0)
    digits = sum(ch.isdigit() for ch in s)
    if not 7 <= digits <= 15:
        return s
    plus = s.startswith("+")
    seps = [ch for ch in s if not ch.isdigit() and ch != "+"]
    if not plus and not seps:
        # contiguous digits: only national numbers with a trunk prefix (0...) or 00 international prefix
        return "[phone]" if s.startswith("0") and 10 <= digits <= 15 else s
    if not plus and _DATE.fullmatch(s):
        return s
    if not plus and set(seps) == {"."} and len(seps) < 2:
        return s  # a decimal number
    if any(len(g) == 1 for g in _DIGIT_GROUP.findall(s)[1:]):
        return s  # single digits after the first group: a list of numbers or an ISBN, not a phone
    return "[phone]"


def mask_pii(text: Any) -> str:
    """Replace e-mail addresses, card-like numbers and phone numbers in a text.

    Parameters
    ----------
    text : str
        Any text (``None``/NaN give ``""``).

    Returns
    -------
    str
        The text with e-mail addresses replaced by ``[email]``, card-like numbers by ``[card]`` and phone
        numbers by ``[phone]``.

    Notes
    -----
    Regular-expression rules, applied in this order:

    1. e-mail: ``local@domain.tld``.
    2. card: 13-19 digits, contiguous or grouped 4-4-4-(1..7) or 4-6-(4|5) with single spaces or dashes
       (no Luhn check: masking an order number is harmless, leaking a card number is not).
    3. phone: 7-15 digits written with a ``+`` prefix, or in groups separated by spaces, dashes, dots or
       parentheses, e.g. ``+44 20 7946 0958``, ``(555) 123-4567``, ``555.123.4567``, ``0151 2345 6789``;
       contiguous digit strings only when they start with ``0`` and have 10-15 digits (``07700900123``).
       Dates (``12.03.2025``, ``2025-03-12``), single decimals, short numbers and digit runs with
       single-digit groups after the first (``1 2 3 4 5 6 7``, ISBNs) are left alone.

    Ordinary numbers ("3 coffees", "2025", "10/10", "4.50") are not masked. The rules are heuristic:
    numbers written as words or unusual formats are not caught; long space-separated lists of numbers may
    be masked as phones.

    Examples
    --------
    >>> mask_pii("Mail jo.doe@example.com or call +44 20 7946 0958 about 3 coffees for 4.50")
    'Mail [email] or call [phone] about 3 coffees for 4.50'
    >>> mask_pii("card 4111 1111 1111 1111, rated 10/10 in 2025")
    'card [card], rated 10/10 in 2025'
    """
    text = as_text(text)
    if not text:
        return text
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    text = _CARD.sub("[card]", text)
    return _PHONE.sub(_phone_or_keep, text)


# Bidi embedding/override/isolate controls (LRE RLE PDF LRO RLO, LRI RLI FSI PDI): an unbalanced one
# would reorder the report text after the quote. Plain LRM/RLM/ALM marks are harmless and kept.
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"), None)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def safe_text(text: Any, max_chars: int | None = 300) -> str:
    """Customer text made safe to show in a report: PII masked, shortened, HTML-escaped.

    Parameters
    ----------
    text : str
        A customer verbatim (``None``/NaN give ``""``).
    max_chars : int or None, default 300
        Maximum length in characters before escaping, ellipsis included; None keeps the whole text.

    Returns
    -------
    str
        HTML-safe text: may be inserted into HTML element content or attribute values as is.

    Notes
    -----
    Steps: :func:`mask_pii` on the whole text; lone surrogates replaced by U+FFFD (so the report can be
    written as UTF-8), control characters (except tab and newline) replaced by a space and bidi
    embedding/override/isolate controls removed (so an unbalanced right-to-left override cannot reorder
    the report around the quote); if longer than ``max_chars``, cut at the last space within the limit
    (or at the limit if the last word would lose more than half the text) and ``…`` appended; finally
    :func:`html.escape` with ``quote=True``. Every report must use this for customer text.

    Examples
    --------
    >>> safe_text("<script>alert(1)</script> mail me: a@b.com")
    '&lt;script&gt;alert(1)&lt;/script&gt; mail me: [email]'
    >>> safe_text("The latte was lovely and warm", max_chars=16)
    'The latte was…'
    """
    if max_chars is not None and max_chars < 1:
        raise ValueError("max_chars must be a positive integer or None")
    text = mask_pii(text)
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = _CONTROL_CHARS.sub(" ", text.translate(_BIDI_CONTROLS))
    if max_chars is not None and len(text) > max_chars:
        cut = text[: max_chars - 1]
        space = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
        if space > (max_chars - 1) // 2:
            cut = cut[:space]
        text = cut.rstrip() + "…"
    return html.escape(text, quote=True)
