"""Step 1, "Who the customer is": the client's segments and loyalty groups, their size, their outcome
profile and which differences between their levels are real.

For each segment the client declared (``segments:``) and for the loyalty groups (from the NPS question,
or near-thirds of a loyalty outcome with tied scores kept together, the rule and cut points in the
segment's label, :func:`~cem_research.steps.world.frames.tercile_rule`): the share of own-brand respondents in each level (Wilson
interval, :func:`segment_sizes`), the mean of every construct per level (:func:`segment_profiles`),
the within-level reliability (:func:`~cem_research.steps.world.segment_reliability.segment_reliability`),
Welch ANOVAs and Games-Howell pairs (:mod:`~cem_research.steps.world.segment_tests`), and the finding
on the segment that makes the largest difference (:func:`segment_gap`, :func:`segment_finding`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.stats import RELIABILITY_THRESHOLD
from cem_research.steps.section import Section, Settings, Shown
from cem_research.steps.world.common import LOYALTY, STEP, finding_kwargs, main_outcome, weight_column
from cem_research.steps.world.frames import construct_role, segment_columns, segment_constructs, segment_frame
from cem_research.steps.world.segment_reliability import reliability_grid, segment_reliability
from cem_research.steps.world.segment_tests import segment_pairs, segment_tests


def segment_sizes(data, confidence: float = 0.95) -> pd.DataFrame | None:
    """Size of each segment level among own-brand respondents (share with Wilson CI).

    Parameters
    ----------
    data : ClientData
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        Columns ``segment, segment_label, level, n, count, share, ci_low, ci_high``: ``n`` respondents
        answering the segment question, ``count`` in the level, ``share`` (weighted if weights exist)
        with its Wilson interval (:func:`cem_research.stats.share_ci`). ``None`` without segments.
    """
    frame, cols = segment_frame(data)
    if not cols:
        return None
    parts = []
    for seg, label in cols.items():
        s = stats.share_ci(frame, seg, weights=weight_column(data), confidence=confidence)
        s = s.rename(columns={seg: "level"})
        s.insert(0, "segment_label", label)
        s.insert(0, "segment", seg)
        parts.append(s[["segment", "segment_label", "level", "n", "count", "share", "ci_low", "ci_high"]])
    out = pd.concat(parts, ignore_index=True)
    out["level"] = out["level"].astype(str)
    return in_level_order(out, data.config)


def in_level_order(frame: pd.DataFrame, cfg) -> pd.DataFrame:
    """``frame`` with each declared segment's rows in the declared level order (``order:``; else numbers
    numerically, then text: :meth:`cem_research.client.config.ClientConfig.segment_order`); derived
    segments (loyalty groups) keep their order.

    Rows keep their order otherwise (a stable sort on segment position, then level position).
    """
    if frame is None or not len(frame):
        return frame
    rank = {}
    for seg, levels in frame.groupby("segment", sort=False)["level"]:
        # a declared segment in its order; a derived one (loyalty groups) keeps the order it was built in
        order = cfg.segment_order(seg, levels.unique()) if seg in cfg.segments else list(levels.unique())
        rank.update({(seg, lv): i for i, lv in enumerate(order)})
    seg_pos = {seg: i for i, seg in enumerate(frame["segment"].drop_duplicates())}
    key = [(seg_pos[sg], rank.get((sg, lv), len(rank))) for sg, lv in zip(frame["segment"], frame["level"])]
    order = sorted(range(len(frame)), key=lambda i: key[i])
    return frame.iloc[order].reset_index(drop=True)


def segment_profiles(data, constructs: Sequence[str] | None = None,
                     confidence: float = 0.95) -> pd.DataFrame | None:
    """Construct means per segment level (own brand), with t intervals.

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Default :func:`segment_constructs` (outcomes first, then drivers, then the rest).
    confidence : float, default 0.95

    Returns
    -------
    DataFrame or None
        Columns ``segment, segment_label, level, construct, label, role, n, mean, sd, ci_low, ci_high,
        scale_min, scale_max`` (:func:`cem_research.stats.mean_ci`, weighted if weights exist);
        ``role`` is ``outcome``, ``driver`` or ``other``. ``None`` without segments.
    """
    frame, cols = segment_frame(data)
    if not cols:
        return None
    cfg = data.config
    constructs = segment_constructs(cfg) if constructs is None else list(constructs)
    parts = []
    for seg, label in cols.items():
        for c in constructs:
            if c not in frame or frame[c].notna().sum() == 0:
                continue
            m = stats.mean_ci(frame, c, by=seg, weights=weight_column(data), confidence=confidence)
            m = m.rename(columns={seg: "level"}).drop(columns="n_eff")
            m.insert(0, "role", construct_role(cfg, c))
            m.insert(0, "label", nv.label(cfg, c))
            m.insert(0, "construct", c)
            m.insert(0, "segment_label", label)
            m.insert(0, "segment", seg)
            m["scale_min"], m["scale_max"] = cfg.constructs[c].scale
            parts.append(m)
    if not parts:
        return None
    out = pd.concat(parts, ignore_index=True)
    out["level"] = out["level"].astype(str)
    out = out[["segment", "segment_label", "level", "construct", "label", "role", "n", "mean", "sd",
               "ci_low", "ci_high", "scale_min", "scale_max"]]
    return in_level_order(out, cfg)


def segment_gap(profiles: pd.DataFrame | None, tests: pd.DataFrame | None, pairs: pd.DataFrame | None,
                construct: str | None = None, prefer_declared: bool = True) -> dict | None:
    """The segment that makes the largest difference, with its top-vs-bottom gap.

    Among the Welch ANOVAs (on ``construct``, or on every construct when ``None``), the significant one
    (Holm ``p_corr``) with the largest omega squared; if none is significant, the largest omega squared
    (ties, e.g. several at the floor 0, broken by eta squared ``np2``).  Omega squared is Hays' estimate
    from the one-way sums of squares (:func:`cem_research.stats.omnibus`), which never exceeds eta
    squared, and the finding names it, so the pick and the number beside it are the same measure.
    Within that segment and construct, the highest and the lowest scoring level and their Games-Howell
    difference. With ``prefer_declared`` the derived loyalty group is used only when no declared segment
    was tested (loyalty groups differ on most constructs almost by definition).

    Parameters
    ----------
    profiles, tests, pairs : DataFrame or None
        Outputs of :func:`segment_profiles`, :func:`segment_tests`, :func:`segment_pairs`.
    construct : str, optional
        Restrict to one construct (e.g. :func:`main_outcome`).
    prefer_declared : bool, default True

    Returns
    -------
    dict or None
        ``segment, segment_label, construct, label, scale, top, bottom, mean_top, ci_top, n_top,
        mean_bottom, ci_bottom, n_bottom, diff, ci, p_corr, hedges, significant, omnibus_p_corr,
        omnibus_significant, omega2``; ``diff``/``ci``/``p_corr``/``hedges``/``significant`` refer to the
        Games-Howell pair top minus bottom. ``None`` if nothing was tested.
    """
    if tests is None or profiles is None:
        return None
    t = tests if construct is None else tests[tests["construct"] == construct]
    if prefer_declared and (t["segment"] != LOYALTY).any():
        t = t[t["segment"] != LOYALTY]
    t = t.dropna(subset=["omega2"])
    if t.empty:
        return None
    sig = t[t["significant"]]
    best = (sig if len(sig) else t).sort_values(["omega2", "np2"], ascending=False, kind="mergesort").iloc[0]
    prof = profiles[(profiles["segment"] == best["segment"]) & (profiles["construct"] == best["construct"])]
    prof = prof[prof["n"] >= 2].dropna(subset=["mean"])
    top = prof.loc[prof["mean"].idxmax()]
    bottom = prof.loc[prof["mean"].idxmin()]
    out = {"segment": best["segment"], "segment_label": best["segment_label"], "construct": best["construct"],
           "label": best["label"], "scale": (float(top["scale_min"]), float(top["scale_max"])),
           "top": str(top["level"]), "bottom": str(bottom["level"]),
           "mean_top": float(top["mean"]), "ci_top": (float(top["ci_low"]), float(top["ci_high"])),
           "n_top": int(top["n"]), "mean_bottom": float(bottom["mean"]),
           "ci_bottom": (float(bottom["ci_low"]), float(bottom["ci_high"])), "n_bottom": int(bottom["n"]),
           "diff": float(top["mean"] - bottom["mean"]), "ci": (np.nan, np.nan), "p_corr": np.nan,
           "hedges": np.nan, "significant": False, "omnibus_p_corr": float(best["p_corr"]),
           "omnibus_significant": bool(best["significant"]), "omega2": float(best["omega2"])}
    if pairs is not None:
        pr = pairs[(pairs["segment"] == best["segment"]) & (pairs["construct"] == best["construct"])]
        fwd = pr[(pr["A"] == out["top"]) & (pr["B"] == out["bottom"])]
        rev = pr[(pr["A"] == out["bottom"]) & (pr["B"] == out["top"])]
        if len(fwd):
            r = fwd.iloc[0]
            out.update(diff=float(r["diff"]), ci=(float(r["ci_low"]), float(r["ci_high"])), hedges=float(r["hedges"]))
        elif len(rev):
            r = rev.iloc[0]
            out.update(diff=-float(r["diff"]), ci=(-float(r["ci_high"]), -float(r["ci_low"])),
                       hedges=-float(r["hedges"]))
        if len(fwd) or len(rev):
            out.update(p_corr=float(r["p_corr"]), significant=bool(r["significant"]))
    return out


def level_words(frame: pd.DataFrame, cfg, columns=("level",)) -> pd.DataFrame:
    """A copy of a table of segment levels with each level of ``columns`` in words.

    Each row's ``segment`` column names the segment the level belongs to
    (:func:`cem_research.present.narrative.value_label`).
    """
    out = frame.copy()
    for col in columns:
        if col in out.columns and "segment" in out.columns:
            out[col] = [nv.value_label(cfg, s, v) if isinstance(v, str) else v
                        for s, v in zip(out["segment"], out[col])]
    return out


def _gap_sentence(gap: dict, sizes: pd.DataFrame | None, confidence: float = 0.95, cfg=None) -> str:
    """``'<segment>: '<top>' (share) scores highest, mean ... above '<bottom>' (...)'``."""
    size = ""
    if sizes is not None:
        s = sizes[(sizes["segment"] == gap["segment"]) & (sizes["level"] == gap["top"])]
        if len(s):
            s = s.iloc[0]
            size = (f" ({nv.pct(s['share'])} of customers, "
                    f"{nv.pct_ci(s['ci_low'], s['ci_high'], confidence=confidence)})")
    top, bottom = (nv.value_label(cfg, gap["segment"], gap[k]) for k in ("top", "bottom"))
    head = (f"'{top}'{size} scores highest, mean {nv.num(gap['mean_top'])} "
            f"({nv.ci(*gap['ci_top'], confidence=confidence)}, n = {gap['n_top']:,}), "
            f"{nv.num(abs(gap['diff']))} points above '{bottom}'")
    if pd.isna(gap["ci"][0]):
        return head + (f" (mean {nv.num(gap['mean_bottom'])}, {nv.ci(*gap['ci_bottom'], confidence=confidence)}, "
                       f"n = {gap['n_bottom']:,})")
    return head + (f" (difference {nv.ci(*gap['ci'], confidence=confidence)}; Games-Howell, Holm-adjusted "
                   f"{nv.p(gap['p_corr'])}; Hedges g = {nv.num(gap['hedges'])})")


def segment_finding(profiles: pd.DataFrame | None, tests: pd.DataFrame | None, pairs: pd.DataFrame | None,
                    construct: str | None = None, sizes: pd.DataFrame | None = None,
                    headline: bool | str = False, confidence: float = 0.95,
                    threshold: float = RELIABILITY_THRESHOLD, cfg=None) -> dict:
    """A sentence about segments: which level scores highest, by how much, and whether it is real.

    Parameters
    ----------
    profiles, tests, pairs : DataFrame or None
        Outputs of :func:`segment_profiles`, :func:`segment_tests`, :func:`segment_pairs`.
    construct : str, optional
        State the finding on this construct (e.g. :func:`main_outcome`); ``None``: the largest
        significant segment difference on any construct.
    sizes : DataFrame, optional
        :func:`segment_sizes`, to add the size of the top level.
    headline : bool or "auto", default False
        Whether the executive summary shows the finding; ``"auto"``: only when the difference is
        significant (a null result stays in its section).
    confidence : float, default 0.95
        Level of the intervals (as computed), for the sentence.
    threshold : float, default 0.70
        Cronbach's alpha below which the tests flagged a level (:func:`segment_tests`), for the sentence.
    cfg : ClientConfig, optional
        Labels of the segment levels (:func:`cem_research.present.narrative.value_label`).

    Returns
    -------
    dict
        Keyword arguments for :func:`cem_research.present.findings.record`: ``key`` is ``"segment_difference"``
        (any construct) or ``"segment_<construct>"``; ``value`` the top-minus-bottom difference and ``ci``
        its Games-Howell interval (``None`` when the pair was not followed up because the Welch ANOVA was
        not significant).
    """
    key = "segment_difference" if construct is None else f"segment_{construct}"
    gap = segment_gap(profiles, tests, pairs, construct)
    if gap is None:
        what = "any construct" if construct is None else _title_from_profiles(profiles, construct)
        return finding_kwargs(f"No segment could be compared on {what}: fewer than two segment levels with at "
                        "least two answers.", key=key)
    on = f"{gap['label']} ({nv.scale_text(gap['scale'])})"
    by = f"{gap['segment_label']}"
    body = _gap_sentence(gap, sizes, confidence, cfg)
    effect = f"Welch ANOVA effect size ω² = {nv.num(gap['omega2'], 3)}"
    if gap["significant"]:
        text = f"On {on}, the largest segment difference ({effect}) is by {by}: {body}."
    elif gap["omnibus_significant"]:
        text = (f"On {on}, the levels of {by} differ ({effect}, Holm-adjusted "
                f"{nv.p(gap['omnibus_p_corr'])}): {body}; no single pair is significant after Holm correction.")
    elif construct is None:
        text = (f"No segment differs significantly on any construct (Welch ANOVA, Holm-corrected); the largest, "
                f"not significant effect ({effect}) is by {by} on {on}: {body}. Treat it as noise until more data "
                "confirm it.")
    else:
        text = (f"No segment differs significantly on {on} (Welch ANOVA, Holm-corrected); the largest, not "
                f"significant effect ({effect}) is by {by}: {body}. Treat it as noise until more data confirm it.")
    if construct is None and gap["omnibus_significant"]:
        n_sig = int(tests[tests["significant"] & (tests["segment"] != LOYALTY)].shape[0])
        text += (f" In all, {nv.count(n_sig, 'segment-by-construct comparison')} "
                 f"{'differs' if n_sig == 1 else 'differ'} significantly (Welch ANOVA, Holm).")
    text += _reliability_caveat(tests, gap, construct, threshold)
    if headline == "auto":
        headline = bool(gap["significant"])
    return finding_kwargs(text, key=key, value=gap["diff"], ci=gap["ci"], headline=headline)


def _reliability_caveat(tests: pd.DataFrame | None, gap: dict, construct: str | None,
                        threshold: float = RELIABILITY_THRESHOLD) -> str:
    """A sentence on constructs that are unreliable (alpha below `threshold`) within compared segment levels."""
    below = "below " + nv.num(threshold).removeprefix("0")
    if tests is None or "unreliable_in" not in tests:
        return ""
    flagged = tests[tests["unreliable_in"].astype(str) != ""]
    if construct is not None:
        flagged = flagged[flagged["construct"] == construct]
    if flagged.empty:
        return ""
    hit = flagged[(flagged["segment"] == gap["segment"]) & (flagged["construct"] == gap["construct"])]
    text = ""
    if len(hit):
        r = hit.iloc[0]
        text = (f" Caution: {r['label']} is not reliably measured within {r['segment_label']} (Cronbach's alpha "
                f"{below} in {r['unreliable_in']}; lowest {nv.num(r['min_group_alpha'])}), so this gap may partly "
                "be measurement noise.")
    if construct is None:
        rest = flagged.drop(hit.index)
        if len(rest):
            counts = rest.groupby("label", sort=False)["segment"].nunique().sort_values(ascending=False,
                                                                                        kind="mergesort")
            parts = [f"{lab} ({nv.count(int(k), 'segment')})" for lab, k in counts.items()]
            text += (f" Cronbach's alpha falls {below} within some compared levels for " + nv.join(parts)
                     + "; read those segment comparisons with care (the per-group reliability table is in "
                     "the technical appendix).")
    return text


def _title_from_profiles(profiles: pd.DataFrame | None, construct: str) -> str:
    """The label of ``construct`` in ``profiles`` (its name when not profiled)."""
    if profiles is not None and (profiles["construct"] == construct).any():
        return str(profiles.loc[profiles["construct"] == construct, "label"].iloc[0])
    return construct



@dataclass(frozen=True, eq=False)
class SegmentResult:
    """The tables of "Who the customer is".

    Attributes
    ----------
    sizes : DataFrame
        :func:`segment_sizes`.
    profiles : DataFrame or None
        :func:`segment_profiles`.
    reliability : DataFrame or None
        :func:`~cem_research.steps.world.segment_reliability.segment_reliability`.
    tests : DataFrame or None
        :func:`~cem_research.steps.world.segment_tests.segment_tests`.
    pairs : DataFrame or None
        :func:`~cem_research.steps.world.segment_tests.segment_pairs` (followed up where a test is significant).
    """

    sizes: pd.DataFrame
    profiles: pd.DataFrame | None
    reliability: pd.DataFrame | None
    tests: pd.DataFrame | None
    pairs: pd.DataFrame | None


class CustomerSegments(Section):
    """Who the customer is: segment sizes, outcome profiles, reliability within levels, tests and pairs."""

    step = STEP
    title = "Who the customer is"

    def skip_reason(self, data, settings: Settings) -> str | None:
        if not segment_columns(data):
            return ("the client declares no segment columns ('segments:' in client.yaml) and no NPS or "
                    "loyalty outcome from which loyalty groups could be formed")
        return None

    def compute(self, data, settings: Settings) -> SegmentResult:
        reliability = segment_reliability(data, threshold=settings.reliability_threshold)
        tests = segment_tests(data, reliability=reliability)
        pairs = (segment_pairs(data, tests, confidence=settings.confidence) if tests is not None else None)
        return SegmentResult(sizes=segment_sizes(data, confidence=settings.confidence),
                             profiles=segment_profiles(data, confidence=settings.confidence),
                             reliability=reliability, tests=tests, pairs=pairs)

    def findings(self, result: SegmentResult, data, settings: Settings) -> list[dict]:
        r = result
        kw = {"sizes": r.sizes, "confidence": settings.confidence, "threshold": settings.reliability_threshold,
              "cfg": data.config}
        # on the main outcome, then the largest difference on any construct (a headline when significant;
        # always one without competitors, since then there is no competitive headline)
        return [segment_finding(r.profiles, r.tests, r.pairs, main_outcome(data.config), **kw),
                segment_finding(r.profiles, r.tests, r.pairs, None,
                                headline="auto" if data.has_competitors else True, **kw)]

    def present(self, result: SegmentResult, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import world as world_plots

        r, ci = result, nv.level(settings.confidence)
        main = main_outcome(data.config)
        cfg = data.config
        sizes = level_words(r.sizes, cfg)
        out = [Shown("table", sizes[["segment_label", "level", "count", "n", "share", "ci_low", "ci_high"]],
                     f"Segment sizes among own-brand respondents (share with Wilson {ci} CI)",
                     {"percent": ("share", "ci_low", "ci_high")}, layer="appendix")]
        if r.profiles is not None:
            outcome = level_words(r.profiles[r.profiles["role"] == "outcome"], cfg)
            outcome = outcome.drop(columns=["segment", "construct", "role"])
            out.append(Shown("table", outcome, f"Outcome profile per segment level (own brand, mean with {ci} CI)",
                             layer="appendix"))
        fig = world_plots.segment_figure(r.sizes, r.profiles, main, confidence=settings.confidence, cfg=data.config)
        out.append(Shown("figure", fig,
                         f"Dot charts, one row per segment: share of own-brand customers in each level (left) and "
                         f"mean {nv.label(data.config, main)} per level (right), with {ci} intervals"))
        grid = reliability_grid(r.reliability)
        if grid is not None:
            below = nv.num(settings.reliability_threshold).removeprefix("0")
            out.append(Shown("table", grid, "Reliability within segment levels: lowest Cronbach's alpha per "
                             f"construct and segment (\u26a0 below {below} in the levels listed)", layer="appendix"))
        if r.tests is not None:
            shown = r.tests[r.tests["significant"] | (r.tests["construct"] == main)]
            shown = level_words(shown, cfg, ("highest_group", "lowest_group"))
            out.append(Shown("table", shown.drop(columns=["segment", "construct"]),
                             "Welch ANOVA per segment: significant differences (Holm) and the main outcome",
                             layer="appendix"))
        if r.pairs is not None:
            pairs = level_words(r.pairs, cfg, ("A", "B"))
            out.append(Shown("table", pairs.drop(columns=["segment", "construct", "p_unc"]),
                             "Games-Howell comparisons of segment levels (diff = A - B, Holm-adjusted p)",
                             layer="appendix"))
        gap = segment_gap(r.profiles, r.tests, r.pairs)
        if gap is not None:
            ax = world_plots.segment_gap_chart(r.profiles, gap, confidence=settings.confidence, cfg=data.config)
            out.append(Shown("figure", ax.figure,
                             f"Dot chart: mean {gap['label']} in each level of {gap['segment_label']}, the segment "
                             f"that makes the largest difference, with {ci} intervals", layer="appendix"))
        return out
