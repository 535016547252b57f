"""Comparable before compared: is each multi-item construct reliable within every segment level?

The flags come from one place, :func:`cem_research.stats.group_reliability` (and its table builder
:func:`cem_research.stats.group_reliability_table`), with the threshold of the report's
:class:`~cem_research.steps.section.Settings` (``reliability_threshold``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.stats import RELIABILITY_THRESHOLD
from cem_research.steps.world.frames import segment_constructs, segment_frame
from cem_research.steps.world.common import memo, own_rows


def segment_reliability(data, constructs: Sequence[str] | None = None,
                        threshold: float = RELIABILITY_THRESHOLD) -> pd.DataFrame | None:
    """Is each multi-item construct reliable within every segment level? (own brand)

    Shown before segments are compared: a construct that is unreliable in one level of a segment
    compares noise there (:func:`cem_research.stats.group_reliability`).

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Default :func:`segment_constructs`; single-item constructs are left out (no alpha).
    threshold : float, default 0.70

    Returns
    -------
    DataFrame or None
        One row per segment x construct x level: ``segment, segment_label, construct, label, level, n,
        k, alpha, alpha_ci_low, alpha_ci_high, flag, unreliable``. Levels with fewer than 2 answers on
        the construct are left out (as in :func:`segment_tests`). ``None`` without segments or
        multi-item constructs.
    """
    key = ("segment_reliability", None if constructs is None else tuple(constructs), threshold)
    try:
        hash(key)
    except TypeError:
        return _segment_reliability(data, constructs, threshold)
    out = memo(data, key, lambda: _segment_reliability(data, constructs, threshold))
    return None if out is None else out.copy()


def _segment_reliability(data, constructs, threshold):
    frame, cols = segment_frame(data)
    cfg = data.config
    constructs = segment_constructs(cfg) if constructs is None else list(constructs)
    own = own_rows(data)
    multi = [c for c in constructs if c in cfg.constructs and len(cfg.constructs[c].items) >= 2
             and all(i in own.columns for i in cfg.constructs[c].items)]
    if not cols or not multi:
        return None
    items = own[list(dict.fromkeys(i for c in multi for i in cfg.constructs[c].items))].reset_index(drop=True)
    blocks: dict[str, np.ndarray] = {}
    parts = []
    for seg, label in cols.items():
        level = None
        if not (isinstance(frame[seg].dtype, pd.CategoricalDtype)
                and all(type(v) is str for v in frame[seg].cat.categories)):
            level = frame[seg].astype(str).where(frame[seg].notna())
        for c in multi:
            c_items = list(cfg.constructs[c].items)
            if level is not None:
                counts = frame.loc[frame[c].notna(), seg].value_counts()
                ok = [str(v) for v in _levels(frame[seg]) if counts.get(v, 0) >= 2]  # as in segment_tests
                if len(ok) < 2:
                    continue
                block = items.assign(level=pd.Categorical(level, categories=ok))
                r = stats.group_reliability(block, c_items, "level", threshold=threshold, name=c)
            else:
                r = _level_reliability(frame[seg], frame[c].notna().to_numpy(), items, c_items, c, threshold,
                                       blocks)
                if r is None:
                    continue
            r.insert(0, "label", nv.label(cfg, c))
            r.insert(0, "segment_label", label)
            r.insert(0, "segment", seg)
            parts.append(r)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    out["level"] = out["level"].astype(str)
    return out[["segment", "segment_label", "construct", "label", "level", "n", "k", "alpha", "alpha_ci_low",
                "alpha_ci_high", "flag", "unreliable"]]


def _level_reliability(seg: pd.Series, answered: np.ndarray, items: pd.DataFrame, c_items: list[str],
                       construct: str, threshold: float, blocks: dict) -> pd.DataFrame | None:
    """:func:`cem_research.stats.group_reliability` of ``construct`` within the levels of the categorical
    segment ``seg`` that have at least 2 answers on it (``answered``); ``None`` with fewer than 2 such levels.

    The same rows (one per level, in category order) as ``group_reliability`` on ``items`` with a level
    column limited to those levels, computed from the category codes instead of the level texts.
    """
    codes = seg.cat.codes.to_numpy()
    cats = seg.cat.categories
    counts = np.bincount(codes[(codes >= 0) & answered], minlength=len(cats))
    ok = [(i, str(v)) for i, v in enumerate(cats) if counts[i] >= 2]  # as in segment_tests
    if len(ok) < 2:
        return None
    if not isinstance(threshold, (int, float)):
        raise ValueError(f"group_reliability: expected a numeric threshold, got {threshold!r}")
    if construct not in blocks:
        blocks[construct] = items[c_items].to_numpy(dtype=float)
    return stats.group_reliability_table(blocks[construct], codes, ok, c_items, construct, threshold, "level")


def _levels(series: pd.Series) -> list:
    """Levels in categorical order (else order of appearance), missing dropped."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = set(series.dropna().unique())
        return [c for c in series.cat.categories if c in present]
    return list(pd.unique(series.dropna()))


def reliability_grid(reliability: pd.DataFrame | None) -> pd.DataFrame | None:
    """:func:`segment_reliability` condensed: the lowest alpha of each construct within a segment.

    The flags are the table's own ``unreliable`` column (set by :func:`cem_research.stats.group_reliability`
    with the threshold the table was computed with), never recomputed here.

    Parameters
    ----------
    reliability : DataFrame or None
        :func:`segment_reliability`.

    Returns
    -------
    DataFrame or None
        One row per construct (``construct`` label), one column per segment label; a cell reads
        ``"0.81"`` (the lowest within-level alpha) or ``"0.55 ⚠ in 60+"`` when a level is flagged
        (with the level(s) flagged). ``None`` without a reliability table.
    """
    if reliability is None or reliability.empty:
        return None
    rows: dict[str, dict[str, str]] = {}
    for (seg_label, lab), sub in reliability.groupby(["segment_label", "label"], sort=False):
        a = sub["alpha"].astype(float)
        low = sub.loc[sub["unreliable"], "level"].tolist()
        cell = "n/a" if a.isna().all() else nv.num(a.min())
        if low:
            cell += f" \u26a0 in {', '.join(low)}"
        rows.setdefault(lab, {})[seg_label] = cell
    out = pd.DataFrame.from_dict(rows, orient="index").fillna("")
    out.index.name = "construct"
    return out.reset_index()


def unreliable_columns(reliability: pd.DataFrame | None, frame: pd.DataFrame) -> pd.DataFrame:
    """``min_group_alpha`` and ``unreliable_in`` per (segment, construct) row of ``frame``.

    Parameters
    ----------
    reliability : DataFrame or None
        :func:`segment_reliability`.
    frame : DataFrame
        Rows with ``segment`` and ``construct`` (e.g. the Welch ANOVAs of :func:`segment_tests`).

    Returns
    -------
    DataFrame
        A copy of ``frame`` with ``min_group_alpha`` (lowest alpha within a level; NaN without one) and
        ``unreliable_in`` (the flagged levels, comma-separated; ``""`` when none).
    """
    mins, lows = [], []
    for seg, c in zip(frame["segment"], frame["construct"]):
        r = (reliability[(reliability["segment"] == seg) & (reliability["construct"] == c)]
             if reliability is not None else pd.DataFrame())
        a = r["alpha"].astype(float) if len(r) else pd.Series(dtype=float)
        mins.append(float(a.min()) if a.notna().any() else np.nan)
        lows.append(", ".join(r.loc[r["unreliable"], "level"].astype(str)) if len(r) else "")
    frame = frame.copy()
    frame["min_group_alpha"] = mins
    frame["unreliable_in"] = lows
    return frame
