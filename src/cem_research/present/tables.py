"""Tables for the report: labelled, formatted like the sentences, escaped once, deterministic HTML.

Every table a section presents goes through :func:`show`:

* headers are reader labels (:mod:`cem_research.present.labels`; a section's ``rename`` wins), and
  :func:`reader_columns` gives the same labels to whoever exports the table (CSV, JSON);
* cells are formatted by :func:`format_frame` with the number formatters of
  :mod:`cem_research.present.narrative`, so a table reads like the sentence beside it:

  ============================  ====================================================
  column                        cell
  ============================  ====================================================
  p-value (``p``, ``p_*``,      ``< .001``, ``.012``, ``1.000`` (APA, as ``nv.p``)
  ``*_p``, ``*_p_*``)
  share (``percent=``)          ``27.5%`` (never ``-0.0%``)
  ``pct_*`` (0–100)             ``35.8%``
  NPS (``nps``, ``nps_*``, and  ``+12``, ``-3``, ``0`` (signed integers)
  their intervals and changes)
  count (integers, ``n``,       ``1,050``
  ``n_*``, ``count``...)
  yes/no                        ``yes`` / ``no``
  other numbers                 ``5.60``, ``1,234.50`` (``digits``; never ``-0.00``)
  missing                       empty
  ============================  ====================================================

A table wider than the report's text column (992 CSS px) is shown in parts, several ``<table>``
elements one after another (:func:`table_parts`): each fits :data:`TABLE_WIDTH_PX` by an estimate of its
least width (:func:`column_widths`, words are never broken), repeats the leading key columns (brand,
segment, ...: :func:`key_count`) and keeps an estimate beside its interval (:func:`column_units`); its
caption reads ``"... (part 1 of 3)"``.

Examples
--------
>>> import pandas as pd
>>> from cem_research.present.tables import format_frame
>>> format_frame(pd.DataFrame({"p_corr": [0.0123, 1.0], "nps": [11.92, -0.2], "n": [1050, 3]})).values.tolist()
[['.012', '+12', '1,050'], ['1.000', '0', '3']]
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from cem_research.present import narrative as nv
from cem_research.present.labels import caption_confidence, reader_labels

#: Digits of a share shown as a percentage in a table (``27.5%``).
PERCENT_DIGITS = 1
#: Columns holding whole counts even when stored as floats.
COUNT_NAMES = frozenset({"n", "count", "k", "promoters", "passives", "detractors", "exits", "users",
                         "respondents", "mentions", "comments", "steps", "trimmed", "iterations", "rank",
                         "priority", "target_docs", "criteria_met"})
#: Columns holding Net Promoter Score points whenever the table has an ``nps`` column.
NPS_COMPANIONS = frozenset({"ci_low", "ci_high", "change", "change_ci_low", "change_ci_high"})
#: Columns of estimated counts shown rounded to whole numbers (Kish effective n).
ROUNDED_COUNTS = frozenset({"n_eff"})
#: Columns shown without decimals when every value is whole (degrees of freedom, scale points).
WHOLE_NAMES = frozenset({"ddof1", "df", "scale_min", "scale_max", "midpoint"})
#: Space inside ``< .001`` that a narrow column does not break.
NBSP = "\u00a0"

# ---- how wide a table is drawn (the report's CSS, present.report.appendix) ------------------------
#: Widest a table may be estimated, in CSS px: the report's text column is 992 px (``max-width: 1040px``
#: less ``2 × 1.5rem`` padding); the rest is a margin for fonts a little wider than the estimate's.
TABLE_WIDTH_PX = 960
#: Size of a table's text in CSS px (``font-size: .9rem`` of the 16 px root).
TABLE_FONT_PX = 14.4
#: Left plus right padding of a cell in CSS px (``padding: .3rem .6rem``: rem is the 16 px root).
CELL_PADDING_PX = 19.2
#: Most leading identifying columns (brand, segment, ...) a part of a split table repeats.
MAX_KEYS = 2
#: Numeric columns that identify a row when they lead a table (``rank``, ``priority`` of a ranked list).
ORDER_NAMES = frozenset({"rank", "priority"})

#: Characters whose advance width is tabulated in :data:`_REGULAR` and :data:`_BOLD`.
GLYPHS = ("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
          "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ \u00a0–—‘’“”×²³±≥≤αβγηωχΔé·…°√")
# Advance widths in thousandths of an em, each the larger of DejaVu Sans and Liberation Sans (the
# fonts Chromium on Linux draws the report's font stack with; DejaVu is the wider of the two), read
# from the font files with fontTools and rounded up.  Kerning only narrows text in these fonts.
_REGULAR = (
    637, 637, 637, 637, 637, 637, 637, 637, 637, 637, 613, 635, 550, 635, 616, 353, 635, 634, 278, 278,
    580, 278, 975, 634, 612, 635, 635, 412, 521, 393, 634, 592, 818, 592, 592, 525, 685, 687, 723, 771,
    667, 611, 778, 752, 295, 500, 667, 558, 863, 749, 788, 667, 788, 723, 667, 611, 732, 685, 989, 686,
    667, 686, 401, 460, 838, 637, 951, 780, 275, 391, 391, 500, 838, 318, 361, 318, 337, 337, 337, 838,
    838, 838, 557, 1016, 391, 337, 391, 838, 557, 500, 637, 337, 637, 838, 318, 318, 557, 1000, 318,
    318, 519, 519, 838, 401, 401, 838, 838, 838, 660, 639, 592, 634, 838, 578, 685, 616, 318, 1000, 500,
    638)
_BOLD = (
    696, 696, 696, 696, 696, 696, 696, 696, 696, 696, 675, 716, 593, 716, 679, 436, 716, 712, 343, 343,
    666, 343, 1042, 712, 688, 716, 716, 494, 596, 479, 712, 652, 924, 646, 652, 583, 774, 763, 734, 831,
    684, 684, 821, 837, 373, 557, 775, 638, 996, 837, 851, 733, 851, 771, 721, 683, 813, 774, 1104, 771,
    725, 726, 457, 521, 838, 696, 1002, 873, 307, 458, 458, 523, 838, 380, 416, 380, 366, 400, 400, 838,
    838, 838, 611, 1000, 458, 366, 458, 838, 557, 500, 712, 366, 712, 838, 349, 349, 557, 1000, 380,
    380, 658, 658, 838, 438, 438, 838, 838, 838, 688, 716, 682, 712, 870, 646, 774, 679, 380, 1000, 500,
    667)
_EM = {False: dict(zip(GLYPHS, _REGULAR, strict=True)), True: dict(zip(GLYPHS, _BOLD, strict=True))}
#: Width of a character not tabulated (thousandths of an em): the widest tabulated one, to stay on the safe side.
_UNKNOWN = {False: max(_REGULAR), True: max(_BOLD)}
#: Where a cell's text may wrap, as far as the estimate counts: ASCII white space only.  Chromium also
#: breaks after a hyphen or dash; ignoring that only makes the estimate wider, never narrower.  The
#: no-break space of ``< .001`` never breaks.
_BREAKS = re.compile(r"[ \t\n\r\f]+")
#: Interval columns that stay beside the column before them: ``ci_low``, ``alpha_ci_high``,
#: ``ci_low_0_100``, ``pomp_low``, ``change_ci_high``...
_INTERVAL = re.compile(r"(?:^|_)ci_(?:low|high)(?:_|$)|_(?:low|high|lower|upper)$")
#: A cell that reads as a number or an estimate (``1,050``, ``-0.25``, ``< .001``, ``27.5%``,
#: ``4% [3%, 6%]``) rather than a name.
_NUMBER_LIKE = re.compile(r"[<>≤≥+\-−\s\u00a0]*[\d.,]*\d[\d.,]*%?(?:\s*[\[(].*[\])])?")


def is_pvalue(name) -> bool:
    """Whether a column name denotes a p-value: ``p``, ``p_*``, ``*_p`` or ``*_p_*`` (``trend_p_corr``).

    Examples
    --------
    >>> [is_pvalue(c) for c in ("p_corr", "pair_p", "reach_p_corr", "pct_promoters", "pomp")]
    [True, True, True, False, False]
    """
    name = str(name)
    return name == "p" or name.startswith("p_") or name.endswith("_p") or "_p_" in name


def nps_columns(columns: Iterable) -> set:
    """Columns holding NPS points: ``nps``, ``nps_*``, and with ``nps`` its intervals and changes."""
    columns = [str(c) for c in columns]
    out = {c for c in columns if c == "nps" or c.startswith("nps_")}
    if "nps" in columns:
        out |= NPS_COMPANIONS & set(columns)
    return out


def _is_count(name) -> bool:
    name = str(name)
    return name in COUNT_NAMES or name in WHOLE_NAMES or (name.startswith("n_") and name not in ROUNDED_COUNTS)


def _grouped(text: str) -> str:
    """Thousands separators in a number as :mod:`narrative` writes it (``'1234.50'`` → ``'1,234.50'``)."""
    m = re.fullmatch(r"([+-]?)(\d+)(\.\d+)?", text)
    if not m:
        return text
    return f"{m.group(1)}{int(m.group(2)):,}{m.group(3) or ''}"


def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(isinstance(v, (float, np.floating)) and np.isnan(v))
    except TypeError:
        return False


def pvalue_text(v) -> str:
    """A p-value in a table cell: ``'< .001'``, ``'.012'``, ``'1.000'`` (:func:`narrative.p` without ``p =``).

    The space of ``'< .001'`` is a no-break space, so a narrow column keeps it on one line.
    """
    if nv.missing(v):
        return ""
    text = nv.p(v)
    return text[len("p = "):] if text.startswith("p = ") else text[len("p "):].replace(" ", NBSP)


def percent_text(v, digits: int = PERCENT_DIGITS, scale: float = 1.0) -> str:
    """A share in a table cell: ``'27.5%'`` (``scale=100`` for a percentage already on 0–100)."""
    return "" if nv.missing(v) else nv.pct(float(v) / scale, digits)


def nps_text(v) -> str:
    """NPS points in a table cell: a signed integer (``'+12'``, ``'-3'``, ``'0'``)."""
    return "" if nv.missing(v) else nv.signed(v, 0)


def count_text(v) -> str:
    """A count in a table cell: ``'1,050'``."""
    return "" if nv.missing(v) else _grouped(nv.num(v, 0))


def number_text(v, digits: int = 2) -> str:
    """A number in a table cell: ``'5.60'``, ``'1,234.50'``, never ``'-0.00'``."""
    return "" if nv.missing(v) else _grouped(nv.num(v, digits))


def cell_text(v, digits: int = 2) -> str:
    """Any other cell: yes/no for booleans, numbers as :func:`number_text`, text as it is, missing empty."""
    if _missing(v):
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return count_text(v)
    if isinstance(v, (float, np.floating)):
        return number_text(v, digits)
    return str(v)


def format_frame(df: pd.DataFrame, digits: int = 2, percent: Iterable = (),
                 pvalues: Iterable | None = None, nps: Iterable | None = None) -> pd.DataFrame:
    """Every cell as the reader sees it (strings), formatted as the sentences of the report are.

    Parameters
    ----------
    df : DataFrame
    digits : int
        Decimals for ordinary numbers.
    percent : iterable of str
        Columns holding shares (0–1) shown as percentages.
    pvalues : iterable of str, optional
        Further p-value columns (besides the names :func:`is_pvalue` recognises).
    nps : iterable of str, optional
        Further columns in NPS points (besides :func:`nps_columns`).

    Returns
    -------
    DataFrame
        Same index and column names, all cells strings.
    """
    percent = set(percent or ())
    pcols = {c for c in df.columns if is_pvalue(c)} | set(pvalues or ())
    ncols = nps_columns(df.columns) | set(nps or ())
    out = {}
    for i, col in enumerate(df.columns):
        s = df.iloc[:, i]
        name = str(col)
        if col in pcols:
            f = pvalue_text
        elif col in ncols:
            f = nps_text
        elif col in percent:
            f = percent_text
        elif name.startswith("pct_") and pd.api.types.is_numeric_dtype(s):
            def f(v):
                return percent_text(v, scale=100.0)
        elif pd.api.types.is_bool_dtype(s):
            def f(v):
                return "" if _missing(v) else ("yes" if v else "no")
        elif pd.api.types.is_integer_dtype(s) or name in ROUNDED_COUNTS or (
                pd.api.types.is_float_dtype(s) and _is_count(col) and _whole(s)):
            f = count_text
        elif pd.api.types.is_float_dtype(s):
            def f(v):
                return number_text(v, digits)
        else:
            def f(v):
                return cell_text(v, digits)
        out[i] = [v if isinstance(v, str) else f(v) for v in s.tolist()]
    frame = pd.DataFrame(out, index=df.index)
    frame.columns = list(df.columns)
    return frame


def _whole(s: pd.Series) -> bool:
    values = s.dropna().to_numpy(dtype=float)
    return bool(len(values)) and bool(np.allclose(values, np.round(values)))


def reader_columns(df: pd.DataFrame, rename: Mapping | None = None, confidence: float | None = None,
                   caption: str | None = None) -> dict:
    """The label a reader sees for each column of ``df`` (code name → label), as :func:`show` writes them.

    Parameters
    ----------
    df : DataFrame
        The table as the section passes it (code names).
    rename : mapping, optional
        The section's own labels; they win over :mod:`cem_research.present.labels`.
    confidence : float, optional
        Confidence level of the table's intervals; default the level the caption names, else 0.95.
    caption : str, optional
        The table's caption (read for its confidence level when ``confidence`` is not given).

    Returns
    -------
    dict
        ``{code name: label}`` in column order; the labels of one table are distinct.

    Examples
    --------
    >>> import pandas as pd
    >>> reader_columns(pd.DataFrame(columns=["n", "ci_low", "p_corr"]), confidence=0.9)
    {'n': 'n', 'ci_low': '90% CI low', 'p_corr': 'p (corrected)'}
    """
    if confidence is None:
        confidence = caption_confidence(caption)
    return reader_labels(df.columns, rename=rename, confidence=confidence)


def text_width(text: str, bold: bool = False, font_px: float = TABLE_FONT_PX) -> float:
    """Width in CSS px of ``text`` drawn on one line (no wrapping), a little more than Chromium draws it.

    Parameters
    ----------
    text : str
    bold : bool
        Bold (a header cell) rather than regular (a body cell).
    font_px : float
        Font size in CSS px (default a table's, :data:`TABLE_FONT_PX`).

    Returns
    -------
    float

    Examples
    --------
    >>> round(text_width("1,050"), 1), round(text_width("1,050", bold=True), 1)
    (41.3, 45.6)
    """
    em, unknown = _EM[bool(bold)], _UNKNOWN[bool(bold)]
    return sum(em.get(c, unknown) for c in str(text)) * font_px / 1000.0


def min_content_width(text: str, bold: bool = False, font_px: float = TABLE_FONT_PX) -> float:
    """Width in CSS px of the longest piece of ``text`` that cannot wrap (its CSS min-content width).

    Examples
    --------
    >>> min_content_width("95% CI low") == text_width("95%")
    True
    >>> min_content_width("<\u00a0.001") == text_width("<\u00a0.001")  # a no-break space never wraps
    True
    """
    return max((text_width(w, bold, font_px) for w in _BREAKS.split(str(text)) if w), default=0.0)


def column_widths(shown: pd.DataFrame, labels: Iterable | None = None) -> list[float]:
    """Each column's least width in CSS px as the report draws it (auto table layout, min-content).

    A column is as wide as the longest unbreakable word of its header (bold) or of any of its cells,
    plus the cell padding (:data:`CELL_PADDING_PX`); a table is never narrower than the sum of its
    columns.  The estimate is on the safe side (see :data:`GLYPHS`): measured in headless Chromium
    with the report's CSS, real tables are narrower.

    Parameters
    ----------
    shown : DataFrame
        Cells as the reader sees them (:func:`format_frame`).
    labels : iterable of str, optional
        The header of each column (default the column names).

    Returns
    -------
    list of float
        One width per column, in order.

    Examples
    --------
    >>> import pandas as pd
    >>> [round(w, 1) for w in column_widths(pd.DataFrame({"n": ["1,050", "3"]}), ["n"])]
    [60.5]
    """
    labels = list(shown.columns if labels is None else labels)
    out = []
    for i, label in enumerate(labels):
        cells = {v for v in shown.iloc[:, i].tolist() if isinstance(v, str) and v}
        widest = max([min_content_width(label, bold=True), *(min_content_width(v) for v in cells)])
        out.append(widest + CELL_PADDING_PX)
    return out


def key_count(frame: pd.DataFrame, shown: pd.DataFrame | None = None, limit: int = MAX_KEYS) -> int:
    """How many leading columns identify a row (brand, segment, wave, touchpoint...): repeated in every
    part of a split table.

    A leading column identifies rows when it holds text that is not a number or an estimate, or when
    it is the order of a ranked list (:data:`ORDER_NAMES`); at most ``limit`` of them, and never every
    column.

    Parameters
    ----------
    frame : DataFrame
        The table as shown (index reset when it is shown).
    shown : DataFrame, optional
        Its formatted cells (:func:`format_frame`); default formatted here.
    limit : int
        Most key columns.

    Returns
    -------
    int

    Examples
    --------
    >>> import pandas as pd
    >>> key_count(pd.DataFrame({"brand": ["A"], "segment": ["x"], "label": ["y"], "mean": [1.0]}))
    2
    >>> key_count(pd.DataFrame({"feature": ["Wifi"], "Attractive": ["4% [3%, 6%]"], "n": [3]}))
    1
    >>> key_count(pd.DataFrame({"rank": [1], "opportunity": ["Wifi"], "gain": [0.4]}))
    2
    """
    shown = format_frame(frame) if shown is None else shown
    n = 0
    for i in range(min(limit, frame.shape[1] - 1)):
        s = frame.iloc[:, i]
        if str(frame.columns[i]) in ORDER_NAMES:
            n += 1
            continue
        if pd.api.types.is_numeric_dtype(s) or pd.api.types.is_bool_dtype(s):
            break
        cells = [v for v in shown.iloc[:, i].tolist() if v]
        if cells and all(_NUMBER_LIKE.fullmatch(v) for v in cells):
            break
        n += 1
    return n


def is_interval(name) -> bool:
    """Whether a column is the bound of an interval and belongs beside the column before it.

    Examples
    --------
    >>> [is_interval(c) for c in ("ci_low", "alpha_ci_high", "ci_low_0_100", "pomp_low", "scale_min", "low")]
    [True, True, True, True, False, False]
    """
    return bool(_INTERVAL.search(str(name)))


def column_units(columns: Iterable, start: int = 0) -> list[list[int]]:
    """Positions of the columns from ``start`` on, grouped into units a split never separates: a column
    with the interval columns (:func:`is_interval`) that directly follow it.

    Examples
    --------
    >>> column_units(["brand", "mean", "ci_low", "ci_high", "n", "change", "change_ci_low", "change_ci_high"], 1)
    [[1, 2, 3], [4], [5, 6, 7]]
    """
    units: list[list[int]] = []
    for i, name in enumerate(list(columns)[start:], start):
        if units and is_interval(name):
            units[-1].append(i)
        else:
            units.append([i])
    return units


def column_parts(widths: list[float], keys: int, units: list[list[int]],
                 budget: float = TABLE_WIDTH_PX) -> list[list[int]]:
    """Column positions of each part of a table so that every part fits ``budget`` px.

    Each part repeats the first ``keys`` columns and takes as many further units (in order) as fit; a
    unit too wide to fit with the keys alone makes a part of its own (which is then wider than the
    budget: the table cannot be narrower without breaking words).

    Parameters
    ----------
    widths : list of float
        Each column's width (:func:`column_widths`).
    keys : int
        Number of leading key columns (:func:`key_count`).
    units : list of list of int
        The other columns' positions in units kept together (:func:`column_units`).
    budget : float
        Widest a part may be, in CSS px.

    Returns
    -------
    list of list of int
        One list of column positions per part; a single part (every column) when the table fits.

    Examples
    --------
    >>> column_parts([100, 400, 300, 300, 200], keys=1, units=[[1], [2, 3], [4]], budget=900)
    [[0, 1], [0, 2, 3, 4]]
    """
    every = list(range(keys)) + [i for u in units for i in u]
    if sum(widths[i] for i in every) <= budget or len(units) < 2:
        return [every]
    base = sum(widths[i] for i in range(keys))
    parts: list[list[int]] = []
    current: list[int] = []
    used = base
    for unit in units:
        extra = sum(widths[i] for i in unit)
        if current and used + extra > budget:
            parts.append(current)
            current, used = [], base
        current += unit
        used += extra
    parts.append(current)
    return [list(range(keys)) + p for p in parts]


def part_caption(caption: str | None, k: int, m: int) -> str:
    """The caption of part ``k`` of ``m`` of a split table (``'Means by brand (part 1 of 2)'``).

    Examples
    --------
    >>> part_caption("Means by brand", 1, 2), part_caption(None, 2, 3)
    ('Means by brand (part 1 of 2)', 'Part 2 of 3')
    """
    return f"{caption} (part {k} of {m})" if caption else f"Part {k} of {m}"


def table_parts(frame: pd.DataFrame, shown: pd.DataFrame | None = None, labels: Iterable | None = None,
                budget: float = TABLE_WIDTH_PX) -> list[list[int]]:
    """Column positions of each ``<table>`` :func:`show` draws for ``frame``: one part when it fits the
    text column, else column groups that each fit, each repeating the leading key columns.

    Parameters
    ----------
    frame : DataFrame
        The table as shown (index reset when it is shown).
    shown : DataFrame, optional
        Its formatted cells (:func:`format_frame`); default formatted here.
    labels : iterable of str, optional
        The header of each column (default :func:`reader_columns`).
    budget : float
        Widest a part may be, in CSS px (default :data:`TABLE_WIDTH_PX`).

    Returns
    -------
    list of list of int
        See :func:`column_parts`.

    Examples
    --------
    >>> import pandas as pd
    >>> wide = pd.DataFrame({"brand": ["Bean & Co."], **{f"mean_{i}": [5.25] for i in range(30)}})
    >>> parts = table_parts(wide)
    >>> len(parts) > 1 and all(p[0] == 0 for p in parts)
    True
    >>> table_parts(pd.DataFrame({"brand": ["x"], "mean": [1.0]}))
    [[0, 1]]
    """
    shown = format_frame(frame) if shown is None else shown
    labels = list(reader_columns(frame).values()) if labels is None else list(labels)
    keys = key_count(frame, shown)
    return column_parts(column_widths(shown, labels), keys, column_units(frame.columns, keys), budget)


def show(df: pd.DataFrame, caption: str | None = None, digits: int = 2, percent=(), rename=None,
         index: bool = False, confidence: float | None = None, pvalues=None, nps=None,
         max_width: float | None = None):
    """Display a DataFrame as a labelled, formatted, HTML-escaped table (returns the HTML object).

    A table wider than the report's text column (estimated by :func:`column_widths`) is drawn as
    several ``<table>`` elements (:func:`table_parts`): each repeats the leading key columns, keeps an
    estimate beside its interval, and is captioned ``"<caption> (part k of m)"`` (``"Part k of m"``
    without a caption).  Words are never broken.

    Parameters
    ----------
    df : DataFrame
    caption : str, optional
        Shown above the table (escaped).
    digits, percent, pvalues, nps
        See :func:`format_frame`.
    rename : dict, optional
        Column labels in words; they win over :func:`reader_columns`.
    index : bool
        Show the index (as the first columns).
    confidence : float, optional
        Confidence level named in interval headers; default the caption's, else 0.95.
    max_width : float, optional
        Widest one ``<table>`` may be, in CSS px (default :data:`TABLE_WIDTH_PX`).

    Returns
    -------
    IPython.display.HTML
        The caption and table, or the captioned parts one after another.
    """
    from IPython.display import HTML

    frame = df.reset_index() if index else df
    shown = format_frame(frame, digits=digits, percent=percent, pvalues=pvalues, nps=nps)
    labels = reader_columns(frame, rename=rename, confidence=confidence, caption=caption)
    header = [labels[c] for c in frame.columns]
    parts = table_parts(frame, shown, header, budget=TABLE_WIDTH_PX if max_width is None else max_width)
    shown.columns = header
    out = []
    for k, cols in enumerate(parts, 1):
        body = shown.iloc[:, cols].to_html(index=False, escape=True, border=0, classes="cem-table", na_rep="")
        text = caption if len(parts) == 1 else part_caption(caption, k, len(parts))
        out.append((f"<p><em>{html.escape(text)}</em></p>" if text else "") + body)
    return HTML("\n".join(out))
