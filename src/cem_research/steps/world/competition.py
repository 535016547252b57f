"""Step 1, "The competitive landscape": the own brand against each competitor and each kind of competitor.

Customers compare the brand with direct competitors, new entrants and players outside the industry.
Every construct is profiled per brand and per competitor kind (:func:`brand_profiles`), the own brand is
compared with each competitor, each kind and all competitors pooled by Welch's t-test with Hedges' g,
Holm-corrected across everything (:func:`brand_tests`).  That table is the one home of every own-brand
comparison in the report: the experiential profile (step 2), the brand elements (step 3) and the
innovation agenda (step 5) take their rows from it (:func:`own_vs_competitors`), so a comparison shows
the same difference, interval, p and verdict wherever it is mentioned.  Its intervals are adjusted for
multiple comparisons (:func:`cem_research.stats.adjusted_interval`) so that each agrees with its Holm
verdict.  Before a comparison is stated, each multi-item construct's reliability is checked among the
raters of every compared brand (:func:`brand_reliability`); a comparison on a construct whose Cronbach's
alpha is below the gate among either side's raters is flagged in the table and carries a caveat in the
finding.  Then the advantages -- constructs on which it leads *every* competitor -- and the best
construct (:data:`BEST_RULE`) are summarised (:func:`brand_advantages`, :func:`competitive_finding`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.client.config import COMPETITOR_KINDS
from cem_research.present import narrative as nv
from cem_research.stats import RELIABILITY_THRESHOLD
from cem_research.steps.section import Section, Settings, Shown
from cem_research.steps.world.common import KIND_GROUP_LABELS, STEP, brand_order, finding_kwargs, is_text
from cem_research.steps.world.common import own_rows, weight_column


#: Name of the pooled competitors in :func:`brand_tests`.
ALL_COMPETITORS = "All competitors"
#: How :func:`brand_advantages` ranks the constructs, and so which one the finding calls the best.
BEST_RULE = ("constructs ranked by the number of competitors the own brand is significantly ahead of "
             "(Holm), then by the fewest it is significantly behind, then by the largest lower limit of the "
             "adjusted interval against the closest rival")


def own_vs_competitors(data, settings: Settings | None = None) -> pd.DataFrame | None:
    """The own brand against each competitor, kind and all competitors: :func:`brand_tests` as
    :class:`CompetitiveLandscape` computes it (once per loaded client and settings).

    Every section that compares the own brand with competitors takes its rows from here, so one
    comparison has one difference, one interval, one p-value and one verdict in the whole report.

    Parameters
    ----------
    data : ClientData
    settings : Settings, optional

    Returns
    -------
    DataFrame or None
        :func:`brand_tests`; ``None`` without competitor ratings.
    """
    result = CompetitiveLandscape().result(data, settings or Settings())
    return None if result is None else result.tests


def _competitor_kinds_with_groups(data) -> list[str]:
    """Competitor kinds rated for at least two brands (a one-brand kind equals that brand)."""
    r = data.ratings
    comp = r.loc[(r["brand_kind"] != "own").to_numpy(), ["brand_kind", "brand"]]
    per_kind = comp.groupby("brand_kind")["brand"].nunique()
    return [k for k in COMPETITOR_KINDS if per_kind.get(k, 0) >= 2]


def _compared_constructs(data) -> list[str]:
    """Constructs rated at least twice for the own brand and at least twice for competitors (declared order)."""
    cfg = data.config
    r = data.ratings
    other = (r["brand_kind"] != "own").to_numpy()
    own = own_rows(data)
    return [c for c in cfg.constructs if c in r.columns
            and own[c].notna().sum() >= 2 and r[c][other].notna().sum() >= 2]


def brand_profiles(data, confidence: float = 0.95) -> pd.DataFrame | None:
    """Mean of every construct for the own brand, each competitor and each competitor kind.

    Returns
    -------
    DataFrame or None
        Columns ``level, level_type, brand_kind, construct, label, n, mean, sd, ci_low, ci_high, scale_min,
        scale_max``. ``level_type`` is ``brand`` (own brand first, then competitors in declared order) or
        ``kind`` (all brands of a competitor kind pooled, e.g. "All direct competitors"; only for kinds
        with at least two rated brands -- with one brand the kind *is* that brand). Constructs in declared
        order, only those rated for the own brand and at least one competitor. ``None`` without
        competitor ratings.
    """
    if CompetitiveLandscape().skip_reason(data, Settings()) is not None:
        return None
    cfg = data.config
    constructs = _compared_constructs(data)
    if not constructs:
        return None
    r = data.ratings
    w = weight_column(data)
    narrow = r[list(dict.fromkeys([*constructs, "brand_kind", *([w] if w else [])]))]  # the columns used below
    frames = [("brand", b, narrow[(r["brand"] == b).to_numpy()]) for b in brand_order(data)]
    frames += [("kind", KIND_GROUP_LABELS[k], narrow[(r["brand_kind"] == k).to_numpy()])
               for k in _competitor_kinds_with_groups(data)]
    rows = []
    for c in constructs:
        lo, hi = cfg.constructs[c].scale
        for level_type, level, sub in frames:
            m = stats.mean_ci(sub, c, weights=weight_column(data), confidence=confidence).iloc[0]
            kind = (sub["brand_kind"].iloc[0] if level_type == "brand" else
                    next(k for k, v in KIND_GROUP_LABELS.items() if v == level))
            rows.append({"level": level, "level_type": level_type, "brand_kind": kind, "construct": c,
                         "label": nv.label(cfg, c), "n": int(m["n"]), "mean": m["mean"], "sd": m["sd"],
                         "ci_low": m["ci_low"], "ci_high": m["ci_high"], "scale_min": lo, "scale_max": hi})
    out = pd.DataFrame(rows)
    return out[out["n"] > 0].reset_index(drop=True)


def _threshold_text(threshold: float) -> str:
    """``0.7`` -> ``'.70'``."""
    return nv.num(threshold).removeprefix("0")


def brand_reliability(data, threshold: float = RELIABILITY_THRESHOLD) -> pd.DataFrame | None:
    """Cronbach's alpha of each multi-item construct among the raters of every compared group.

    A comparison of the own brand with a competitor is only as good as the measurement on both sides:
    a construct whose items hang together for the own brand's raters may not for a competitor's.

    Parameters
    ----------
    data : ClientData
    threshold : float, default 0.70
        Alpha below this marks the construct ``unreliable`` among that group's raters.

    Returns
    -------
    DataFrame or None
        One row per construct x group: ``level`` (the own brand, each competitor, each competitor kind
        with at least two rated brands as in :func:`brand_tests`, and :data:`ALL_COMPETITORS`),
        ``level_type`` (``own``, ``brand``, ``kind``, ``all competitors``), ``construct, label, n, k,
        alpha, alpha_ci_low, alpha_ci_high, unreliable`` (:func:`cem_research.stats.group_reliability`,
        unweighted).  Constructs of :func:`brand_tests` with at least two items present.  ``None``
        without competitor ratings or multi-item constructs.

    Examples
    --------
    A construct whose two items agree among the own brand's raters but not among the rival's:

    >>> import numpy as np, pandas as pd
    >>> from types import SimpleNamespace
    >>> from cem_research.client.config import parse_config
    >>> cfg = parse_config({"name": "U", "brand": "Own", "competitors": [{"name": "Rival", "kind": "direct"}],
    ...     "survey": {"file": "s.csv", "id": "id", "brand": "brand"},
    ...     "constructs": {"fun": {"items": ["a", "b"]}}}, "u")
    >>> rng = np.random.default_rng(0); x = rng.normal(size=60)
    >>> r = pd.DataFrame({"brand": ["Own"] * 30 + ["Rival"] * 30, "brand_kind": ["own"] * 30 + ["direct"] * 30,
    ...     "a": x, "b": np.r_[x[:30] + rng.normal(0, .3, 30), rng.normal(size=30)]})
    >>> r["fun"] = r[["a", "b"]].mean(axis=1)
    >>> d = SimpleNamespace(config=cfg, ratings=r, own=r[r.brand == "Own"], has_competitors=True, weight=None)
    >>> brand_reliability(d).set_index("level")["unreliable"].to_dict()
    {'Own': False, 'Rival': True, 'All competitors': True}
    """
    if CompetitiveLandscape().skip_reason(data, Settings()) is not None:
        return None
    cfg = data.config
    r = data.ratings
    multi = [c for c in _compared_constructs(data) if len(cfg.constructs[c].items) >= 2
             and all(i in r.columns for i in cfg.constructs[c].items)]
    if not multi:
        return None
    kind = r["brand_kind"].astype(str)
    own = cfg.brand
    groups = [("brand", r["brand"].astype(str).where(r["brand"].notna()))]
    kinds = _competitor_kinds_with_groups(data)
    if kinds:
        groups.append(("kind", kind.where(kind.isin(kinds)).map(KIND_GROUP_LABELS)))
    groups.append(("all competitors", pd.Series(np.where(kind != "own", ALL_COMPETITORS, None), index=r.index)))
    parts = []
    for level_type, level in groups:
        for c in multi:
            items = list(cfg.constructs[c].items)
            frame = r[items].assign(_level=level.to_numpy())
            g = stats.group_reliability(frame, items, "_level", threshold=threshold, name=c)
            g = g.rename(columns={"_level": "level"})
            if level_type == "brand":
                g.insert(1, "level_type", np.where(g["level"] == own, "own", "brand"))
            else:
                g.insert(1, "level_type", level_type)
            g.insert(3, "label", nv.label(cfg, c))
            parts.append(g)
    out = pd.concat(parts, ignore_index=True)
    order = {b: i for i, b in enumerate([*brand_order(data), *KIND_GROUP_LABELS.values(), ALL_COMPETITORS])}
    cons = {c: i for i, c in enumerate(multi)}
    out = out.assign(_c=out["construct"].map(cons), _l=out["level"].map(order).fillna(len(order)))
    out = out.sort_values(["_c", "_l"], kind="mergesort").drop(columns=["_c", "_l"])
    return out[["level", "level_type", "construct", "label", "n", "k", "alpha", "alpha_ci_low", "alpha_ci_high",
                "unreliable"]].reset_index(drop=True)


def _with_brand_reliability(out: pd.DataFrame, rel: pd.DataFrame | None, own: str,
                            threshold: float) -> pd.DataFrame:
    """``out`` (:func:`brand_tests`) with ``alpha_own, alpha_other, reliability_flag`` from ``rel``."""
    out = out.copy()
    if rel is None:
        out["alpha_own"] = out["alpha_other"] = np.nan
        out["reliability_flag"] = ""
        return out
    alpha = rel.set_index(["construct", "level"])["alpha"]
    pairs = list(zip(out["construct"], out["competitor"]))
    out["alpha_own"] = [float(alpha.get((c, own), np.nan)) for c, _ in pairs]
    out["alpha_other"] = [float(alpha.get((c, g), np.nan)) for c, g in pairs]
    flags = []

    def shown(a: float) -> str:  # three digits where two would round up to the gate (".697", not ".70")
        text = nv.num(a, 3 if round(a, 2) >= threshold else 2)
        return text.removeprefix("0") if a >= 0 else text

    for (c, g), a_own, a_other in zip(pairs, out["alpha_own"], out["alpha_other"]):
        low = [f"alpha {shown(a)} among {who}'s raters"
               for who, a in ((own, a_own), (g, a_other)) if np.isfinite(a) and a < threshold]
        flags.append("; ".join(low) + (f" (below {_threshold_text(threshold)})" if low else ""))
    out["reliability_flag"] = flags
    return out


def brand_tests(data, correction: str = "holm", confidence: float = 0.95,
                threshold: float = RELIABILITY_THRESHOLD) -> pd.DataFrame | None:
    """Own brand vs each competitor, each competitor kind and all competitors pooled on every construct.

    The one home of the report's own-brand comparisons (Welch t, Hedges g, one Holm family).

    Parameters
    ----------
    data : ClientData
    correction : str, default "holm"
        Applied once across *all* rows (every construct x competitor, kind and the pooled competitors).
    confidence : float, default 0.95
        Level of the intervals; the verdict ``significant`` is ``p_corr < 1 - confidence``.
    threshold : float, default 0.70
        Reliability gate of ``reliability_flag`` (:func:`brand_reliability`).

    Returns
    -------
    DataFrame or None
        Columns ``comparison`` (``brand``, ``kind`` -- kinds with at least two rated brands -- or
        ``all competitors``), ``competitor`` (the brand, e.g. "All direct competitors", or
        :data:`ALL_COMPETITORS`), ``brand_kind`` (``competitors`` for the pooled rows), ``construct``,
        ``label``, ``n_own, n_other, mean_own, mean_other, diff, ci_low, ci_high, T, df, hedges,
        hedges_ci_low, hedges_ci_high, p_unc, p_corr, significant`` from
        :func:`cem_research.stats.compare_to_reference` with ``diff = mean_own - mean_other`` (weighted when
        the ratings carry survey weights; competitor rows have weight 1).  ``ci_low``/``ci_high`` is the
        interval adjusted for multiple comparisons (:func:`cem_research.stats.with_adjusted_interval`): it
        excludes 0 exactly when ``significant``.  Then ``alpha_own, alpha_other`` (Cronbach's alpha of the
        construct among the own brand's and the competitor's raters, :func:`brand_reliability`; NaN for
        single-item constructs) and ``reliability_flag`` (which side is below ``threshold``, "" when
        neither).  Pairs where the competitor has fewer than 2 ratings are dropped.  ``None`` without
        competitor ratings.

    Notes
    -----
    When the same respondents rate the own brand and competitors, the ratings are not independent; the
    Welch t-test then ignores the pairing and is conservative for positively correlated ratings.
    """
    if CompetitiveLandscape().skip_reason(data, Settings()) is not None:
        return None
    cfg = data.config
    constructs = _compared_constructs(data)
    if not constructs:
        return None
    r = data.ratings
    own = cfg.brand
    kinds = _competitor_kinds_with_groups(data)
    parts = []
    w = weight_column(data)
    frame = r[[*constructs, "brand", *([w] if w else [])]].assign(_level=r["brand"].astype(str))
    t = stats.compare_to_reference(frame, constructs, "_level", own, correction="none", confidence=confidence,
                                   weights=w)
    t.insert(0, "comparison", "brand")
    parts.append(t)
    if kinds:
        rows = r["brand_kind"].isin(["own", *kinds]).to_numpy()
        kind = r["brand_kind"][rows]
        level = (kind.map({**KIND_GROUP_LABELS, "own": own}) if is_text(kind)
                 else kind.map(lambda k: own if k == "own" else KIND_GROUP_LABELS[k]))
        kf = r.loc[rows, [*constructs, *([w] if w else [])]].assign(_level=level)
        t = stats.compare_to_reference(kf, constructs, "_level", own, correction="none", confidence=confidence,
                                       weights=w)
        t.insert(0, "comparison", "kind")
        parts.append(t)
    pooled = r[[*constructs, *([w] if w else [])]].assign(
        _level=np.where((r["brand_kind"] == "own").to_numpy(), own, ALL_COMPETITORS))
    t = stats.compare_to_reference(pooled, constructs, "_level", own, correction="none", confidence=confidence,
                                   weights=w)
    t.insert(0, "comparison", "all competitors")
    parts.append(t)
    out = pd.concat(parts, ignore_index=True)
    out = out[out["n_other"] >= 2].reset_index(drop=True)
    alpha = 1 - confidence
    out = stats.adjust_pvalues(out, "p_unc", correction, alpha=alpha)
    out = stats.with_adjusted_interval(out, confidence=confidence, alpha=alpha)
    label_kind = {v: k for k, v in KIND_GROUP_LABELS.items()}
    label_kind[ALL_COMPETITORS] = "competitors"
    out["brand_kind"] = [cfg.brand_kind(g) if c == "brand" else label_kind[str(g)]
                         for c, g in zip(out["comparison"], out["group"])]
    out["label"] = out["dv"].map(lambda c: nv.label(cfg, c))
    out = out.rename(columns={"group": "competitor", "dv": "construct", "n_ref": "n_own",
                              "mean_ref": "mean_own"})
    out = _with_brand_reliability(out, brand_reliability(data, threshold), own, threshold)
    return out[["comparison", "competitor", "brand_kind", "construct", "label", "n_own", "n_other", "mean_own",
                "mean_other", "diff", "ci_low", "ci_high", "T", "df", "hedges", "hedges_ci_low",
                "hedges_ci_high", "p_unc", "p_corr", "significant", "alpha_own", "alpha_other",
                "reliability_flag"]]


def brand_advantages(tests: pd.DataFrame | None) -> pd.DataFrame | None:
    """Per construct: against how many competitors the own brand is significantly ahead or behind.

    Parameters
    ----------
    tests : DataFrame
        :func:`brand_tests`.

    Returns
    -------
    DataFrame or None
        One row per construct: ``rank, construct, label, n_competitors, n_ahead, n_behind, min_diff,
        max_diff, closest_competitor, closest_ci_low, closest_ci_high, advantage, disadvantage,
        flagged_comparisons``.  ``advantage`` = significantly higher than *every* competitor brand;
        ``disadvantage`` = significantly lower than at least one; ``closest_*`` the competitor with the
        smallest difference and its adjusted interval; ``flagged_comparisons`` the competitors whose
        comparison on the construct carries a ``reliability_flag`` (alpha below the gate among that
        competitor's or the own brand's raters).  Sorted by :data:`BEST_RULE`
        (advantages first); ``rank`` 1 is the construct the finding calls the best.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"comparison": "brand", "competitor": ["A", "B", "A", "B"], "construct": list("xxyy"),
    ...     "label": list("XXYY"), "diff": [0.9, -0.1, 0.3, 0.2], "ci_low": [0.5, -0.4, 0.1, 0.05],
    ...     "ci_high": [1.3, 0.2, 0.5, 0.35], "significant": [True, False, True, True], "reliability_flag": ""})
    >>> brand_advantages(t)[["construct", "n_ahead", "advantage"]].values.tolist()
    [['y', 2, True], ['x', 1, False]]
    """
    if tests is None or tests.empty:
        return None
    b = tests[tests["comparison"] == "brand"]
    rows = []
    for c, sub in b.groupby("construct", sort=False):
        sub = sub.dropna(subset=["diff"])
        if sub.empty:
            continue
        ahead = sub["significant"] & (sub["diff"] > 0)
        behind = sub["significant"] & (sub["diff"] < 0)
        close = sub.loc[sub["diff"].idxmin()]
        flag = sub["reliability_flag"].astype(str) if "reliability_flag" in sub else pd.Series("", index=sub.index)
        rows.append({"construct": c, "label": sub["label"].iloc[0], "n_competitors": len(sub),
                     "n_ahead": int(ahead.sum()), "n_behind": int(behind.sum()),
                     "min_diff": float(sub["diff"].min()), "max_diff": float(sub["diff"].max()),
                     "closest_competitor": close["competitor"], "closest_ci_low": float(close["ci_low"]),
                     "closest_ci_high": float(close["ci_high"]), "advantage": bool(ahead.all()),
                     "disadvantage": bool(behind.any()),
                     "flagged_comparisons": ", ".join(map(str, sub.loc[flag != "", "competitor"]))})
    if not rows:
        return None
    out = pd.DataFrame(rows)
    out = out.sort_values(["advantage", "n_ahead", "n_behind", "closest_ci_low", "min_diff"],
                          ascending=[False, False, True, False, False], kind="mergesort").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def _caveat(rows: pd.DataFrame) -> str:
    """A caution on the stated comparisons (rows of :func:`brand_tests`) whose construct is unreliable."""
    flagged = rows[rows["reliability_flag"].astype(str) != ""] if "reliability_flag" in rows else rows.iloc[:0]
    if flagged.empty:
        return ""
    parts = [f"{r['label']} vs {r['competitor']}: {r['reliability_flag']}" for _, r in flagged.iterrows()]
    return (f"; caution, reliability below the gate ({nv.join(parts)}), so "
            + ("that comparison" if len(flagged) == 1 else "those comparisons")
            + " may partly reflect measurement noise")


def competitive_finding(tests: pd.DataFrame | None, brand: str, headline: bool = True,
                        confidence: float = 0.95) -> dict:
    """The step-1 sentence about competitors: where the own brand leads every rival, where it trails.

    The best construct is the first of :func:`brand_advantages` (:data:`BEST_RULE`).  A stated
    comparison on a construct whose alpha is below the gate among either brand's raters
    (``reliability_flag`` of :func:`brand_tests`) carries a caution, and the sentence counts the
    significant comparisons so flagged.

    Parameters
    ----------
    tests : DataFrame
        :func:`brand_tests`.
    brand : str
        The own brand's name (for the sentence).
    headline : bool, default True
    confidence : float, default 0.95
        Level of the intervals (as computed), for the sentence.

    Returns
    -------
    dict
        Keyword arguments for ``findings.record`` (``key="brand_advantage"``, value = the smallest
        lead on the strongest advantage, i.e. the gap to the closest competitor, with its interval).
    """
    adv = brand_advantages(tests)
    if adv is None:
        return finding_kwargs("No competitor comparison could be made.", key="brand_advantage")
    n_comp = int(adv["n_competitors"].max())
    brands = tests[tests["comparison"] == "brand"]
    if "reliability_flag" not in brands:
        brands = brands.assign(reliability_flag="")
    lead = adv[adv["advantage"]]
    if len(lead):
        top = lead.iloc[0]
        text = (f"{brand} is rated significantly higher than all {n_comp} competitors on {top['label']} "
                f"(lead of {nv.num(top['min_diff'])} to {nv.num(top['max_diff'])} points; closest rival "
                f"{top['closest_competitor']}: {nv.signed(top['min_diff'])}, "
                f"{nv.adj_ci(top['closest_ci_low'], top['closest_ci_high'], confidence=confidence)}; "
                "Welch t, Holm-adjusted)")
        others = list(lead["label"].iloc[1:])
        if others:
            text += f", and also leads every competitor on {nv.join(others)}"
        text += _caveat(brands[brands["construct"].isin(lead["construct"])])
        value, ci = top["min_diff"], (top["closest_ci_low"], top["closest_ci_high"])
    else:
        best = adv.iloc[0]
        if best["n_ahead"] == 0:
            text = (f"{brand} is not significantly ahead of any competitor on any construct (Welch t, "
                    "Holm-adjusted)")
        else:
            stated = brands[(brands["construct"] == best["construct"]) & brands["significant"]
                            & (brands["diff"] > 0)]
            tied = adv[(adv["n_ahead"] == best["n_ahead"]) & (adv["n_behind"] == best["n_behind"])]["label"]
            tie = (f"; tied on that count with {nv.join(list(tied.iloc[1:]))}, it has the highest lower limit "
                   "against its closest rival" if len(tied) > 1 else "")
            text = (f"{brand} does not lead every competitor on any construct; its best is {best['label']}, "
                    f"significantly ahead of {int(best['n_ahead'])} of {int(best['n_competitors'])} competitors "
                    f"(no construct is ahead of more, Holm-adjusted{tie}; closest rival "
                    f"{best['closest_competitor']}: {nv.signed(best['min_diff'])}, "
                    f"{nv.adj_ci(best['closest_ci_low'], best['closest_ci_high'], confidence=confidence)})")
            text += _caveat(stated)
        value, ci = best["min_diff"], (best["closest_ci_low"], best["closest_ci_high"])
    b = brands[brands["significant"] & (brands["diff"] < 0)]
    if len(b):
        worst = b.loc[b["diff"].idxmin()]
        kind = {"direct": "direct competitor", "new_entrant": "new entrant",
                "outside_industry": "player from outside the industry"}.get(worst["brand_kind"], "competitor")
        text += (f". It is significantly behind in {nv.count(len(b), 'comparison')} "
                 f"({nv.count(int(b['construct'].nunique()), 'construct')}); the largest gap is to the {kind} "
                 f"{worst['competitor']} on {worst['label']} ({nv.signed(worst['diff'])}, "
                 f"{nv.adj_ci(worst['ci_low'], worst['ci_high'], confidence=confidence)})")
        text += _caveat(b.loc[[worst.name]])
    else:
        text += ". It is not significantly behind any competitor on any construct"
    sig = brands[brands["significant"]]
    n_flag = int((sig["reliability_flag"].astype(str) != "").sum())
    if n_flag:
        text += (f". {n_flag} of the {nv.count(len(sig), 'significant comparison')} with single competitors "
                 "rest on a construct below the reliability gate among one brand's raters (flagged in the "
                 "table)")
    return finding_kwargs(text + ".", key="brand_advantage", value=value, ci=ci, headline=headline)


@dataclass(frozen=True, eq=False)
class CompetitionResult:
    """The tables of "The competitive landscape".

    Attributes
    ----------
    profiles : DataFrame or None
        :func:`brand_profiles`.
    tests : DataFrame or None
        :func:`brand_tests`.
    advantages : DataFrame or None
        :func:`brand_advantages`.
    """

    profiles: pd.DataFrame | None
    tests: pd.DataFrame | None
    advantages: pd.DataFrame | None


class CompetitiveLandscape(Section):
    """The competitive landscape: every construct for the own brand and each competitor, with Welch t-tests."""

    step = STEP
    title = "The competitive landscape"

    def skip_reason(self, data, settings: Settings) -> str | None:
        if not data.has_competitors:
            return ("no ratings of competitors: the survey has no rows for competitor brands and there is "
                    "no 'competitor_ratings' file")
        return None

    def compute(self, data, settings: Settings) -> CompetitionResult:
        tests = brand_tests(data, confidence=settings.confidence, threshold=settings.reliability_threshold)
        return CompetitionResult(profiles=brand_profiles(data, confidence=settings.confidence), tests=tests,
                                 advantages=brand_advantages(tests))

    def findings(self, result: CompetitionResult, data, settings: Settings) -> list[dict]:
        return [competitive_finding(result.tests, data.config.brand, confidence=settings.confidence)]

    def present(self, result: CompetitionResult, data, settings: Settings) -> list[Shown]:
        from cem_research.present.plots import world as world_plots

        r, out = result, []
        if r.profiles is not None:
            out.append(Shown("figure", world_plots.competitive_figure(r.profiles, confidence=settings.confidence),
                             "Dot charts, one panel per construct: mean for the own brand (red), each competitor "
                             f"and each kind of competitor (grey), with {nv.level(settings.confidence)} intervals",
                             layer="appendix"))  # the client sees them in steps 2 and 3, by kind of construct
        if r.advantages is not None:
            out.append(Shown("table", r.advantages, "Per construct: against how many competitors the own brand is "
                             "significantly ahead or behind (closest competitor's "
                             f"{nv.level(settings.confidence)} CI adjusted for multiple comparisons); {BEST_RULE}; "
                             "'reliability flagged vs': competitors compared on a construct whose Cronbach's alpha is "
                             f"below {_threshold_text(settings.reliability_threshold)} among their or the own "
                             "brand's raters", {"rename": {"flagged_comparisons": "reliability flagged vs"}},
                             layer="appendix"))
        if r.tests is not None:
            significant = nv.label_values(r.tests[r.tests["significant"]], data.config)
            out.append(Shown("table", significant.drop(columns=["construct", "T", "df", "p_unc"]),
                             "Significant differences, own brand minus competitor (Welch t, Holm-adjusted; "
                             f"{nv.level(settings.confidence)} {nv.ADJUSTED_CI_NOTE}; reliability note: Cronbach's "
                             "alpha of the construct below "
                             f"{_threshold_text(settings.reliability_threshold)} among that brand's raters)",
                             {"rename": {"alpha_own": "Cronbach's α, own brand's raters",
                                         "alpha_other": "Cronbach's α, competitor's raters"}},
                             layer="appendix"))
        return out
