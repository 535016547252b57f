"""Display what a section presents (:class:`~cem_research.steps.section.Shown` items) in a notebook.

Every table is displayed with two representations: the formatted, escaped HTML a reader sees
(:func:`cem_research.present.tables.show`) and a machine-readable payload under :data:`TABLE_MIME`
holding the caption, the column names (code name, reader label) and the rows of the *unformatted*
frame.  The report collects these payloads to write each table as CSV (``reports/<client>/tables/``)
from the numbers, not from the rounded strings.
"""

from __future__ import annotations

import datetime as _dt
import math
from collections.abc import Iterable
from typing import Any

#: MIME type of a table's machine-readable payload (schema :data:`TABLE_SCHEMA`).
TABLE_MIME = "application/vnd.cem-research.table+json"
#: Version of the payload: ``{"schema", "caption", "columns": [{"name", "label", "unit"}], "rows"}``.
TABLE_SCHEMA = "cem-research.table.v1"


def json_value(value):
    """One cell as a JSON-safe value: numbers stay numbers, missing values become ``None``.

    Parameters
    ----------
    value : object
        A cell of a DataFrame (numpy scalar, Timestamp, NaN, string...).

    Returns
    -------
    bool, int, float, str or None

    Examples
    --------
    >>> import numpy as np
    >>> [json_value(v) for v in (np.int64(3), np.float64("nan"), np.bool_(True), "x")]
    [3, None, True, 'x']
    """
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalars
        try:
            value = value.item()
        except (ValueError, TypeError):
            pass
    if isinstance(value, bool) or isinstance(value, int) or isinstance(value, str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.isoformat()
    try:
        import pandas as pd

        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def column_labels(df, rename: dict | None = None, confidence: float | None = None,
                  caption: str | None = None) -> list[str]:
    """The reader's label of each column, as the HTML table shows it
    (:func:`cem_research.present.tables.reader_columns`)."""
    from cem_research.present import tables

    labels = tables.reader_columns(df, rename=rename, confidence=confidence, caption=caption)
    return [str(labels[c]) for c in df.columns] if isinstance(labels, dict) else [str(x) for x in labels]


def table_payload(df, caption: str | None = None, *, percent=(), rename: dict | None = None,
                  index: bool = False, confidence: float | None = None, **_ignored) -> dict:
    """The machine-readable form of a displayed table (:data:`TABLE_MIME`).

    Parameters
    ----------
    df : DataFrame
        The unformatted table, as the section passes it to :func:`cem_research.present.tables.show`.
    caption : str, optional
    percent : sequence of str
        Columns holding shares (0–1); their unit is recorded as ``"share (0-1)"``.
    rename : dict, optional
        Column labels in words (as given to ``tables.show``).
    index : bool
        Whether the index is part of the table.
    confidence : float, optional
        Confidence level, for labels of interval columns.

    Returns
    -------
    dict
        ``{"schema", "caption", "columns": [{"name", "label", "unit"}], "rows": [[...], ...]}``, JSON-safe.
    """
    frame = df.reset_index() if index else df
    labels = column_labels(frame, rename=rename, confidence=confidence, caption=caption)
    percent = set(percent or ())
    columns = [{"name": str(c), "label": label, "unit": "share (0-1)" if c in percent else None}
               for c, label in zip(frame.columns, labels)]
    rows = [[json_value(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return {"schema": TABLE_SCHEMA, "caption": caption or "", "columns": columns, "rows": rows}


def table_bundle(df, caption: str | None = None, **options) -> dict:
    """``{"text/html": ..., TABLE_MIME: ...}``: the formatted table and its payload, for ``display(raw=True)``."""
    from cem_research.present import tables

    shown = tables.show(df, caption=caption, **options)
    frag = shown._repr_html_() if hasattr(shown, "_repr_html_") else str(shown)
    return {"text/html": frag, TABLE_MIME: table_payload(df, caption, **options)}


def layer_metadata(layer: str) -> dict:
    """Output metadata telling the report which layer an output belongs to (``'client'`` or ``'appendix'``).

    Examples
    --------
    >>> layer_metadata("appendix")
    {'cem_research': {'layer': 'appendix'}}
    """
    return {LAYER_KEY: {"layer": layer}}


#: Key of the output metadata :func:`layer_metadata` writes (read by :mod:`cem_research.present.report`).
LAYER_KEY = "cem_research"


def _in_words(frame, cfg):
    """``frame`` with its identifier columns in words (:func:`cem_research.present.narrative.label_values`);
    an identifier column that then repeats another column cell for cell (``construct`` beside its
    ``label``) is dropped."""
    from cem_research.present import narrative as nv

    out = nv.label_values(frame, cfg, columns=nv.DISPLAY_COLUMNS)
    if not len(out):
        return out
    drop = []
    for col in (c for c in out.columns if c in nv.DISPLAY_COLUMNS):
        same = [o for o in out.columns if o != col and o not in drop
                and out[o].astype(str).tolist() == out[col].astype(str).tolist()]
        if same:
            drop.append(col)
    return out.drop(columns=drop) if drop else out


def display_all(items: Iterable, cfg: Any = None) -> None:
    """Show each table, figure and note in order (tables escaped and formatted with their payload,
    figures as PNG), each marked with its report layer (:func:`layer_metadata`).

    With the client's configuration ``cfg``, the identifiers in a table's cells (constructs,
    touchpoints, stages, segment columns, items ...: :data:`cem_research.present.narrative.DISPLAY_COLUMNS`)
    are shown in words (:func:`cem_research.present.narrative.label_values`), in the HTML and in the
    table's CSV alike.
    """
    from IPython.display import Markdown, display

    from cem_research.present import plots

    for item in items:
        if item is None:
            continue
        layer = getattr(item, "layer", "client")
        if item.kind == "table":
            frame = item.content
            if cfg is not None and hasattr(frame, "columns"):
                frame = _in_words(frame, cfg)
            display(table_bundle(frame, caption=item.caption or None, **item.options), raw=True,
                    metadata=layer_metadata(layer))
        elif item.kind == "figure":
            plots.show(item.content, alt=item.caption or None, layer=layer)
        elif item.kind == "markdown":
            content = item.content
            display(content if hasattr(content, "_repr_markdown_") else Markdown(str(content)),
                    metadata=layer_metadata(layer))
        else:
            raise ValueError(f"unknown kind of shown item {item.kind!r}")
