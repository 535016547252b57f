"""Experiential profile: the own brand against each competitor and each kind of competitor.

Means with confidence intervals of every experience dimension (:func:`experiential_profile`) and
Welch tests of the own brand against each competitor, each kind and all competitors pooled,
Holm-corrected over the whole table (:func:`profile_tests`).  Profiles use every row (own and
competitor ratings), weighted when the client supplies survey weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from cem_research import stats
from cem_research.present import narrative as nv
from cem_research.stats import RELIABILITY_THRESHOLD
from cem_research.steps.platform.common import KIND_LABELS, STEP, dimensions_note, experience_dimensions
from cem_research.steps.platform.reliability import Reliability, add_reliability_flag
from cem_research.steps.section import Section, Settings, Shown

if TYPE_CHECKING:  # pragma: no cover
    from cem_research.client.data import ClientData

__all__ = ["experiential_profile", "profile_tests", "profile_finding", "Profile", "ExperientialProfile"]

PROFILE_COLUMNS = ["dimension", "label", "level", "brand", "brand_kind", "n", "mean", "sd", "ci_low", "ci_high",
                   "scale_min", "scale_max", "series"]
TEST_COLUMNS = ["dimension", "label", "level", "comparison", "brand_kind", "n_ref", "n_other", "mean_ref",
                "mean_other", "diff", "ci_low", "ci_high", "T", "df", "hedges", "hedges_ci_low", "hedges_ci_high",
                "p_unc", "p_corr", "significant", "direction"]


def experiential_profile(data: "ClientData", constructs: list[str] | None = None,
                         reliability: pd.DataFrame | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Means with CIs of each dimension for the own brand, each competitor and each kind.

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Constructs to profile (default :func:`experience_dimensions`).
    reliability : DataFrame, optional
        :func:`reliability_table`, to add ``reliability_flag``.
    confidence : float, default 0.95
        Level of the t intervals.

    Returns
    -------
    DataFrame
        ``dimension, label, level, brand, brand_kind, n, mean, sd, ci_low, ci_high, scale_min,
        scale_max, series, reliability_flag``.  ``level`` is ``brand`` (one row per rated brand,
        own brand first), ``kind`` (pooled rows of all competitors of one kind; only when a
        kind holds more than one brand) or ``all competitors`` (pooled competitor rows; only
        with competitors).  ``series`` is the legend label with the brand's sample size.
    """
    cfg = data.config
    dims = list(constructs) if constructs is not None else experience_dimensions(cfg)[0]
    r = data.ratings
    w = data.weight
    parts = []
    brand_order = [b for b in cfg.brands if b in set(r["brand"])]
    kinds_present = [k for k in ("direct", "new_entrant", "outside_industry")
                     if (r["brand_kind"] == k).any()]
    for d in dims:
        c = cfg.constructs[d]
        by_brand = stats.mean_ci(r, d, by="brand", weights=w, confidence=confidence)
        by_brand = by_brand.set_index("brand").reindex(brand_order).reset_index()
        by_brand["level"] = "brand"
        by_brand["brand_kind"] = by_brand["brand"].map(cfg.brand_kind)
        frames = [by_brand]
        comp = r[r["brand_kind"] != "own"]
        for k in kinds_present:
            if comp.loc[comp["brand_kind"] == k, "brand"].nunique() > 1:
                m = stats.mean_ci(comp[comp["brand_kind"] == k], d, weights=w, confidence=confidence)
                m["brand"], m["level"], m["brand_kind"] = f"all {KIND_LABELS[k]}", "kind", k
                frames.append(m)
        if len(comp):
            m = stats.mean_ci(comp, d, weights=w, confidence=confidence)
            m["brand"], m["level"], m["brand_kind"] = "all competitors", "all competitors", "competitors"
            frames.append(m)
        f = pd.concat(frames, ignore_index=True)
        f.insert(0, "dimension", d)
        f.insert(1, "label", c.title)
        f["scale_min"], f["scale_max"] = c.scale
        parts.append(f)
    out = pd.concat(parts, ignore_index=True)
    n_brand = r.groupby("brand")[dims].apply(lambda x: int(x.notna().any(axis=1).sum()))
    out["n"] = out["n"].fillna(0).astype(int)

    def series(row):
        if row["level"] == "brand":
            kind = "own brand" if row["brand_kind"] == "own" else str(row["brand_kind"]).replace("_", " ")
            return f"{row['brand']} ({kind}, n = {int(n_brand.get(row['brand'], 0)):,})"
        return row["brand"]

    out["series"] = out.apply(series, axis=1)
    return add_reliability_flag(out[PROFILE_COLUMNS], reliability, on="dimension")


def profile_tests(data: "ClientData", constructs: list[str] | None = None,
                  reliability: pd.DataFrame | None = None, confidence: float = 0.95,
                  tests: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Own brand against each competitor, each competitor kind and all competitors pooled.

    The rows of step 1's comparison table (:func:`cem_research.steps.world.brand_tests`, the one home
    of every own-brand comparison) for the requested dimensions, in this section's columns: the same
    test, the same Holm family and the same interval wherever the comparison is mentioned.

    Parameters
    ----------
    data : ClientData
    constructs : list of str, optional
        Constructs to show (default :func:`experience_dimensions`).
    reliability : DataFrame, optional
        :func:`reliability_table`, to add ``reliability_flag``.
    confidence : float, default 0.95
        Level of the intervals (used when ``tests`` is computed here).
    tests : DataFrame, optional
        :func:`cem_research.steps.world.brand_tests` (as ``world.own_vs_competitors`` gives it);
        computed when omitted.

    Returns
    -------
    DataFrame or None
        One row per dimension × comparison: ``dimension, label, level, comparison, brand_kind,
        n_ref, n_other, mean_ref, mean_other, diff, ci_low, ci_high, T, df, hedges,
        hedges_ci_low, hedges_ci_high, p_unc, p_corr, significant, direction,
        reliability_flag``.  ``level`` is ``brand``, ``kind`` (kinds with at least two rated brands)
        or ``all competitors``; ``diff = own − other`` with its interval adjusted for multiple
        comparisons; ``p_corr`` Holm-corrected over step 1's whole table (every construct ×
        comparison); ``direction`` is "higher", "lower" or "no clear difference" (Holm p ≥ .05);
        ``reliability_flag`` joins step 2's flag (alpha on the own brand's rows) with step 1's per-brand
        one (alpha among the compared brand's or group's raters, ``reliability_flag`` of
        :func:`cem_research.steps.world.brand_tests`).
        ``None`` when the client has no competitor ratings.

    Notes
    -----
    :func:`cem_research.stats.compare_to_reference` (Welch t-test, Hedges g; weighted when the
    client has survey weights) with the own brand as reference, corrected once with
    :func:`cem_research.stats.adjust_pvalues` over step 1's table; the interval is
    :func:`cem_research.stats.adjusted_interval`.
    """
    from cem_research.steps.world.competition import brand_tests

    if not data.has_competitors:
        return None
    cfg = data.config
    dims = list(constructs) if constructs is not None else experience_dimensions(cfg)[0]
    home = brand_tests(data, confidence=confidence) if tests is None else tests
    if home is None:
        return None
    out = home[home["construct"].isin(dims)].rename(columns={
        "construct": "dimension", "comparison": "level", "competitor": "comparison", "n_own": "n_ref",
        "mean_own": "mean_ref"})
    if out.empty:
        return None
    kind_rows = (out["level"] == "kind").to_numpy()
    out.loc[kind_rows, "comparison"] = "all " + out.loc[kind_rows, "brand_kind"].map(KIND_LABELS).astype(str)
    out.loc[(out["level"] == "all competitors").to_numpy(), "comparison"] = "all competitors"
    out["label"] = out["dimension"].map(lambda d: nv.label(cfg, d))
    out["direction"] = np.select([out["significant"] & (out["diff"] > 0), out["significant"] & (out["diff"] < 0)],
                                 ["higher", "lower"], default="no clear difference")
    # step 1's per-brand check: the dimension's alpha among the compared brand's (or group's) raters
    per_brand = out["reliability_flag"].fillna("").astype(str) if "reliability_flag" in out else ""
    out = out[TEST_COLUMNS].assign(_brand_flag=per_brand)
    order = {d: i for i, d in enumerate(dims)}
    lev = {"all competitors": 0, "kind": 1, "brand": 2}
    out = out.assign(_d=out["dimension"].map(order), _l=out["level"].map(lev))
    out = out.sort_values(["_d", "_l"], kind="stable").drop(columns=["_d", "_l"]).reset_index(drop=True)
    out = add_reliability_flag(out, reliability, on="dimension")
    out["reliability_flag"] = ["; ".join(x for x in (a, b) if x) for a, b in zip(out["reliability_flag"],
                                                                                out.pop("_brand_flag"))]
    return out


def profile_finding(profile: pd.DataFrame, tests: pd.DataFrame | None, brand: str,
                    confidence: float = 0.95, threshold: float = RELIABILITY_THRESHOLD) -> dict:
    """Plain-words finding for the experiential profile.

    With competitors: on how many dimensions the own brand is significantly above / below the
    pooled competitors (Holm), with the largest lead and the largest deficit (difference, CI,
    Hedges g, Holm p).  Without: the own brand's best and weakest dimension (mean and CI).

    Parameters
    ----------
    profile, tests : DataFrame
        :func:`experiential_profile` and :func:`profile_tests` (``None`` without competitors).
    brand : str
        The own brand's name.
    confidence : float, default 0.95
    threshold : float, default 0.70
        The reliability threshold of the flags (named in the sentence).

    Returns
    -------
    dict
        Keyword arguments for :func:`cem_research.present.findings.record`.
    """
    def ci(lo, hi):
        return nv.ci(lo, hi, confidence=confidence)

    def adj(lo, hi):
        return nv.adj_ci(lo, hi, confidence=confidence)

    own = profile[(profile["level"] == "brand") & (profile["brand_kind"] == "own")]
    if tests is None or tests.empty:
        best = own.sort_values("mean", ascending=False).iloc[0]
        worst = own.sort_values("mean").iloc[0]
        text = (f"No competitor ratings were supplied, so {brand} can only be compared with itself: "
                f"highest on {best['label']} ({nv.num(best['mean'])}, {ci(best['ci_low'], best['ci_high'])}, "
                f"scale {nv.scale_text((best['scale_min'], best['scale_max']))}), lowest on {worst['label']} "
                f"({nv.num(worst['mean'])}, {ci(worst['ci_low'], worst['ci_high'])}).")
        if best["dimension"] == worst["dimension"]:
            text = (f"No competitor ratings were supplied; {brand} scores {nv.num(best['mean'])} on "
                    f"{best['label']} ({ci(best['ci_low'], best['ci_high'])}).")
        return {"text": text, "headline": False, "key": "profile_best_mean", "value": float(best["mean"]),
                "ci": (float(best["ci_low"]), float(best["ci_high"]))}
    pooled = tests[tests["level"] == "all competitors"]
    up, down = pooled[pooled["direction"] == "higher"], pooled[pooled["direction"] == "lower"]
    lead = pooled.sort_values("hedges", ascending=False).iloc[0]
    text = (f"Against all competitors pooled, {brand} is significantly ahead on {len(up)} and behind on "
            f"{len(down)} of {len(pooled)} experience dimensions (Welch tests, Holm-corrected). ")
    if len(up):
        best = up.sort_values("hedges", ascending=False).iloc[0]
        text += (f"Largest lead: {best['label']}, {nv.num(best['mean_ref'])} vs {nv.num(best['mean_other'])} "
                 f"(difference {nv.signed(best['diff'])}, {adj(best['ci_low'], best['ci_high'])}; "
                 f"Hedges g = {nv.num(best['hedges'])}; {nv.p(best['p_corr'])}). ")
        lead = best
    if len(down):
        worst = down.sort_values("hedges").iloc[0]
        text += (f"Largest deficit: {worst['label']} (difference {nv.signed(worst['diff'])}, "
                 f"{adj(worst['ci_low'], worst['ci_high'])}; g = {nv.num(worst['hedges'])}; "
                 f"{nv.p(worst['p_corr'])}). ")
    if not len(up) and not len(down):
        text += (f"The largest (non-significant) difference is on {lead['label']} ({nv.signed(lead['diff'])}, "
                 f"{adj(lead['ci_low'], lead['ci_high'])}). ")
    flagged = sorted(set(pooled.loc[pooled["reliability_flag"].astype(bool), "label"])) \
        if "reliability_flag" in pooled else []
    if flagged:
        text += f"Read {nv.join(flagged)} with care (alpha below {nv.num(threshold).replace('0.', '.', 1)})."
    return {"text": text.strip(), "headline": bool(len(up)), "key": "profile_lead_diff",
            "value": float(lead["diff"]), "ci": (float(lead["ci_low"]), float(lead["ci_high"]))}


@dataclass(frozen=True)
class Profile:
    """Result of :class:`ExperientialProfile`.

    Attributes
    ----------
    profile : DataFrame
        :func:`experiential_profile` (with reliability flags).
    tests : DataFrame or None
        :func:`profile_tests`; ``None`` without competitor ratings.
    """

    profile: pd.DataFrame
    tests: pd.DataFrame | None = None


class ExperientialProfile(Section):
    """Experiential profile: means (CI) per brand and kind, and Welch tests of the own brand against them."""

    step = STEP
    title = "Experiential profile"

    def skip_reason(self, data: "ClientData", settings: Settings) -> str | None:
        if not experience_dimensions(data.config)[0]:
            return "every declared construct is an outcome, so there is no experience dimension to profile"
        return None

    def compute(self, data: "ClientData", settings: Settings) -> Profile:
        from cem_research.steps.world.competition import own_vs_competitors

        rel = Reliability().result(data, settings)
        return Profile(experiential_profile(data, reliability=rel, confidence=settings.confidence),
                       profile_tests(data, reliability=rel, confidence=settings.confidence,
                                     tests=own_vs_competitors(data, settings)))

    def findings(self, result: Profile, data: "ClientData", settings: Settings) -> list[dict]:
        return [profile_finding(result.profile, result.tests, data.config.brand, confidence=settings.confidence,
                                threshold=settings.reliability_threshold)]

    def present(self, result: Profile, data: "ClientData", settings: Settings) -> list[Shown]:
        from cem_research.present.plots import platform as plots_pf

        level = f"{100 * settings.confidence:g}%"
        shown = [Shown("markdown", dimensions_note(data.config), layer="appendix"),
                 Shown("table", nv.label_values(result.profile, data.config).drop(columns=["series"]),
                       f"Experience dimensions: means with {level} CIs", layer="appendix"),
                 Shown("figure", plots_pf.profile_chart(result.profile, confidence=settings.confidence,
                                                       threshold=settings.reliability_threshold).figure,
                       f"Dot chart: mean rating of each experience dimension for the own brand (red) and "
                       f"each competitor (grey by kind), with {level} confidence intervals")]
        if result.tests is not None:
            cols = ["label", "comparison", "n_ref", "n_other", "mean_ref", "mean_other", "diff", "ci_low",
                    "ci_high", "hedges", "hedges_ci_low", "hedges_ci_high", "p_corr", "direction",
                    "reliability_flag"]
            shown.append(Shown("table", result.tests[cols],
                               "Own brand minus competitor (Welch; Holm-corrected over every own-brand comparison "
                               f"of step 1; {level} {nv.ADJUSTED_CI_NOTE})",
                               {"rename": {"mean_ref": "own mean", "mean_other": "other mean",
                                           "p_corr": "p_corr (Holm)"}}, layer="appendix"))
        return shown
