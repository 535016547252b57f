"""Small helpers shared by the :mod:`cem_research.text` submodules: any value as text, any texts as a Series."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["as_text", "as_series"]


def as_text(value: Any) -> str:
    """Return ``value`` as a ``str``: ``None``/NaN/NA -> ``""``, other non-strings via ``str()``."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return ""
    try:
        if value is pd.NA or value is pd.NaT or (np.ndim(value) == 0 and pd.isna(value)):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def as_series(texts: Any) -> pd.Series:
    """Return ``texts`` as a Series (a Series keeps its index; anything else gets a RangeIndex)."""
    if isinstance(texts, pd.Series):
        return texts
    if isinstance(texts, pd.DataFrame):
        raise TypeError("texts must be a Series or a sequence of strings, not a DataFrame; pass one column")
    if isinstance(texts, str):
        return pd.Series([texts])
    return pd.Series(list(texts), dtype=object)
