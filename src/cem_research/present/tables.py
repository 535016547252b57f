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


def show(df: pd.DataFrame, caption: str | None = None, digits: int = 2, percent=(), rename=None,
         index: bool = False, confidence: float | None = None, pvalues=None, nps=None):
    """Display a DataFrame as a labelled, formatted, HTML-escaped table (returns the HTML object).

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

    Returns
    -------
    IPython.display.HTML
    """
    from IPython.display import HTML

    frame = df.reset_index() if index else df
    shown = format_frame(frame, digits=digits, percent=percent, pvalues=pvalues, nps=nps)
    labels = reader_columns(frame, rename=rename, confidence=confidence, caption=caption)
    shown.columns = [labels[c] for c in frame.columns]
    body = shown.to_html(index=False, escape=True, border=0, classes="cem-table", na_rep="")
    cap = f"<p><em>{html.escape(caption)}</em></p>" if caption else ""
    return HTML(cap + body)
