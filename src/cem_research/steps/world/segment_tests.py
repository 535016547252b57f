"""Do the segment levels differ, and which ones? Welch ANOVAs and Games-Howell pairs per segment and construct.

Levels with fewer than 2 answers on a construct are left out; the derived loyalty group is never
compared on the construct it is formed from.  The tests carry the within-level reliability of the
construct (:func:`~cem_research.steps.world.segment_reliability.segment_reliability`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.client.config import ClientConfig
from cem_research.present import narrative as nv
from cem_research.stats import RELIABILITY_THRESHOLD
from cem_research.steps.world.common import LOYALTY, main_outcome, weight_column
from cem_research.steps.world.frames import construct_role, loyalty_construct, segment_constructs, segment_frame
from cem_research.steps.world.segment_reliability import segment_reliability, unreliable_columns


def _circular(data, segment: str, construct: str) -> bool:
    """A loyalty group compared on the construct it was formed from."""
    return segment == LOYALTY and construct == loyalty_construct(data.config)[0]


def _testable(frame: pd.DataFrame, seg: str, construct: str, weight: str | None = None,
              seg_text=None) -> pd.DataFrame | None:
    """Rows of ``frame`` comparable on ``construct`` across the levels of ``seg``, or ``None``.

    Levels with fewer than 2 answers are left out; ``seg`` is returned as text (see :func:`_level_text`;
    ``seg_text`` passes it in when the caller tests several constructs on the same segment).
    """
    cols = [seg, construct] + ([weight] if weight else [])
    col = frame[seg]
    if not isinstance(col.dtype, pd.CategoricalDtype):
        sub = frame[cols].dropna(subset=[seg, construct])
        counts = sub.groupby(seg, observed=True)[construct].count()
        ok = list(counts[counts >= 2].index)
        if len(ok) < 2:
            return None
        sub = sub[sub[seg].isin(ok)].copy()
        if sub[construct].nunique() < 2:
            return None
        sub[seg] = sub[seg].astype(str)
        return sub
    # categorical segment (as built by customer_segments): count the answers per level on the codes
    codes = col.cat.codes.to_numpy()
    rows = (codes >= 0) & frame[construct].notna().to_numpy()
    counts = np.bincount(codes[rows], minlength=len(col.cat.categories))
    level_ok = counts >= 2
    if int(level_ok.sum()) < 2:
        return None
    rows &= level_ok[codes]
    sub = frame.loc[rows, cols]
    if sub[construct].nunique() < 2:
        return None
    text = _level_text(col) if seg_text is None else seg_text
    sub[seg] = text[rows]
    return sub


def _level_text(col: pd.Series):
    """The levels of a categorical segment as text, for the tests and pairs of :func:`_segment_loop`.

    ``col.astype(str)``; when the categories are text already, the same texts as a categorical whose
    categories are in sorted order instead -- the group order of a groupby on the texts -- so that
    :func:`cem_research.stats.omnibus` and :func:`cem_research.stats.compare_groups` see the same groups,
    values and labels in the same order without re-encoding the texts for every construct.
    """
    cats = list(col.cat.categories)
    if not all(type(c) is str for c in cats):
        return col.astype(str).array
    order = sorted(range(len(cats)), key=cats.__getitem__)
    remap = np.empty(len(cats) + 1, dtype=np.int64)
    remap[order] = np.arange(len(cats))
    remap[-1] = -1  # missing stays missing
    return pd.Categorical.from_codes(remap[col.cat.codes.to_numpy()], categories=[cats[i] for i in order])


def _segment_loop(data, constructs, wanted: set | None = None):
    """``(segment, label, construct, rows)`` for every testable segment x construct (only ``wanted`` pairs)."""
    frame, cols = segment_frame(data)
    cfg = data.config
    constructs = segment_constructs(cfg) if constructs is None else list(constructs)
    for seg, label in cols.items():
        seg_text = None
        for c in constructs:
            if c not in frame or _circular(data, seg, c):
                continue
            if wanted is not None and (seg, c) not in wanted:
                continue
            if seg_text is None and isinstance(frame[seg].dtype, pd.CategoricalDtype):
                seg_text = _level_text(frame[seg])
            sub = _testable(frame, seg, c, weight_column(data), seg_text=seg_text)
            if sub is not None:
                yield seg, label, c, sub


def _label_columns(frame: pd.DataFrame, cfg: ClientConfig, seg: str, label: str, construct: str) -> pd.DataFrame:
    frame.insert(0, "role", construct_role(cfg, construct))
    frame.insert(0, "label", nv.label(cfg, construct))
    frame.insert(0, "construct", construct)
    frame.insert(0, "segment_label", label)
    frame.insert(0, "segment", seg)
    return frame


def segment_tests(data, constructs: Sequence[str] | None = None, correction: str = "holm",
                  reliability: pd.DataFrame | None = None,
                  threshold: float = RELIABILITY_THRESHOLD) -> pd.DataFrame | None:
    """Do the segment levels differ? Welch ANOVA per segment and construct.

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Default :func:`segment_constructs`.
    correction : str, default "holm"
        Across all segment x construct tests (:func:`cem_research.stats.adjust_pvalues`).
    reliability : DataFrame, optional
        :func:`segment_reliability` (computed when not given).
    threshold : float, default 0.70
        Cronbach's alpha below which a level is flagged, when `reliability` is computed here.

    Returns
    -------
    DataFrame or None
        Columns ``segment, segment_label, construct, label, role, k, n, F, ddof1, ddof2, p_unc, p_corr,
        significant, np2, omega2, min_group_alpha, unreliable_in`` (:func:`cem_research.stats.omnibus`,
        unweighted). Levels with fewer than 2 answers are left out; the loyalty group is not tested on
        the construct it is formed from. ``min_group_alpha`` is the lowest Cronbach alpha of the
        construct within a compared level (NaN for single items), ``unreliable_in`` the levels where it
        is below `threshold` ("" when none): a difference there may be measurement noise.
        ``None`` without segments or without anything testable.
    """
    rows = []
    for seg, label, c, sub in _segment_loop(data, constructs):
        o = stats.omnibus(sub, c, seg).drop(columns=["dv", "between"])
        rows.append(_label_columns(o, data.config, seg, label, c))
    if not rows:
        return None
    out = stats.adjust_pvalues(pd.concat(rows, ignore_index=True), "p_unc", correction)
    if reliability is None:
        reliability = segment_reliability(data, constructs, threshold=threshold)
    out = unreliable_columns(reliability, out)
    return out[["segment", "segment_label", "construct", "label", "role", "k", "n", "F", "ddof1", "ddof2",
                "p_unc", "p_corr", "significant", "np2", "omega2", "min_group_alpha", "unreliable_in"]]


def segment_pairs(data, tests: pd.DataFrame | None = None, constructs: Sequence[str] | None = None,
                  correction: str = "holm", confidence: float = 0.95) -> pd.DataFrame | None:
    """Which segment levels differ? Games-Howell pairs per segment and construct.

    Parameters
    ----------
    data : ClientData
    tests : DataFrame, optional
        :func:`segment_tests`. When given, pairs are computed only where the Welch ANOVA is
        significant (a protected post-hoc procedure), and for the derived loyalty group only on
        :func:`main_outcome` (loyalty groups differ on most constructs by definition). Without it every
        segment x construct is followed up (slow: each Games-Howell interval needs studentized-range
        quantiles, about 0.1 s per pair).
    constructs : list of str, optional
        Default :func:`segment_constructs`.
    correction : str, default "holm"
    confidence : float, default 0.95
        Level of the Games-Howell intervals.

    Returns
    -------
    DataFrame or None
        Columns ``segment, segment_label, construct, label, role, A, B, n_A, n_B, mean_A, mean_B, diff,
        ci_low, ci_high, hedges, p_gameshowell, p_unc, p_corr, significant`` from
        :func:`cem_research.stats.compare_groups` (``diff = mean_A - mean_B`` with its Games-Howell
        interval; weighted if weights exist). ``p_corr`` is `correction` (Holm) applied to the per-pair
        Welch p-values across *all* pairs in the table. Same exclusions as :func:`segment_tests`.
    """
    wanted = None
    if tests is not None:
        main = main_outcome(data.config)
        keep = tests[tests["significant"] & ((tests["segment"] != LOYALTY) | (tests["construct"] == main))]
        wanted = set(zip(keep["segment"], keep["construct"]))
    rows = []
    for seg, label, c, sub in _segment_loop(data, constructs, wanted):
        g = stats.compare_groups(sub, c, seg, weights=weight_column(data), confidence=confidence).drop(columns="dv")
        rows.append(_label_columns(g, data.config, seg, label, c))
    if not rows:
        return None
    out = stats.adjust_pvalues(pd.concat(rows, ignore_index=True), "p_unc", correction)
    out["A"], out["B"] = out["A"].astype(str), out["B"].astype(str)
    return out[["segment", "segment_label", "construct", "label", "role", "A", "B", "n_A", "n_B", "mean_A",
                "mean_B", "diff", "ci_low", "ci_high", "hedges", "p_gameshowell", "p_unc", "p_corr",
                "significant"]]
