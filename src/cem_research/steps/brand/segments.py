"""Section "Segment differences": is the brand experienced the same by every customer segment?

* :func:`segment_differences` – each brand-experience dimension across each declared segment
  (Welch ANOVA or Kruskal–Wallis, effect size, Holm; the highest vs the lowest group), with
  reliability re-checked within every compared group;
* :func:`segment_means` – the means (95% CI) per segment group, for the charts;
* :func:`segment_pairs` – every Games–Howell pair of the significant differences;
* :class:`SegmentDifferences` – the report section.

Survey weights (``data.weight``, when the client declares weighting) enter the group means, the
Welch ANOVA (weighted means and variances with Kish's effective n, ``statsmodels``'
``anova_generic``) and the Games–Howell pairs.  Unweighted, and said so in the table and the
finding: the Kruskal–Wallis rank test (it has no weighted form here) and the reliability check
within groups (Cronbach's alpha).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats as sps
from statsmodels.stats.oneway import anova_generic

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.stats import MIN_GROUP, RELIABILITY_THRESHOLD
from cem_research.steps.brand.common import STEP, brand_experience_constructs, reliability, threshold_text
from cem_research.steps.section import Section, Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

SMALL_GROUP = 15         # below this (or clearly skewed residuals) Kruskal-Wallis replaces Welch
SKEW_LIMIT = 1.0         # |skewness| of within-group residuals counted as clearly non-normal

__all__ = ["SMALL_GROUP", "SKEW_LIMIT", "segment_differences", "segment_means", "segment_pairs",
           "segment_finding", "SegmentTables", "SegmentDifferences"]


def _groups(frame: pd.DataFrame, seg: str, value: str, min_group: int, weight: str | None = None) -> pd.DataFrame:
    """Rows with ``seg`` and ``value`` answered (and a positive ``weight``), in groups of at least
    ``min_group`` (labels as text); the weight column is carried when given."""
    sub = frame[[seg, value, *([weight] if weight else [])]].dropna()
    if weight:
        sub = sub[sub[weight] > 0]
    counts = sub[seg].value_counts()
    keep = counts[counts >= min_group].index
    sub = sub[sub[seg].isin(keep)].copy()
    sub[seg] = sub[seg].astype(str)
    return sub


def _summaries(sub: pd.DataFrame, value: str, seg: str, weight: str | None) -> pd.DataFrame:
    """Per group (sorted labels): ``n, n_eff, mean, sd`` (:func:`cem_research.stats.weighted_summary`)."""
    rows = {g: stats.weighted_summary(part[value].to_numpy(dtype=float),
                                      None if weight is None else part[weight].to_numpy(dtype=float))
            for g, part in sub.groupby(seg, sort=True)}
    return pd.DataFrame.from_dict(rows, orient="index")


def _group_reliability(frame: pd.DataFrame, seg: str, items: list[str], groups: list[str],
                       threshold: float) -> tuple[float, list[str]]:
    """The lowest raw alpha over ``groups`` and the groups whose alpha is below ``threshold``."""
    if len(items) < 2:
        return np.nan, []
    alphas = {}
    for g in groups:
        r = stats.reliability(frame[frame[seg].astype(str) == g], items, threshold=threshold)
        alphas[g] = float(r["alpha"].iloc[0])
    low = [g for g, a in alphas.items() if np.isfinite(a) and a < threshold]
    finite = [a for a in alphas.values() if np.isfinite(a)]
    return (min(finite) if finite else np.nan), low


def _extreme_pair(summary: pd.DataFrame) -> dict:
    """Games-Howell comparison of the highest- and lowest-scoring groups (Welch CI of the pair).

    ``summary`` holds each group's ``mean``, ``sd`` and ``n_eff`` (:func:`_summaries`; without weights
    ``n_eff`` is the group size and ``sd`` the sample SD).  The p-value is the Games-Howell one of
    ``pingouin.pairwise_gameshowell`` (``studentized_range.sf(√2·|t|, k, df)``, Welch's df), computed
    for this pair only: the same value, without integrating the studentized range for every other
    pair.  The interval is the per-pair Welch interval ``diff ± t(df) · se`` from the same standard
    error and df (the simultaneous Games-Howell interval of every pair is :func:`segment_pairs`);
    Hedges g uses the pooled SD on the (effective) n.
    """
    means = summary["mean"].astype(float)
    hi, lo = means.idxmax(), means.idxmin()
    a, b = summary.loc[hi], summary.loc[lo]
    va, vb = a["sd"] ** 2 / a["n_eff"], b["sd"] ** 2 / b["n_eff"]
    se = float(np.sqrt(va + vb))
    df = float((va + vb) ** 2 / (va ** 2 / (a["n_eff"] - 1) + vb ** 2 / (b["n_eff"] - 1)))
    diff = float(a["mean"] - b["mean"])
    half = float(sps.t.ppf(0.975, df)) * se
    k = len(summary)
    p = float(np.clip(sps.studentized_range.sf(np.sqrt(2) * abs(diff) / se, k, df), 0, 1)) if se > 0 else np.nan
    dof = a["n_eff"] + b["n_eff"] - 2
    pooled = np.sqrt(((a["n_eff"] - 1) * a["sd"] ** 2 + (b["n_eff"] - 1) * b["sd"] ** 2) / dof)
    g = diff / pooled * (1 - 3 / (4 * (a["n_eff"] + b["n_eff"]) - 9)) if pooled > 0 else np.nan
    return {"pair": f"{hi} vs {lo}", "pair_diff": diff, "pair_ci_low": diff - half, "pair_ci_high": diff + half,
            "pair_hedges": float(g), "pair_p": p}


def _omnibus(sub: pd.DataFrame, value: str, seg: str, k: int, summary: pd.DataFrame | None = None,
             weighted: bool = False) -> dict:
    """Welch's ANOVA (ω²), or Kruskal–Wallis (η²_H) for small groups or clearly skewed residuals.

    ``weighted``: the Welch ANOVA on the weighted means and variances of ``summary`` with Kish's
    effective n (``statsmodels.stats.oneway.anova_generic``, unequal variances, Welch's correction;
    with equal weights it is ``pingouin.welch_anova``) and ω² on the total effective n; the
    Kruskal–Wallis test stays unweighted (``weighted`` False in the row).
    """
    sizes = sub[seg].value_counts()
    resid = sub[value] - sub.groupby(seg)[value].transform("mean")
    skew = float(sps.skew(resid)) if resid.std() > 0 else 0.0
    if sizes.min() < SMALL_GROUP or abs(skew) > SKEW_LIMIT:
        kw = pg.kruskal(data=sub, dv=value, between=seg)
        h = float(kw["H"].iloc[0])
        n = len(sub)
        return {"test": "Kruskal-Wallis", "weighted": False, "statistic": h, "df1": float(kw["ddof1"].iloc[0]),
                "df2": np.nan, "p_unc": float(kw["p_unc"].iloc[0]),
                "effect": max(0.0, (h - k + 1) / (n - k)) if n > k else np.nan, "effect_measure": "eta2_H"}
    if weighted:
        res = anova_generic(summary["mean"].to_numpy(dtype=float), (summary["sd"] ** 2).to_numpy(dtype=float),
                            summary["n_eff"].to_numpy(dtype=float), use_var="unequal", welch_correction=True)
        f, (d1, d2) = float(res.statistic), (float(res.df[0]), float(res.df[1]))
        n = float(summary["n_eff"].sum())
        omega2 = max(0.0, d1 * (f - 1) / (d1 * (f - 1) + n)) if np.isfinite(f) else np.nan
        return {"test": "Welch ANOVA", "weighted": True, "statistic": f, "df1": d1, "df2": d2,
                "p_unc": float(res.pvalue), "effect": omega2, "effect_measure": "omega2"}
    om = stats.omnibus(sub, value, seg).iloc[0]
    return {"test": "Welch ANOVA", "weighted": False, "statistic": float(om["F"]), "df1": float(om["ddof1"]),
            "df2": float(om["ddof2"]), "p_unc": float(om["p_unc"]), "effect": float(om["omega2"]),
            "effect_measure": "omega2"}


def segment_differences(data: "ClientData", constructs: list[str] | None = None, min_group: int = MIN_GROUP,
                        threshold: float = RELIABILITY_THRESHOLD,
                        reliability: pd.DataFrame | None = None,
                        weights: str | None = "auto") -> pd.DataFrame | None:
    """Do the brand-experience dimensions differ across each declared segment? (own brand rows)

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Default :func:`~cem_research.steps.brand.common.brand_experience_constructs`.
    min_group : int, default 5
        Segment groups with fewer answers are left out.
    threshold : float, default 0.70
        Alpha below this *within any compared group* flags the construct for that segment.
    reliability : DataFrame, optional
        Step 2's reliability table, for the overall flag (default: computed with ``threshold``).
    weights : str, "auto" or None, default "auto"
        Column of survey weights; ``"auto"``: ``data.weight`` (the client's weights, ``None`` when
        it declares none).

    Returns
    -------
    DataFrame or None
        One row per segment × construct: ``segment, segment_label, dimension, label, test, weighted, k, n,
        statistic, df1, df2, p_unc, p_corr, significant, effect, effect_measure, highest_group,
        highest_mean, lowest_group, lowest_mean, pair, pair_diff, pair_ci_low, pair_ci_high,
        pair_hedges, pair_p, min_group_alpha, unreliable_in, reliability_flag``.  ``None`` when
        the client declares no segments (or no segment has two groups of ``min_group``).

    Notes
    -----
    Test: Welch's ANOVA (:func:`cem_research.stats.omnibus`; effect ω²) unless the smallest group
    has fewer than 15 answers or the within-group residuals are clearly skewed (|skewness| > 1),
    then Kruskal–Wallis (``pingouin.kruskal``; effect :math:`\\eta^2_H = (H - k + 1)/(n - k)`,
    Tomczak & Tomczak 2014, floored at 0).  With weights, the highest and lowest means are weighted
    and the Welch ANOVA and the extreme pair use the weighted means and SDs with Kish's effective n
    (``weighted`` True); Kruskal–Wallis rows and the within-group alphas are unweighted.
    ``p_corr``: Holm over every segment × construct row.  ``pair``: the highest- vs the lowest-scoring group, with the difference, its Welch 95% CI,
    Hedges g and the Games–Howell p-value (``pingouin.pairwise_gameshowell``; every pair with the
    simultaneous interval: :func:`segment_pairs`).
    ``unreliable_in`` lists the groups in which the construct's raw alpha is below ``threshold``;
    ``reliability_flag`` joins that with the overall flag.
    """
    from cem_research.steps import platform as pf

    cfg = data.config
    if not cfg.segments:
        return None
    cons = list(constructs) if constructs is not None else brand_experience_constructs(cfg)
    own = data.own
    w = data.weight if weights == "auto" else weights
    rows = []
    for seg, seg_label in cfg.segments.items():
        if seg not in own:
            continue
        for c in cons:
            sub = _groups(own, seg, c, min_group, w)
            groups = list(pd.unique(sub[seg]))
            if len(groups) < 2 or sub[c].nunique() < 2:  # one group, or every answer alike: nothing to compare
                continue
            order = cfg.segment_order(seg, map(str, groups))  # declared order, else natural
            groups = sorted(groups, key=lambda g: order.index(str(g)) if str(g) in order else len(order))
            summary = _summaries(sub, c, seg, w)
            means = summary["mean"].astype(float)
            row = _omnibus(sub, c, seg, len(groups), summary, weighted=w is not None)
            best = _extreme_pair(summary)
            min_alpha, low = _group_reliability(own[own[seg].astype(str).isin(groups)], seg,
                                                list(cfg.constructs[c].items), groups, threshold)
            rows.append({"segment": seg, "segment_label": seg_label, "dimension": c, "label": nv.label(cfg, c),
                         "k": len(groups), "n": int(len(sub)), **row,
                         "highest_group": means.idxmax(), "highest_mean": float(means.max()),
                         "lowest_group": means.idxmin(), "lowest_mean": float(means.min()),
                         **best,
                         "min_group_alpha": min_alpha, "unreliable_in": ", ".join(map(str, low))})
    if not rows:
        return None
    out = stats.adjust_pvalues(pd.DataFrame(rows), "p_unc", "holm")
    rel = pf.reliability_table(data, threshold=threshold) if reliability is None else reliability
    overall = pf.add_reliability_flag(out[["dimension"]], rel, on="dimension")["reliability_flag"]
    out["reliability_flag"] = [
        "; ".join(x for x in (o, f"alpha < {threshold_text(threshold)} in {u}" if u else "") if x)
        for o, u in zip(overall, out["unreliable_in"])]
    cols = ["segment", "segment_label", "dimension", "label", "test", "weighted", "k", "n", "statistic", "df1", "df2",
            "p_unc",
            "p_corr", "significant", "effect", "effect_measure", "highest_group", "highest_mean", "lowest_group",
            "lowest_mean", "pair", "pair_diff", "pair_ci_low", "pair_ci_high", "pair_hedges", "pair_p",
            "min_group_alpha", "unreliable_in", "reliability_flag"]
    return out[cols]


def segment_means(data: "ClientData", constructs: list[str] | None = None,
                  min_group: int = MIN_GROUP, reliability: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Means (95% CI) of the brand-experience constructs per segment group (own brand rows).

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Default :func:`~cem_research.steps.brand.common.brand_experience_constructs`.
    min_group : int, default 5
        Segment groups with fewer answers are left out.
    reliability : DataFrame, optional
        Step 2's reliability table, for ``reliability_flag``.

    Returns
    -------
    DataFrame or None
        ``segment, segment_label, group, dimension, label, n, mean, sd, ci_low, ci_high, series,
        reliability_flag`` (``series`` = "group (n = …)" for chart legends; the flag is the
        construct's overall one, from ``reliability``).  ``None`` without segments.
    """
    from cem_research.steps import platform as pf

    cfg = data.config
    if not cfg.segments:
        return None
    cons = list(constructs) if constructs is not None else brand_experience_constructs(cfg)
    own = data.own
    parts = []
    for seg, seg_label in cfg.segments.items():
        if seg not in own:
            continue
        counts = own[seg].value_counts()
        keep = cfg.segment_order(seg, map(str, counts[counts >= min_group].index))
        if len(keep) < 2:
            continue
        frame = own[own[seg].astype(str).isin(keep)].copy()
        frame[seg] = pd.Categorical(frame[seg].astype(str), categories=keep, ordered=True)
        for c in cons:
            m = stats.mean_ci(frame, c, by=seg, weights=data.weight).rename(columns={seg: "group"})
            m["group"] = m["group"].astype(str)
            m.insert(0, "segment", seg)
            m.insert(1, "segment_label", seg_label)
            m.insert(3, "dimension", c)
            m.insert(4, "label", nv.label(cfg, c))
            parts.append(m.drop(columns=["n_eff"]))
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    sizes = {(s, g): int(n) for s, g, n in
             own.melt(value_vars=[s for s in cfg.segments if s in own], var_name="segment", value_name="group")
             .dropna().astype(str).value_counts(["segment", "group"]).reset_index().itertuples(index=False)}
    out["series"] = [f"{g} (n = {sizes.get((s, g), 0):,})" for s, g in zip(out["segment"], out["group"])]
    return pf.add_reliability_flag(out, reliability, on="dimension")


def segment_pairs(data: "ClientData", segments: pd.DataFrame | None, significant_only: bool = True,
                  min_group: int = MIN_GROUP, max_rows: int = 5, weights: str | None = "auto") -> pd.DataFrame | None:
    """All Games-Howell pairs for the segment × construct rows of :func:`segment_differences`.

    Parameters
    ----------
    data : ClientData
    segments : DataFrame or None
        :func:`segment_differences`.
    significant_only : bool, default True
        Only the rows whose omnibus test is significant after Holm.
    min_group : int, default 5
        As in :func:`segment_differences`.
    max_rows : int, default 5
        At most this many rows, those with the largest effects (each needs a studentized-range
        quantile per pair, about a second).
    weights : str, "auto" or None, default "auto"
        As in :func:`segment_differences`: weighted Games-Howell pairs
        (:func:`cem_research.stats.compare_groups` with ``weights``).

    Returns
    -------
    DataFrame or None
        ``segment, label`` and the :func:`cem_research.stats.compare_groups` columns (``A, B,
        n_A, n_B, mean_A, mean_B, diff, ci_low, ci_high`` – simultaneous Games-Howell interval –
        ``hedges, p_unc, p_gameshowell, p_corr``).  ``None`` when there are none.
    """
    if segments is None or segments.empty:
        return None
    rows = segments[segments["significant"]] if significant_only else segments
    rows = rows.sort_values("effect", ascending=False).head(max_rows)
    if rows.empty:
        return None
    w = data.weight if weights == "auto" else weights
    parts = []
    for r in rows.itertuples():
        sub = _groups(data.own, r.segment, r.dimension, min_group, w)
        t = stats.compare_groups(sub, r.dimension, r.segment, weights=w)
        t.insert(0, "segment", r.segment)
        t.insert(1, "label", r.label)
        parts.append(t.drop(columns=["dv"]))
    return pd.concat(parts, ignore_index=True)


def segment_finding(seg: pd.DataFrame, threshold: float = RELIABILITY_THRESHOLD, weighted: bool | None = None) -> dict:
    """Plain-words finding for the segment section.

    Parameters
    ----------
    seg : DataFrame
        :func:`segment_differences`.
    threshold : float
        The reliability threshold named in the caution.
    weighted : bool, optional
        Whether the client has survey weights (default: whether any row of ``seg`` is weighted); the
        sentence then says which results use them and which are unweighted.

    Returns
    -------
    dict
        Keyword arguments of :func:`cem_research.present.findings.record`: how many segment ×
        dimension differences survive Holm correction, and the largest one with its effect size
        and pair difference (``key`` "segment_effect", ``value`` the pair difference).
    """
    sig = seg[seg["significant"]]
    base = (f"{len(sig)} of {len(seg)} segment × dimension comparisons differ after Holm correction "
            f"({seg['segment'].nunique()} segment(s), own-brand rows).")
    pick = (sig if len(sig) else seg).sort_values("effect", ascending=False).iloc[0]
    detail = (f"{pick['label']} by {pick['segment_label']}: {pick['highest_group']} {nv.num(pick['highest_mean'])} vs "
              f"{pick['lowest_group']} {nv.num(pick['lowest_mean'])} ({pick['test']}, {pick['effect_measure']} = "
              f"{nv.num(pick['effect'], 3)}, Holm {nv.p(pick['p_corr'])}; difference {pick['pair']}: "
              f"{nv.signed(pick['pair_diff'])}, {nv.ci(pick['pair_ci_low'], pick['pair_ci_high'])}, "
              f"g = {nv.num(pick['pair_hedges'])})")
    text = base + (f" Largest: {detail}." if len(sig) else f" The largest (not significant): {detail}.")
    flagged = seg[seg["unreliable_in"].astype(bool)]
    if len(flagged):
        counts = flagged.assign(g=flagged["unreliable_in"].str.count(",") + 1).groupby("label", sort=True)["g"].sum()
        text += (f" Alpha falls below {threshold_text(threshold)} within some compared groups for "
                 + nv.join([f"{lab} ({g} group{'s' if g > 1 else ''})" for lab, g in counts.items()])
                 + "; read those segment comparisons with care.")
    is_w = seg["weighted"].astype(bool) if "weighted" in seg else pd.Series(False, index=seg.index)
    if weighted is None:
        weighted = bool(is_w.any())
    if weighted:
        n_unw = int((~is_w).sum())
        text += (" Group means, Welch ANOVAs and pairs use the survey weights (Kish effective n); unweighted: "
                 + (f"{n_unw} Kruskal-Wallis {'row' if n_unw == 1 else 'rows'} and " if n_unw else "")
                 + "the within-group reliability check.")
    return {"text": text, "headline": bool(len(sig)), "key": "segment_effect", "value": float(pick["pair_diff"]),
            "ci": (float(pick["pair_ci_low"]), float(pick["pair_ci_high"]))}


@dataclass(frozen=True)
class SegmentTables:
    """The tables of :class:`SegmentDifferences`.

    Attributes
    ----------
    differences : DataFrame
        :func:`segment_differences`.
    means, pairs : DataFrame or None
        :func:`segment_means`, :func:`segment_pairs`.
    """

    differences: pd.DataFrame
    means: pd.DataFrame | None
    pairs: pd.DataFrame | None


class SegmentDifferences(Section):
    """The brand-experience dimensions compared across the client's segments (:class:`SegmentTables`)."""

    step = STEP
    title = "Segment differences"

    def _differences(self, data: "ClientData", settings: Settings) -> pd.DataFrame | None:
        from cem_research.client.data import memoize

        return memoize(data, ("brand", "segment_differences", settings), lambda: segment_differences(
            data, min_group=settings.min_group, threshold=settings.reliability_threshold,
            reliability=reliability(data, settings)))

    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        if not data.config.segments:
            return "the client declares no segments"
        if self._differences(data, settings) is None:
            return (f"no declared segment has two groups of at least {settings.min_group} own-brand respondents "
                    "on a brand-experience dimension")
        return None

    def compute(self, data: "ClientData", settings: Settings) -> SegmentTables:
        diffs = self._differences(data, settings)
        return SegmentTables(differences=diffs,
                             means=segment_means(data, min_group=settings.min_group,
                                                 reliability=reliability(data, settings)),
                             pairs=segment_pairs(data, diffs, min_group=settings.min_group))

    def findings(self, result: SegmentTables, data: "ClientData", settings: Settings) -> list[dict]:
        return [segment_finding(result.differences, threshold=settings.reliability_threshold,
                                weighted=data.weight is not None)]

    def present(self, result: SegmentTables, data: "ClientData", settings: Settings) -> list[Shown]:
        from cem_research.present.plots import brand as plots

        out = [Shown(
            "table", result.differences[["segment_label", "label", "test", *(["weighted"] if data.weight else []), "k",
                                         "n", "statistic", "p_corr", "effect", "effect_measure", "highest_group",
                                         "highest_mean", "lowest_group", "lowest_mean", "pair_diff", "pair_ci_low",
                                         "pair_ci_high", "pair_hedges", "pair_p", "min_group_alpha",
                                         "reliability_flag"]],
            "Brand-experience dimensions across segments (Holm over all rows"
            + ("; survey-weighted means and Welch tests with Kish effective n, Kruskal-Wallis and alphas unweighted)"
               if data.weight else ")"),
            {"rename": {"p_corr": "p_corr (Holm)", "pair_p": "p (Games-Howell)"}}, layer="appendix")]
        if result.means is not None:
            labels = list(pd.unique(result.means["segment_label"]))
            out.append(Shown("figure", plots.segment_figure(result.means, confidence=settings.confidence),
                             "Small multiples on one axis, one panel per segment "
                             f"({', '.join(labels)}): own-brand mean rating (95% CI) of each brand-experience "
                             "dimension in each group of the segment", layer="appendix"))
        if result.pairs is not None:
            out.append(Shown("table", result.pairs,
                             "Games-Howell pairs for the significant segment differences (simultaneous 95% CIs"
                             + ("; survey-weighted, Kish effective n)" if data.weight else ")"),
                             layer="appendix"))
        return out
