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
* coded values in words: ``value_label(cfg, 'touchpoint', 'mobile_app_order')`` →
  ``'Mobile app order'``; :func:`label_values` does it for the id columns of a table;
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


def initial(text: str) -> str:
    """``text`` with its first letter upper-cased and the rest unchanged (``str.capitalize`` would lower a
    construct's name in the middle of a sentence).

    Examples
    --------
    >>> initial("the Loyalty construct")
    'The Loyalty construct'
    """
    return text[:1].upper() + text[1:]


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


def item_label(cfg: Any, item: str) -> str:
    """How a questionnaire item is named to readers: its question wording, never its column code.

    Parameters
    ----------
    cfg : ClientConfig or None
        Its ``questions`` (``{item: wording}``, from ``question:`` in client.yaml or the export's
        variable labels) and ``constructs`` are used.
    item : str
        The item's column.

    Returns
    -------
    str
        The declared wording; else, for an item of a declared construct, the construct's title and
        the item's place in it (``'Expectations, item 2 of 5'``: the export carried no wording);
        else the item's code in words (:func:`value_label`).

    Examples
    --------
    >>> item_label(None, "bx_sens1")
    'Bx sens1'
    >>> class C:
    ...     title = "Image"
    ...     items = ("imag1", "imag2")
    >>> class Cfg:
    ...     questions = {"imag1": "Reputation"}
    ...     constructs = {"image": C()}
    >>> item_label(Cfg(), "imag1"), item_label(Cfg(), "imag2")
    ('Reputation', 'Image, item 2 of 2')
    """
    questions = getattr(cfg, "questions", None) or {}
    if item in questions:
        return str(questions[item])
    for c in (getattr(cfg, "constructs", None) or {}).values():
        items = tuple(getattr(c, "items", ()))
        if item in items:
            title = getattr(c, "title", None) or str(item)
            return title if len(items) == 1 else f"{title}, item {items.index(item) + 1} of {len(items)}"
    return value_label(None, "", item)


#: Reader's names of the interface kinds of the touchpoint contract.
INTERFACE_LABELS = {"human_human": "human–human", "human_technology": "human–technology",
                    "human_environment": "human–environment"}
#: Reader's names of the competitor kinds (``own`` is the own brand).
KIND_LABELS = {"own": "own brand", "direct": "direct competitor", "new_entrant": "new entrant",
               "outside_industry": "outside the industry"}
#: Known vocabularies of coded columns: ``{column: {code: label}}`` (interface kinds in any column).
VOCABULARIES = {"interface": INTERFACE_LABELS, "brand_kind": KIND_LABELS}
#: The columns whose values are coded ids shown to readers (:func:`label_values`' default).
CODED_COLUMNS = ("touchpoint", "stage", "channel", "interface", "brand_kind", "from_stage", "to_stage")
#: Columns whose values name a construct of the client (shown by the construct's label).
CONSTRUCT_COLUMNS = ("construct", "dimension", "driver", "outcome")
#: Every column of identifiers a displayed table shows in words (:func:`label_values` of each table a
#: section shows): the coded columns, construct names, brand elements, segment columns and items.
DISPLAY_COLUMNS = (*CODED_COLUMNS, *CONSTRUCT_COLUMNS, "element", "aspect", "segment", "item")
_CODE_LIKE = re.compile(r"^(?:[a-z0-9]+(?:_[a-z0-9]+)+|[a-z]+)$")


def value_label(cfg: Any, column: str, value: Any) -> str:
    """The display form of a coded value of a column: a touchpoint, stage, channel, interface kind,
    brand kind, segment level or questionnaire item (column ``item``: :func:`item_label`).

    The one place that turns such ids into words, for findings, table cells and chart labels alike.

    Parameters
    ----------
    cfg : ClientConfig or None
        The client's configuration.  A ``labels`` attribute ``{column: {code: label}}``, when the
        configuration has one, wins over everything else.
    column : str
        The column the value comes from (``'touchpoint'``, ``'stage'``, ``'channel'``, ``'interface'``,
        ``'brand_kind'``, a segment column...).
    value : Any
        The coded value.

    Returns
    -------
    str
        The declared label; else the known word for an interface kind (``human_technology`` →
        ``'human–technology'``) or a brand kind (:data:`KIND_LABELS`); else, for a code-like value
        (``snake_case`` or one lowercase word), its words with the first letter capitalised; else the
        value unchanged (already words, the client's own text, numbers).

    Examples
    --------
    >>> value_label(None, "touchpoint", "mobile_app_order")
    'Mobile app order'
    >>> value_label(None, "stage", "awareness")
    'Awareness'
    >>> value_label(None, "interface", "human_technology")
    'human–technology'
    >>> value_label(None, "brand_kind", "new_entrant")
    'new entrant'
    >>> value_label(None, "tenure", "1-3 years"), value_label(None, "channel", "In store")
    ('1-3 years', 'In store')
    >>> class Cfg:
    ...     labels = {"touchpoint": {"mobile_app_order": "Ordering in the app"}}
    >>> value_label(Cfg(), "touchpoint", "mobile_app_order")
    'Ordering in the app'
    """
    if column == "item" and isinstance(value, str):
        return item_label(cfg, value)
    if column in CONSTRUCT_COLUMNS and value in (getattr(cfg, "constructs", None) or {}):
        return label(cfg, value)
    if column == "segment" and value in (getattr(cfg, "segments", None) or {}):
        return str(cfg.segments[value])
    declared = (getattr(cfg, "labels", None) or {}).get(column) or {}
    try:
        if value in declared:
            return str(declared[value])
        known = VOCABULARIES.get(column, {})
        if value in known:
            return known[value]
        if value in INTERFACE_LABELS:
            return INTERFACE_LABELS[value]
    except TypeError:  # an unhashable value
        return str(value)
    text = str(value)
    if isinstance(value, str) and _CODE_LIKE.match(text):
        words = text.replace("_", " ")
        return initial(words)
    return text


def label_values(frame: Any, cfg: Any, columns: Sequence[str] = CODED_COLUMNS) -> Any:
    """A copy of a table with the coded values of ``columns`` in words (:func:`value_label`).

    For the tables a reader sees; the section's result keeps its ids.  Columns the frame lacks are
    ignored, missing values and non-text values stay as they are, the row order is kept.

    Parameters
    ----------
    frame : DataFrame
    cfg : ClientConfig or None
    columns : sequence of str, default :data:`CODED_COLUMNS`

    Returns
    -------
    DataFrame
        A copy (its ``attrs`` kept).

    Examples
    --------
    >>> import pandas as pd
    >>> label_values(pd.DataFrame({"touchpoint": ["cup_return", None], "n": [3, 4]}), None)
       touchpoint  n
    0  Cup return  3
    1         NaN  4
    """
    out = frame.copy()
    for col in columns:
        if col not in out.columns:
            continue
        s = out[col]

        def word(v, c=col):
            return value_label(cfg, c, v) if isinstance(v, str) else v

        if str(s.dtype) == "category":  # keeps the declared order of the categories
            out[col] = s.map(word)
        elif s.dtype == object or str(s.dtype).startswith("str"):
            out[col] = type(s)([word(v) for v in s], index=s.index, name=col, dtype=object)
    return out


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
