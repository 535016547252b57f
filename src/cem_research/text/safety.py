"""Customer text made safe to show: PII masking (e-mail, IBAN, card and phone numbers) and HTML-safe excerpts.

Customer text shown in any report must go through :func:`safe_text`.

Every pattern is bounded (no part repeats without limit, digit runs are possessive), so masking takes
time linear in the text on any input; :func:`safe_text` masks only the part of a long text it shows
(with a margin longer than any pattern can match), so a 2 MB comment costs what a short one does.
"""

from __future__ import annotations

import html
import re
from typing import Any

from cem_research.text.common import as_text

__all__ = ["mask_pii", "safe_text"]

# local part (first character not a dot or apostrophe: "jane.o'brien"), then a dotted domain or localhost
_EMAIL = re.compile(
    r"(?<![\w.+-])[\w%+-][\w.%+'-]{0,63}+@"
    r"(?:localhost|[\w-]{1,63}+(?:\.[\w-]{1,63}+){0,4}\.[^\W\d_]{2,24}+)(?!\w)")
# IBAN: country code, two check digits, 11-30 letters or digits, in groups of four or written together.
_IBAN = re.compile(r"(?<!\w)[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?!\w)")
# Card-like numbers: 13-19 digits, contiguous or grouped 4-4-4-x / 4-6-4(5) with single spaces, dashes or dots.
_CARD = re.compile(
    r"(?<![\w+.,])"
    r"(?:\d{13,19}+|\d{4}(?:[ .-]\d{4}){2}[ .-]\d{1,7}+|\d{4}[ -]\d{6}[ -]\d{4,5}+)"
    r"(?![\w]|[.,]\d)"
)
# Phone candidates: optional + prefix, then one run of 7-15 digits or 2 to 8 digit groups (a group may be
# in parentheses) separated by one space, dash, dot or no-break space (none needed next to a parenthesis);
# a lone short group ("+1") is no candidate, so it costs no call of _phone_or_keep. Digit runs are possessive,
# so a long run of digits is given up at once. Whether a candidate is a phone number: _phone_or_keep().
_PHONE_GROUP = r"(?:\(\d{1,5}\)|\d{1,15}+)"
_PHONE = re.compile(
    r"(?<![\w+.,/\-])(?=(?:\D{0,3}\d){7})"  # at least 7 digits ahead: most candidates fail here, cheaply
    rf"(?:\+\s?)?(?:{_PHONE_GROUP}(?:(?:[ \u00a0.\-]|(?<=\))|(?=\()){_PHONE_GROUP}){{1,7}}|\d{{7,15}}+)"
    r"(?![\w/]|[.,]\d)"
)
_DIGIT_GROUP = re.compile(r"(?<![(\d])\d+")  # digit groups not opened by "(", e.g. "(0)20" -> ["20"]
_DATE = re.compile(r"\d{1,2}([.\- ])\d{1,2}\1\d{2,4}|\d{4}([.\-])\d{1,2}\2\d{1,2}")
#: More characters than any pattern above can match (an e-mail address: 64 + 1 + 5 x 64 + 24).
LONGEST_MATCH = 512


_NOT_DIGITS = dict.fromkeys(map(ord, "0123456789"), None)


def _phone_or_keep(match: re.Match) -> str:
    s = match.group(0)
    digits = len(s) - len(s.translate(_NOT_DIGITS))
    if not 7 <= digits <= 15:
        return s
    # single digits after the first group: a list of numbers or an ISBN, not a phone (checked first: the
    # cheapest way out for the long runs of "1 1 1 ..." a hostile comment is made of)
    groups = _DIGIT_GROUP.findall(s)
    if any(len(g) == 1 for g in groups[1:]):
        return s
    if s[0] == "+":
        return "[phone]"
    if s.isdigit():
        # contiguous digits: only national numbers with a trunk prefix (0...) or 00 international prefix
        return "[phone]" if s.startswith("0") and 10 <= digits <= 15 else s
    if _DATE.fullmatch(s):
        return s
    if len(s) - digits == 1 and "." in s:
        return s  # a decimal number
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
        The text with e-mail addresses replaced by ``[email]``, IBANs by ``[iban]``, card-like numbers by
        ``[card]`` and phone numbers by ``[phone]``.

    Notes
    -----
    Regular-expression rules, applied in this order:

    1. e-mail: ``local@domain.tld`` (an apostrophe may be part of the local part: ``jane.o'brien@…``)
       and ``local@localhost``.
    2. IBAN: two capital letters, two check digits and 11-30 capital letters or digits, written together
       or in groups of four (``DE89 3704 0044 0532 0130 00``); no check-digit test, as for cards.
    3. card: 13-19 digits, contiguous or grouped 4-4-4-(1..7) with single spaces, dashes or dots
       (``4111.1111.1111.1111``), or 4-6-(4|5) (no Luhn check: masking an order number is harmless,
       leaking a card number is not).
    4. phone: 7-15 digits written with a ``+`` prefix, or in groups separated by spaces, dashes, dots or
       parentheses, e.g. ``+44 20 7946 0958``, ``(555) 123-4567``, ``555.123.4567``, ``0151 2345 6789``;
       contiguous digit strings only when they start with ``0`` and have 10-15 digits (``07700900123``).
       Dates (``12.03.2025``, ``2025-03-12``), single decimals, short numbers and digit runs with
       single-digit groups after the first (``1 2 3 4 5 6 7``, ISBNs) are left alone.

    Ordinary numbers ("3 coffees", "2025", "10/10", "4.50") are not masked. The rules are heuristic:
    numbers written as words or unusual formats are not caught; long space-separated lists of numbers may
    be masked as phones. Every pattern is bounded, so the time is linear in the length of the text.

    Examples
    --------
    >>> mask_pii("Mail jo.doe@example.com or call +44 20 7946 0958 about 3 coffees for 4.50")
    'Mail [email] or call [phone] about 3 coffees for 4.50'
    >>> mask_pii("card 4111 1111 1111 1111, rated 10/10 in 2025")
    'card [card], rated 10/10 in 2025'
    >>> mask_pii("jane.o'brien@example.com, root@localhost, IBAN DE89 3704 0044 0532 0130 00")
    '[email], [email], IBAN [iban]'
    """
    text = as_text(text)
    if not text:
        return text
    if "@" in text:
        text = _EMAIL.sub("[email]", text)
    text = _IBAN.sub("[iban]", text)
    text = _CARD.sub("[card]", text)
    return _PHONE.sub(_phone_or_keep, text)


def _masked_head(text: str, max_chars: int) -> str:
    """:func:`mask_pii` of the start of ``text``: the first ``max_chars`` characters of the result are
    those of ``mask_pii(text)``, whatever the length of ``text``.

    The start is masked with a margin of ``2 x`` :data:`LONGEST_MATCH` characters, so a number or
    address cut at the end of the masked part lies wholly beyond what is kept; when masking shortened
    the start so much that the margin no longer holds, twice as much is masked (linear in total).
    """
    window = max_chars + 2 * LONGEST_MATCH
    while True:
        masked = mask_pii(text[:window])
        if window >= len(text) or len(masked) >= max_chars + 2 * LONGEST_MATCH:
            return masked
        window *= 2


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
    Steps: :func:`mask_pii` on the part of the text that can be shown (the whole text with ``max_chars=None``;
    else the first ``max_chars`` plus a margin longer than any masked item, so a cut never leaves half a
    number behind and a long text costs no more than a short one); lone surrogates replaced by U+FFFD (so the report can be
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
    text = as_text(text)
    text = mask_pii(text) if max_chars is None else _masked_head(text, max_chars)
    text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    text = _CONTROL_CHARS.sub(" ", text.translate(_BIDI_CONTROLS))
    if max_chars is not None and len(text) > max_chars:
        cut = text[: max_chars - 1]
        space = max(cut.rfind(" "), cut.rfind("\n"), cut.rfind("\t"))
        if space > (max_chars - 1) // 2:
            cut = cut[:space]
        text = cut.rstrip() + "…"
    return html.escape(text, quote=True)
