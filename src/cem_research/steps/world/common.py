"""Constants and small helpers shared by the section modules of step 1 (:mod:`cem_research.steps.world`).

Every analysis of step 1 reads the own brand's survey rows (:func:`own_rows`), uses the survey weights
where the statistic supports them (:func:`weight_column`) and caches the frames several sections share
once per loaded client (:func:`memo`).
"""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from cem_research.client.config import ClientConfig
from cem_research.client.data import memoize

#: Schmitt step of every section in this package.
STEP = 1

#: Column name of the derived loyalty group (promoters/passives/detractors or loyalty terciles).
LOYALTY = "loyalty_group"
NPS_GROUPS = ("promoters", "passives", "detractors")
TERCILE_GROUPS = ("high", "medium", "low")
#: Schmitt's four experiential layers, in words.
LAYER_LABELS = {
    "context": "sociocultural / business context",
    "usage": "usage situation",
    "category": "product category",
    "brand": "brand",
}
#: Label of the pooled row of each competitor kind ("All direct competitors", ...).
KIND_GROUP_LABELS = {
    "direct": "All direct competitors",
    "new_entrant": "All new entrants",
    "outside_industry": "All players outside the industry",
}
#: The measures of a journey stage, in the order shown.
JOURNEY_MEASURES = ("reach", "satisfaction", "effort", "dropout")
POLARITIES = ("positive", "negative")
#: A brand kind in words.
KIND_LABELS = {"own": "own brand", "direct": "direct competitor", "new_entrant": "new entrant",
               "outside_industry": "outside the industry"}


def weight_column(data) -> str | None:
    """The survey weight column of ``data`` (``ClientData.weight``), ``None`` when the survey is unweighted."""
    return getattr(data, "weight", None)


def memo(data, key, build: Callable[[], object]):
    """``build()`` once per data object (:func:`cem_research.client.data.memoize`); the result is read-only.

    Parameters
    ----------
    data : ClientData
    key : hashable
        Names the result within step 1 (stored under ``("world", key)``).
    build : callable
        Computes the result.
    """
    return memoize(data, ("world", key), build)


def own_rows(data) -> pd.DataFrame:
    """``data.own`` (the own brand's ratings), filtered once per data object (read-only)."""
    return memo(data, "own", lambda: data.own)


def finding_kwargs(text: str, key: str | None = None, value: float | None = None,
                   ci: tuple[float, float] | None = None, headline: bool = False) -> dict:
    """Keyword arguments for :func:`cem_research.present.findings.record`.

    Missing values become ``None`` (an interval with a missing bound is left out), numbers plain floats.

    Returns
    -------
    dict
        ``text, key, value, ci, headline``.
    """
    value = None if value is None or pd.isna(value) else float(value)
    if ci is not None and (pd.isna(ci[0]) or pd.isna(ci[1])):
        ci = None
    elif ci is not None:
        ci = (float(ci[0]), float(ci[1]))
    return {"text": text, "key": key, "value": value, "ci": ci, "headline": bool(headline)}


def main_outcome(cfg: ClientConfig) -> str:
    """The construct the step-1 headlines are stated on.

    ``cfg.main_outcome`` (``ClientData.main_outcome``: declared, else the first outcome, else the NPS
    construct); a client that declares neither outcomes nor NPS falls back on its first construct.

    Parameters
    ----------
    cfg : ClientConfig

    Returns
    -------
    str
        A construct name.
    """
    if cfg.main_outcome:
        return cfg.main_outcome
    return next(iter(cfg.constructs))


def outcome_constructs(cfg: ClientConfig) -> list[str]:
    """Outcomes profiled per segment: the declared outcomes, else the NPS construct, else all constructs."""
    if cfg.outcomes:
        return list(cfg.ordered_outcomes)
    if cfg.nps:
        return [cfg.nps]
    return list(cfg.constructs)


def is_text(col: pd.Series) -> bool:
    """Whether ``col`` has a pandas string dtype (not ``object``)."""
    return pd.api.types.is_string_dtype(col.dtype) and col.dtype != object


def brand_order(data) -> list[str]:
    """Brands present in the ratings: the own brand and the declared competitors in order, then the rest sorted."""
    present = set(data.ratings["brand"].dropna().unique())
    order = [b for b in data.config.brands if b in present]
    return order + sorted(present - set(order))

