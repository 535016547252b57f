"""The customer-segment frame step 1 shares between its sections.

Segments are the client's declared ``segments:`` columns and the loyalty group derived from the NPS
question (or the terciles of a loyalty outcome).  :func:`customer_segments` is the own brand's survey
rows with those columns and the construct scores; "Who the customer is" compares the levels and "What
customers say" joins them to the comments.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from cem_research.client.config import ClientConfig
from cem_research.present import narrative as nv
from cem_research.stats import tercile_cuts
from cem_research.steps.world.common import (LOYALTY, NPS_GROUPS, TERCILE_GROUPS, memo, outcome_constructs,
                                             own_rows, weight_column)


def loyalty_construct(cfg: ClientConfig) -> tuple[str | None, str | None]:
    """The construct loyalty groups are derived from, and how.

    Returns
    -------
    (construct, method)
        ``(cfg.nps, "nps")`` when an NPS construct is declared; else the first outcome whose name or
        label mentions loyalty, with ``"terciles"``; else ``(None, None)``.
    """
    if cfg.nps:
        return cfg.nps, "nps"
    for name in cfg.outcomes:
        c = cfg.constructs[name]
        if "loyal" in name.lower() or "loyal" in (c.label or "").lower():
            return name, "terciles"
    return None, None


def loyalty_groups(values: pd.Series, method: str) -> pd.Series:
    """Loyalty group of each respondent.

    Parameters
    ----------
    values : Series
        Likelihood to recommend (0-10) for ``method="nps"``, or a loyalty score for ``"terciles"``.
    method : {"nps", "terciles"}
        ``nps``: promoters (9-10), passives (7-8), detractors (0-6) (Reichheld 2003).
        ``terciles``: three groups of near-equal size cut between distinct scores
        (:func:`cem_research.stats.tercile_cuts`): tied scores share a group, so on ceiling-skewed
        scores everybody with the top score is ``high`` (plain terciles left ``high`` empty and called
        them ``medium``); with at least three distinct scores no group is empty.

    Returns
    -------
    Series
        Ordered categorical (promoters/high first), missing where the value is missing.

    Examples
    --------
    >>> loyalty_groups(pd.Series([10, 8, 3, None]), "nps").tolist()
    ['promoters', 'passives', 'detractors', nan]
    """
    x = pd.to_numeric(values, errors="coerce").astype(float)
    out = pd.Series(pd.NA, index=values.index, dtype=object)
    if method == "nps":
        out[x >= 9] = "promoters"
        out[(x >= 7) & (x < 9)] = "passives"
        out[x < 7] = "detractors"
        cats = NPS_GROUPS
    elif method == "terciles":
        if x.notna().any():
            low_max, high_min = tercile_cuts(x)
            out[x <= low_max] = "low"
            out[(x > low_max) & (x < high_min)] = "medium"
            out[x >= high_min] = "high"
        cats = TERCILE_GROUPS
    else:
        raise ValueError(f"method must be 'nps' or 'terciles', got {method!r}")
    out[x.isna()] = pd.NA
    return pd.Series(pd.Categorical(out, categories=list(cats), ordered=True), index=values.index,
                     name=LOYALTY)


def tercile_rule(values: pd.Series, label: str) -> str:
    """The loyalty-group rule in words, with its cut points (:func:`cem_research.stats.tercile_cuts`).

    Examples
    --------
    >>> tercile_rule(pd.Series([1.0, 2, 3, 4, 5, 6]), "Loyalty")
    'near-thirds of Loyalty, ties kept together: low ≤ 2.00, high ≥ 5.00'
    """
    low_max, high_min = tercile_cuts(pd.to_numeric(values, errors="coerce"))
    if not (np.isfinite(low_max) and np.isfinite(high_min)):
        return f"{label}: all answers equal"
    return (f"near-thirds of {label}, ties kept together: low ≤ {nv.num(low_max)}, "
            f"high ≥ {nv.num(high_min)}")


def segment_columns(data) -> dict[str, str]:
    """Segment columns analysed in step 1, with their labels.

    The declared ``segments:`` present in the ratings, then the derived loyalty group (see
    :func:`loyalty_construct`) under the column name :data:`LOYALTY`.

    Returns
    -------
    dict
        Column name -> label (in the order shown in the report).
    """
    cfg = data.config
    cols = {c: lab for c, lab in cfg.segments.items() if c in data.ratings.columns}
    construct, method = loyalty_construct(cfg)
    if construct is not None and construct in data.ratings.columns and own_rows(data)[construct].notna().any():
        how = ("promoters / passives / detractors" if method == "nps"
               else tercile_rule(own_rows(data)[construct], nv.label(cfg, construct)))
        cols[LOYALTY] = f"Loyalty group ({how})"
    return cols


def segment_constructs(cfg: ClientConfig) -> list[str]:
    """Constructs profiled and compared per segment: outcomes first, then drivers, then the rest.

    Returns
    -------
    list of str
        Every declared construct once, in the order outcomes, drivers, other constructs.
    """
    return list(dict.fromkeys([*outcome_constructs(cfg), *cfg.drivers, *cfg.constructs]))


def construct_role(cfg: ClientConfig, construct: str) -> str:
    """``'outcome'``, ``'driver'`` or ``'other'``: the role of ``construct`` in the client's model."""
    if construct in cfg.outcomes:
        return "outcome"
    if construct in cfg.drivers:
        return "driver"
    return "other"


def customer_segments(data) -> pd.DataFrame:
    """Own-brand survey rows with the segment columns, the loyalty group and the construct scores.

    Returns
    -------
    DataFrame
        One row per own-brand rating: ``respondent, wave``, the declared segment columns,
        :data:`LOYALTY` (when derivable), every construct score and ``weight`` if present.
        Segment columns are categorical (loyalty groups in their natural order, others sorted).
    """
    return shared_customer_segments(data).copy()


def str_categorical(values: pd.Series) -> pd.Categorical:
    """``values`` as text, categorical with the sorted texts as categories (missing stays missing)."""
    codes, uniques = pd.factorize(values)
    uniq = list(uniques)
    if all(type(u) is str for u in uniq):  # text already: recode the distinct values only
        cats = sorted(uniq)
        pos = {u: i for i, u in enumerate(cats)}
        remap = np.array([pos[u] for u in uniq] + [-1], dtype=np.int64)  # code -1 (missing) stays -1
        return pd.Categorical.from_codes(remap[codes], categories=cats)
    vals = values.astype(object).where(values.notna())
    vals = vals.map(lambda v: v if pd.isna(v) else str(v))
    return pd.Categorical(vals, categories=sorted(vals.dropna().unique()))


def shared_customer_segments(data) -> pd.DataFrame:
    """:func:`customer_segments`, built once per data object (read-only: callers must not modify it)."""

    def build():
        cfg = data.config
        own = own_rows(data)
        keep = ["respondent", "wave", *[c for c in cfg.segments if c in own.columns]]
        keep += [c for c in segment_constructs(cfg) if c in own.columns and c not in keep]
        if weight_column(data):
            keep.append(weight_column(data))
        out = own[keep].copy()
        for seg in cfg.segments:
            if seg in out.columns:
                out[seg] = str_categorical(out[seg])
        if LOYALTY in segment_columns(data):
            construct, method = loyalty_construct(cfg)
            out[LOYALTY] = loyalty_groups(own[construct], method).array
        return out.reset_index(drop=True)

    return memo(data, "customer_segments", build)


def segment_frame(data) -> tuple[pd.DataFrame, dict[str, str]]:
    """The (read-only) :func:`customer_segments` frame and :func:`segment_columns`.

    Returns
    -------
    (DataFrame, dict)
        The shared frame (do not modify it) and the segment columns with their labels.
    """
    return shared_customer_segments(data), segment_columns(data)
