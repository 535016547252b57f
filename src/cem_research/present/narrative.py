"""The one set of formatters for numbers, intervals and p-values in sentences.

Every finding, summary and caption formats its statistics through this module, so that an
interval, a share or a p-value reads the same in every step of the report:

* numbers: ``num(5.6)`` → ``'5.60'``; ``signed(0.82)`` → ``'+0.82'``; missing → ``'n/a'``;
* intervals: ``ci(5.6, 6.0)`` → ``'95% CI 5.60 to 6.00'``; ``pct_ci(0.13, 0.21)`` →
  ``'95% CI 13% to 21%'``;
* shares: ``pct(0.134)`` → ``'13%'`` (never ``'-0%'``);
* p-values (APA style): ``p(0.0004)`` → ``'p < .001'``, ``p(0.012)`` → ``'p = .012'``;
* words: ``join(['a', 'b', 'c'])`` → ``'a, b and c'``; ``count(3, 'comparison')`` →
  ``'3 comparisons'``;
* client text in Markdown: :func:`md` escapes it; :class:`SectionMarkdown` is a heading and
  explanation that a notebook displays as a report section.

Examples
--------
>>> from cem_research.present import narrative as nv
>>> nv.ci(5.6, 6.0)
'95% CI 5.60 to 6.00'
>>> nv.p(0.0123)
'p = .012'
>>> nv.pct(-0.0004)
'0%'
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Sequence
from typing import Any

CONFIDENCE = 0.95


def missing(x: Any) -> bool:
    """Whether ``x`` is absent: ``None``, NaN, infinite, or not a number."""
    if x is None:
        return True
    try:
        return not math.isfinite(float(x))
    except (TypeError, ValueError):
        return True


def _zero(text: str) -> str:
    """Drop the sign of a rounded zero (``'-0.00'`` → ``'0.00'``)."""
    return text[1:] if text.startswith("-") and not re.search(r"[1-9]", text) else text


def num(x: Any, digits: int = 2) -> str:
    """A number for a sentence: ``'5.60'``; ``'n/a'`` when missing."""
    return "n/a" if missing(x) else _zero(f"{float(x):.{digits}f}")


def signed(x: Any, digits: int = 2) -> str:
    """A difference with its sign: ``'+0.82'``, ``'-0.10'``, ``'0.00'``; ``'n/a'`` when missing."""
    if missing(x):
        return "n/a"
    text = _zero(f"{float(x):+.{digits}f}")
    return text[1:] if text.startswith("+") and not re.search(r"[1-9]", text) else text


def pct(x: Any, digits: int = 0) -> str:
    """A share (0–1) as a percentage: ``'13%'``; ``'n/a'`` when missing."""
    return "n/a" if missing(x) else _zero(f"{100 * float(x):.{digits}f}") + "%"


def signed_pct(x: Any, digits: int = 0) -> str:
    """A change in a share as percentage points: ``'+4 points'``."""
    if missing(x):
        return "n/a"
    return signed(100 * float(x), digits) + " points"


def level(confidence: float = CONFIDENCE) -> str:
    """A confidence level for a caption or axis label: ``'95%'``."""
    return f"{100 * float(confidence):g}%"


def ci_label(confidence: float = CONFIDENCE) -> str:
    """The name of an interval for a caption or axis label: ``'95% CI'`` (as :func:`ci` names it)."""
    return f"{level(confidence)} CI"


def ci(lo: Any, hi: Any, digits: int = 2, confidence: float = CONFIDENCE) -> str:
    """An interval: ``'95% CI 5.60 to 6.00'`` (``'95% CI not available'`` when missing)."""
    name = ci_label(confidence)
    if missing(lo) or missing(hi):
        return f"{name} not available"
    return f"{name} {num(lo, digits)} to {num(hi, digits)}"


def adj_ci(lo: Any, hi: Any, digits: int = 2, confidence: float = CONFIDENCE) -> str:
    """An interval adjusted for multiple comparisons (:func:`cem_research.stats.adjusted_interval`):
    ``'adjusted 95% CI 5.60 to 6.00'``; it agrees with the corrected p-value beside it."""
    return "adjusted " + ci(lo, hi, digits, confidence)


#: Caption words of a table whose intervals agree with its corrected p-values.
ADJUSTED_CI_NOTE = "CIs adjusted for multiple comparisons, so that each agrees with its corrected p"


def pct_ci(lo: Any, hi: Any, digits: int = 0, confidence: float = CONFIDENCE) -> str:
    """An interval of a share: ``'95% CI 13% to 21%'``."""
    name = ci_label(confidence)
    if missing(lo) or missing(hi):
        return f"{name} not available"
    return f"{name} {pct(lo, digits)} to {pct(hi, digits)}"


def p(value: Any) -> str:
    """A p-value in APA style: ``'p < .001'``, ``'p = .012'``, ``'p = 1.000'``; ``'p n/a'``."""
    if missing(value):
        return "p n/a"
    value = float(value)
    if value < 0.001:
        return "p < .001"
    text = f"{value:.3f}"
    return "p = " + (text[1:] if text.startswith("0.") else text)


def join(words: Sequence[Any]) -> str:
    """``'a, b and c'`` (one word as it is, none as ``''``)."""
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``'1 comparison'``, ``'3 comparisons'`` (thousands separated)."""
    return f"{int(n):,} {noun}" if int(n) == 1 else f"{int(n):,} {plural or noun + 's'}"


def scale_text(scale: Sequence[float]) -> str:
    """A response scale: ``'1–7'``."""
    return f"{scale[0]:g}\u2013{scale[1]:g}"


def label(cfg: Any, construct: str) -> str:
    """The display title of a construct (its ``label:`` or a readable form of its name)."""
    c = getattr(cfg, "constructs", {}).get(construct)
    return c.title if c is not None else str(construct).replace("_", " ").capitalize()


def md(text: Any) -> str:
    """Escape client-supplied text for Markdown display (HTML-escaped, control characters neutralised)."""
    return re.sub(r"([\\`*_\[\]#|])", r"\\\1", html.escape(str(text), quote=False))


class SectionMarkdown(str):
    """Markdown (a ``## heading`` and its explanation) that a notebook displays as a section.

    Optional sections – Kano, experiential modules, promise versus delivery – exist only for
    clients that declare them, so their heading cannot be a markdown cell (every client would see
    it).  The package returns this text instead; displayed, it carries the output metadata
    ``{"cem_research": {"section": true}}``, by which :mod:`cem_research.present.report` renders its
    heading at the level of a markdown cell's.  It is a ``str``, so it can be tested and printed.
    """

    def _repr_markdown_(self):
        return str(self), {"cem_research": {"section": True}}
