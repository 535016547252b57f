"""Tables for the report: rounded, labelled, escaped, deterministic HTML."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd


def format_frame(df: pd.DataFrame, digits: int = 2, percent: tuple[str, ...] = (),
                 pvalues: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Round numbers for reading: p-values as ``<0.001``, shares as percentages.

    Parameters
    ----------
    df : DataFrame
    digits : int
        Decimals for ordinary numbers.
    percent : tuple of str
        Columns holding shares (0–1) shown as percentages.
    pvalues : tuple of str, optional
        Columns holding p-values (default: columns whose name starts with ``p_``).

    Returns
    -------
    DataFrame
        All cells as strings.
    """
    pvalues = tuple(c for c in df.columns if str(c).startswith("p_")) if pvalues is None else pvalues
    out = pd.DataFrame(index=df.index)
    for col in df.columns:
        s = df[col]
        if col in pvalues:
            out[col] = s.map(lambda v: "" if pd.isna(v) else ("<0.001" if v < 0.001 else f"{v:.3f}"))
        elif col in percent:
            out[col] = s.map(lambda v: "" if pd.isna(v) else f"{100 * v:.1f}%")
        elif pd.api.types.is_bool_dtype(s):
            out[col] = s.map(lambda v: "yes" if v else "no")
        elif pd.api.types.is_integer_dtype(s):
            out[col] = s.map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
        elif pd.api.types.is_float_dtype(s):
            whole = s.dropna()
            if len(whole) and np.allclose(whole, whole.round()) and col in {"n", "count"} | {
                    c for c in df.columns if str(c).startswith("n_")}:
                out[col] = s.map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
            else:
                out[col] = s.map(lambda v: "" if pd.isna(v) else f"{v:,.{digits}f}")
        else:
            out[col] = s.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    return out


def show(df: pd.DataFrame, caption: str | None = None, digits: int = 2, percent=(), rename=None,
         index: bool = False):
    """Display a DataFrame as a formatted, HTML-escaped table (returns the HTML object).

    Parameters
    ----------
    df : DataFrame
    caption : str, optional
        Shown above the table (escaped).
    digits, percent
        See :func:`format_frame`.
    rename : dict, optional
        Column labels in words.
    index : bool
        Show the index.
    """
    from IPython.display import HTML

    shown = format_frame(df.reset_index() if index else df, digits=digits, percent=tuple(percent))
    if rename:
        shown = shown.rename(columns=rename)
    body = shown.to_html(index=False, escape=True, border=0, classes="cem-table", na_rep="")
    cap = f"<p><em>{html.escape(caption)}</em></p>" if caption else ""
    return HTML(cap + body)
